// corgi-expect: go-fileserver-directory-listing
package main

import (
	"log"
	"net/http"
)

func main() {
	files := http.FileServer(http.Dir("./uploads"))
	http.Handle("/uploads/", http.StripPrefix("/uploads/", files))
	log.Fatal(http.ListenAndServeTLS(":8443", "cert.pem", "key.pem", nil))
}
