package main

import (
	"log"
	"net/http"
	"runtime/pprof"
)

func main() {
	http.HandleFunc("/", index)
	pprof.Lookup("goroutine")
	log.Fatal(http.ListenAndServeTLS(":8443", "cert.pem", "key.pem", nil))
}
