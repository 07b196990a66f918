package media

import (
	"os/exec"
	"strconv"
)

func Resize(src, dst string, width int) error {
	return exec.Command("convert", src, "-resize", strconv.Itoa(width)+"x", dst).Run()
}
