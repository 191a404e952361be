package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// loginCookie holds the CSRF token of the sign-in form. There is no
// session yet to hold one, so the form and a cookie carry the same random
// value (a "double submit"): a page of another site can post the form but
// cannot read or set the cookie, so it cannot sign a browser in to an
// account of its choosing.
const loginCookie = "earshot_login"

func (s *Server) mountWebAuth(g *echo.Group) {
	g.GET("/", s.page(nil, s.webHome))
	g.GET("/login", s.loginPage)
	g.POST("/login", s.loginSubmit)
	g.POST("/logout", s.page(nil, s.logoutSubmit))
	g.GET("/password", s.page(nil, s.passwordPage))
	g.POST("/password", s.page(nil, s.passwordSubmit))
}

// webHome sends each person to the page of their work: reviewers to
// their queue, agents to their evaluations.
func (s *Server) webHome(c echo.Context) error {
	u := caller(c)
	switch {
	case u.HasAny(scoringRole...):
		return c.Redirect(http.StatusSeeOther, "/queue")
	case u.Has(qa.RoleAgent):
		return c.Redirect(http.StatusSeeOther, "/agent")
	}
	return c.Redirect(http.StatusSeeOther, "/calls")
}

type loginView struct {
	Username string
	Next     string
}

func (s *Server) loginPage(c echo.Context) error {
	if u, _, err := s.webAuth(c); err == nil && u != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	d := pageData{Title: "Sign in", Page: loginView{Next: safeNext(c.QueryParam("next"))}}
	if c.QueryParam("changed") != "" {
		d.Notice = "Your password is changed. Sign in with the new one."
	}
	return s.renderLogin(c, http.StatusOK, d)
}

// renderLogin renders the sign-in form with a fresh form token.
func (s *Server) renderLogin(c echo.Context, code int, d pageData) error {
	token := rand.Text()
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: token, Path: "/login", HttpOnly: true,
		Secure: s.cfg.SecureCookies || c.Scheme() == "https", SameSite: http.SameSiteStrictMode,
		MaxAge: 3600})
	d.CSRF = token
	return s.render(c, code, "login", d)
}

func (s *Server) loginSubmit(c echo.Context) error {
	ck, err := c.Cookie(loginCookie)
	field := c.FormValue(csrfField)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(field)) != 1 {
		return s.webError(c, http.StatusForbidden,
			"The sign-in form is out of date or did not come from Earshot. Open the sign-in page again.")
	}
	view := loginView{Username: c.FormValue("username"), Next: safeNext(c.FormValue("next"))}
	password := c.FormValue("password")
	if view.Username == "" || password == "" {
		return s.renderLogin(c, http.StatusBadRequest, pageData{Title: "Sign in", Page: view,
			Problem: "Give both your username and your password."})
	}
	sess, err := s.cfg.QA.Login(c.Request().Context(), view.Username, password, c.RealIP())
	if errors.Is(err, qa.ErrUnauthenticated) {
		return s.renderLogin(c, http.StatusUnauthorized, pageData{Title: "Sign in", Page: view,
			Problem: "Wrong username or password."})
	}
	if err != nil {
		return s.webFail(c, "sign in", err)
	}
	s.setSessionCookie(c, sess.Token, sess.Ends)
	c.SetCookie(&http.Cookie{Name: loginCookie, Path: "/login", MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, view.Next)
}

func (s *Server) logoutSubmit(c echo.Context) error {
	ck, err := c.Cookie(sessionCookie)
	if err == nil {
		if err := s.cfg.QA.Logout(c.Request().Context(), ck.Value, c.RealIP()); err != nil {
			return s.webFail(c, "sign out", err)
		}
	}
	s.setSessionCookie(c, "", time.Time{})
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (s *Server) passwordPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "password", pageData{Title: "Change password", Nav: "password"})
}

// passwordSubmit changes the caller's password. Changing it ends every
// session of the account, this one included, so the browser signs in
// again with the new password.
func (s *Server) passwordSubmit(c echo.Context) error {
	u := caller(c)
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	problem := func(msg string) error {
		return s.render(c, http.StatusBadRequest, "password",
			pageData{Title: "Change password", Nav: "password", Problem: msg})
	}
	if next != c.FormValue("confirm_password") {
		return problem("The new password and its confirmation differ.")
	}
	err := s.cfg.QA.ChangePassword(c.Request().Context(), u.ID, current, next)
	var in *qa.InputError
	if errors.As(err, &in) {
		return problem(passwordProblem(in))
	}
	if err != nil {
		return s.webFail(c, "change password", err)
	}
	if err := s.audit(c, qa.ActionChange, "user", fmt.Sprint(u.ID),
		map[string]any{"changed": []string{"password"}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	s.setSessionCookie(c, "", time.Time{})
	return c.Redirect(http.StatusSeeOther, "/login?changed=1")
}

// passwordProblem words a refused password change for the form.
func passwordProblem(in *qa.InputError) string {
	switch in.Field {
	case "current_password":
		return "The current password is not right."
	case "new_password":
		return "New password: " + in.Msg + "."
	}
	return in.Error()
}
