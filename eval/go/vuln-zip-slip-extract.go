// corgi-expect: go-zip-slip
package themes

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
)

func extract(r *zip.Reader, dest string) error {
	for _, f := range r.File {
		path := filepath.Join(dest, f.Name)
		src, err := f.Open()
		if err != nil {
			return err
		}
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		io.Copy(out, src)
		out.Close()
		src.Close()
	}
	return nil
}
