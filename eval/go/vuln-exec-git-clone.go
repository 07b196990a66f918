package builder

import (
	"context"
	"os/exec"
)

func Clone(ctx context.Context, repoURL, dest string) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", "git clone --depth 1 "+repoURL+" "+dest)
	return cmd.Run()
}
