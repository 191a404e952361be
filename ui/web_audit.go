package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The audit log page, for admins: who did what to which object, newest
// first, filtered by a GET form and paged by id (the next page starts
// before the last id shown, so entries written meanwhile do not shift
// it). ?format=csv downloads every entry the filter selects; the audit
// API has no CSV of its own.

// auditPageSize is how many entries a page shows.
const auditPageSize = 50

// mountWebAudit registers the audit pages.
func (s *Server) mountWebAudit(g *echo.Group) {
	g.GET("/audit", s.page([]qa.Role{qa.RoleAdmin}, s.auditPage))
}

// auditQuery is the filter as the form sends it.
type auditQuery struct {
	User, Action, ObjectType, ObjectID, From, To, Before string
}

// link is the page of q starting before id; zero is the first page.
func (q auditQuery) link(before int64, csv bool) string {
	v := url.Values{}
	for k, val := range map[string]string{"user_id": q.User, "action": q.Action,
		"object_type": q.ObjectType, "object_id": q.ObjectID, "from": q.From, "to": q.To} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if before != 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if csv {
		v.Set("format", "csv")
	}
	if len(v) == 0 {
		return "/audit"
	}
	return "/audit?" + v.Encode()
}

func readAuditQuery(c echo.Context) (auditQuery, qa.AuditFilter, error) {
	q := auditQuery{User: c.QueryParam("user_id"), Action: c.QueryParam("action"),
		ObjectType: c.QueryParam("object_type"), ObjectID: c.QueryParam("object_id"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), Before: c.QueryParam("before")}
	f := qa.AuditFilter{Action: q.Action, ObjectType: q.ObjectType, ObjectID: q.ObjectID}
	var err error
	if f.UserID, err = pickedID("user", q.User); err != nil {
		return q, f, err
	}
	if f.BeforeID, err = pickedID("page", q.Before); err != nil {
		return q, f, err
	}
	if f.From, err = webTime("from", q.From); err != nil {
		return q, f, err
	}
	f.To, err = webTime("to", q.To)
	return q, f, err
}

// auditView is the audit page.
type auditView struct {
	Q       auditQuery
	Users   []qa.User
	Actions []string
	Rows    []auditRow
	// Next and First link the pages; empty on the last and the first.
	Next, First, CSV string
}

// auditActions are the actions Earshot writes, for the filter's list.
var auditActions = []string{qa.ActionPlay, qa.ActionDownload, qa.ActionScore, qa.ActionCreate,
	qa.ActionChange, qa.ActionDelete, qa.ActionRevoke, qa.ActionLogin, qa.ActionLoginFailed,
	qa.ActionLogout}

func (s *Server) auditPage(c echo.Context) error {
	ctx := c.Request().Context()
	q, f, ferr := readAuditQuery(c)
	users, err := s.cfg.QA.ListUsers(ctx)
	if err != nil {
		return s.webFail(c, "list users", err)
	}
	v := &auditView{Q: q, Users: users, Actions: auditActions}
	d := pageData{Title: "Audit log", Nav: "audit", Page: v}
	if ferr != nil {
		d.Problem = "The filter was not applied: " + ferr.Error() + "."
		return s.render(c, http.StatusBadRequest, "audit", d)
	}
	if c.QueryParam("format") == "csv" {
		return s.auditCSV(c, f)
	}
	f.Limit = auditPageSize
	recs, err := s.cfg.QA.ListAudit(ctx, f)
	if err != nil {
		return s.webQAError(c, "audit log", err)
	}
	for _, r := range recs {
		v.Rows = append(v.Rows, auditRowOf(r))
	}
	if len(recs) == auditPageSize {
		v.Next = q.link(recs[len(recs)-1].ID, false)
	}
	if f.BeforeID != 0 {
		v.First = q.link(0, false)
	}
	v.CSV = q.link(0, true)
	return s.render(c, http.StatusOK, "audit", d)
}

// auditClock shows an audit time to the second, in UTC.
func auditClock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }
