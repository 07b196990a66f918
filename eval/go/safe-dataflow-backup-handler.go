package backup

import (
	"net/http"
	"os/exec"
	"strconv"
)

func RunBackup(w http.ResponseWriter, r *http.Request) {
	days, err := strconv.Atoi(r.URL.Query().Get("days"))
	if err != nil {
		http.Error(w, "bad days", http.StatusBadRequest)
		return
	}
	out, err := exec.Command("/usr/local/bin/backup", "--days", strconv.Itoa(days)).CombinedOutput()
	if err != nil {
		http.Error(w, "backup failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(out)
}
