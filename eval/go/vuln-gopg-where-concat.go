// corgi-expect: go-orm-chain-sql
package books

import (
	"net/http"

	"github.com/go-pg/pg/v10"
)

func search(db *pg.DB, w http.ResponseWriter, r *http.Request) {
	var books []Book
	err := db.Model(&books).
		Column("id", "title").
		Where("author = '" + r.URL.Query().Get("author") + "'").
		Select()
	writeBooks(w, books, err)
}
