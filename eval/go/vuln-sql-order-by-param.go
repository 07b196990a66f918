package reports

import (
	"database/sql"
	"net/http"
)

func listInvoices(db *sql.DB, w http.ResponseWriter, r *http.Request) {
	sortBy := r.URL.Query().Get("sort")
	query := "SELECT id, customer, total FROM invoices ORDER BY " + sortBy
	rows, err := db.Query(query)
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeInvoices(w, rows)
}
