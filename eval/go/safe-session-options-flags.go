package web

import (
	"net/http"

	"github.com/gorilla/sessions"
)

var store = sessions.NewCookieStore(sessionKey())

func login(w http.ResponseWriter, r *http.Request) {
	session, _ := store.Get(r, "app")
	session.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   86400,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	session.Values["user"] = currentUser(r)
	session.Save(r, w)
}
