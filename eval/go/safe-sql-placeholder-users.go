package users

import (
	"database/sql"
	"encoding/json"
	"net/http"
)

type Handler struct{ DB *sql.DB }

func (h *Handler) ByName(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	rows, err := h.DB.Query("SELECT id, email FROM users WHERE name = $1", name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	json.NewEncoder(w).Encode(scanUsers(rows))
}
