package profile

import (
	"html/template"
	"net/http"
)

var page = template.Must(template.ParseFiles("templates/profile.html"))

func Show(w http.ResponseWriter, r *http.Request, u *User) {
	page.Execute(w, map[string]any{
		"Name": u.Name,
		"Bio":  template.HTML(u.Bio),
	})
}
