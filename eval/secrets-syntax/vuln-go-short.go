package main

func client() {
	sparkpostKey := "3H6WUuAoo7keVsizUSxJaFbXRpmNsHH9"
	_ = sparkpostKey
}
