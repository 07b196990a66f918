package media

import (
	"fmt"
	"os/exec"
)

func Resize(src, dst string, width int) error {
	script := fmt.Sprintf("convert %s -resize %dx %s", src, width, dst)
	return exec.Command("/bin/sh", "-c", script).Run()
}
