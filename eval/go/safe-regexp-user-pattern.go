package search

import (
	"net/http"
	"regexp"
)

func filterNames(w http.ResponseWriter, r *http.Request) {
	re, err := regexp.Compile("(?i)" + regexp.QuoteMeta(r.URL.Query().Get("pattern")))
	if err != nil {
		http.Error(w, "bad pattern", http.StatusBadRequest)
		return
	}
	writeNames(w, matching(re))
}
