package files

import (
	"net/http"
	"path/filepath"
)

const uploadDir = "/srv/uploads"

func Serve(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Query().Get("file"))
	http.ServeFile(w, r, filepath.Join(uploadDir, name))
}
