package paging

import (
	"net/http"
	"strconv"
)

func pageSize(r *http.Request) int32 {
	n, err := strconv.ParseInt(r.URL.Query().Get("size"), 10, 32)
	if err != nil || n < 1 || n > 100 {
		return 20
	}
	return int32(n)
}
