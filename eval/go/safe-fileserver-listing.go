package main

import (
	"embed"
	"log"
	"net/http"
)

//go:embed static
var static embed.FS

func main() {
	http.Handle("/static/", http.FileServer(http.FS(static)))
	log.Fatal(http.ListenAndServeTLS(":8443", "cert.pem", "key.pem", nil))
}
