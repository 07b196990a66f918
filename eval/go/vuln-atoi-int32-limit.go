// corgi-expect: go-integer-narrowing
package paging

import (
	"net/http"
	"strconv"
)

func pageSize(r *http.Request) int32 {
	n, err := strconv.Atoi(r.URL.Query().Get("size"))
	if err != nil {
		return 20
	}
	return int32(n)
}
