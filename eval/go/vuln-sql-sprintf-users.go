package users

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
)

type Handler struct{ DB *sql.DB }

func (h *Handler) ByName(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	rows, err := h.DB.Query(fmt.Sprintf("SELECT id, email FROM users WHERE name = '%s'", name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	json.NewEncoder(w).Encode(scanUsers(rows))
}
