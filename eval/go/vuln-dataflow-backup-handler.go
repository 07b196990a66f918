// corgi-expect: go-dataflow-command
package backup

import (
	"net/http"
	"os/exec"
)

func RunBackup(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("target")
	label := target
	script := "tar czf /backups/" + label + ".tgz /srv/data"
	out, err := exec.Command("sh", "-c", script).CombinedOutput()
	if err != nil {
		http.Error(w, "backup failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(out)
}
