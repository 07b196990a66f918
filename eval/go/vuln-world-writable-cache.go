package cache

import (
	"os"
	"path/filepath"
)

func Store(dir, key string, data []byte) error {
	if err := os.MkdirAll(dir, 0777); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, key), data, 0666)
}
