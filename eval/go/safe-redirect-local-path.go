package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

func LoginDone(c *gin.Context) {
	next := c.Query("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/dashboard"
	}
	c.Redirect(http.StatusFound, next)
}
