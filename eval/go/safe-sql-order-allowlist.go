package reports

import (
	"database/sql"
	"net/http"
)

var sortColumns = map[string]string{"customer": "customer", "total": "total", "date": "issued_at"}

func listInvoices(db *sql.DB, w http.ResponseWriter, r *http.Request) {
	col, ok := sortColumns[r.URL.Query().Get("sort")]
	if !ok {
		col = "issued_at"
	}
	query := "SELECT id, customer, total FROM invoices ORDER BY " + col
	rows, err := db.Query(query)
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeInvoices(w, rows)
}
