// corgi-expect: go-dataflow-regex
package search

import (
	"net/http"
	"regexp"
)

func filterNames(w http.ResponseWriter, r *http.Request) {
	re, err := regexp.Compile(r.URL.Query().Get("pattern"))
	if err != nil {
		http.Error(w, "bad pattern", http.StatusBadRequest)
		return
	}
	writeNames(w, matching(re))
}
