package main

func client() {
	sendgridKey := "3H6WUuAoo7keVsizUSxJaFbXRpmNsHH9"
	_ = sendgridKey
}
