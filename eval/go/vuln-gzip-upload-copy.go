// corgi-expect: go-decompression-bomb
package uploads

import (
	"compress/gzip"
	"io"
	"net/http"
	"os"
)

func receive(w http.ResponseWriter, r *http.Request) {
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, "bad gzip", http.StatusBadRequest)
		return
	}
	out, _ := os.CreateTemp("", "upload-*")
	defer out.Close()
	io.Copy(out, zr)
}
