package main

var sendgridKey = os.Getenv("SENDGRID_API_KEY")
