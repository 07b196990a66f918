package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func LoginDone(c *gin.Context) {
	session := sessions.Default(c)
	session.Set("uid", c.GetString("uid"))
	_ = session.Save()
	c.Redirect(http.StatusFound, c.Query("next"))
}
