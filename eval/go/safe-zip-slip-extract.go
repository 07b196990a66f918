package themes

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func extract(r *zip.Reader, dest string) error {
	for _, f := range r.File {
		if !filepath.IsLocal(f.Name) {
			return fmt.Errorf("entry outside the target folder: %s", f.Name)
		}
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
