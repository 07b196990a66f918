package main

var sparkpostKey = os.Getenv("SPARKPOST_API_KEY")
