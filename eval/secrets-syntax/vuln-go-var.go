package main

var mailjetToken string = "P6eZsS8vK48xzYqbER5udEGSv7RRjXAW"
