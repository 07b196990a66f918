package main

var mailgunToken string = "P6eZsS8vK48xzYqbER5udEGSv7RRjXAW"
