// corgi-expect: go-clean-request-path
package docs

import (
	"net/http"
	"os"
	"path/filepath"
)

const root = "/srv/docs"

func serveDoc(w http.ResponseWriter, r *http.Request) {
	name := filepath.Clean(r.URL.Query().Get("page"))
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}
