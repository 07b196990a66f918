package web

import (
	"fmt"
	"html"
	"net/http"
)

func Greet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<html><body><h1>Welcome, %s</h1></body></html>", html.EscapeString(r.FormValue("name")))
}
