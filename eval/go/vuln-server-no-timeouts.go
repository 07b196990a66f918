// corgi-expect: go-http-server-no-read-timeout
package main

import (
	"log"
	"net/http"
)

func main() {
	srv := &http.Server{
		Addr:    ":8443",
		Handler: routes(),
	}
	log.Fatal(srv.ListenAndServeTLS("cert.pem", "key.pem"))
}
