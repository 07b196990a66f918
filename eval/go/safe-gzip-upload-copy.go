package uploads

import (
	"compress/gzip"
	"io"
	"net/http"
	"os"
)

const maxUpload = 32 << 20

func receive(w http.ResponseWriter, r *http.Request) {
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, "bad gzip", http.StatusBadRequest)
		return
	}
	out, _ := os.CreateTemp("", "upload-*")
	defer out.Close()
	io.Copy(out, io.LimitReader(zr, maxUpload))
}
