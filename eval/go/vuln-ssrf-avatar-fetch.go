package avatars

import (
	"io"
	"net/http"
)

func Import(w http.ResponseWriter, r *http.Request) {
	src := r.URL.Query().Get("src")
	resp, err := http.Get(src)
	if err != nil {
		http.Error(w, "fetch failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}
