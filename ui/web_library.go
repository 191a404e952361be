package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/storage/catalog"
)

// libraryParams are the library's query parameters, in the order the
// paging and sorting links write them.
var libraryParams = []string{"from", "to", "participant", "agent", "team", "direction", "evaluated",
	"min_sec", "max_sec", "min_overtalk", "min_silence", "sort"}

// libraryQuery is the library's filter as the form sends it, kept to fill
// the form again and to build the paging and sorting links.
type libraryQuery map[string]string

// Get returns one parameter; templates read the form's values this way.
func (q libraryQuery) Get(name string) string { return q[name] }

// link returns the library URL of q with its cursor and order replaced.
func (q libraryQuery) link(after, sort string) string {
	v := url.Values{}
	for _, k := range libraryParams {
		if val := q[k]; val != "" && k != "sort" {
			v.Set(k, val)
		}
	}
	if sort != "" {
		v.Set("sort", sort)
	}
	if after != "" {
		v.Set("after", after)
	}
	if len(v) == 0 {
		return "/calls"
	}
	return "/calls?" + v.Encode()
}

// libraryRow is one call of the library with its parties named.
type libraryRow struct {
	qa.LibraryCall
	Parties string
}

// sortLink is one column heading that orders the library.
type sortLink struct {
	Label, URL string
	Current    bool
}

// libraryView is the call library page.
type libraryView struct {
	Query libraryQuery
	Calls []libraryRow
	// Next is the link to the next page, empty on the last; Prev the one
	// before and First the first page, both empty on the first.
	Next, Prev, First string
	Sorts             []sortLink
	// Columns are the sortable headings of the table, by label.
	Columns map[string]columnSort
	// Agents and Teams fill the filter's lists; empty for an agent, who
	// sees only their own calls anyway.
	Agents []qa.Agent
	Teams  []qa.Team
	// Took is how long the query took, shown so that a slow filter is
	// noticed and reported.
	Took time.Duration
}

// librarySorts are the orders offered, with the words the page uses.
var librarySorts = []struct {
	param string
	order catalog.Order
	label string
}{
	{"newest", catalog.OrderNewest, "newest"}, {"oldest", catalog.OrderOldest, "oldest"},
	{"longest", catalog.OrderLongest, "longest"}, {"shortest", catalog.OrderShortest, "shortest"},
	{"overtalk", catalog.OrderOvertalk, "most overtalk"},
	{"silence", catalog.OrderSilence, "longest silence"},
}

func readLibraryQuery(c echo.Context) (libraryQuery, qa.LibraryFilter, error) {
	q := libraryQuery{}
	for _, k := range append(libraryParams, "after", "back") {
		q[k] = c.QueryParam(k)
	}
	f := qa.LibraryFilter{}
	f.Participant, f.After = q["participant"], q["after"]
	var err error
	if f.From, err = webTime("from", q["from"]); err != nil {
		return q, f, err
	}
	if f.To, err = webTime("to", q["to"]); err != nil {
		return q, f, err
	}
	secs := []struct {
		name, label string
		dst         *int64
	}{{"min_sec", "shortest", &f.MinDurationMS}, {"max_sec", "longest", &f.MaxDurationMS},
		{"min_overtalk", "overtalk at least", &f.MinOvertalkMS},
		{"min_silence", "a silence of at least", &f.MinLongestSilenceMS}}
	for _, s := range secs {
		if *s.dst, err = webSeconds(s.label, q[s.name]); err != nil {
			return q, f, err
		}
	}
	if err := readLibraryPeople(q, &f); err != nil {
		return q, f, err
	}
	f.Order, err = libraryOrder(q["sort"])
	return q, f, err
}

// readLibraryPeople reads the QA side of the filter: agent, team,
// direction and whether the call was evaluated.
func readLibraryPeople(q libraryQuery, f *qa.LibraryFilter) error {
	var err error
	if f.AgentID, err = pickedID("agent", q["agent"]); err != nil {
		return err
	}
	if f.TeamID, err = pickedID("team", q["team"]); err != nil {
		return err
	}
	switch d := qa.Direction(q["direction"]); d {
	case "", qa.DirectionInbound, qa.DirectionOutbound, qa.DirectionUnknown:
		f.Direction = d
	default:
		return fmt.Errorf("direction %q: choose inbound, outbound or unknown", d)
	}
	switch q["evaluated"] {
	case "":
	case "yes", "no":
		yes := q["evaluated"] == "yes"
		f.Evaluated = &yes
	default:
		return fmt.Errorf("evaluated %q: choose yes or no", q["evaluated"])
	}
	return nil
}

func libraryOrder(v string) (catalog.Order, error) {
	for _, s := range librarySorts {
		if v == s.param || v == "" && s.order == catalog.OrderNewest {
			return s.order, nil
		}
	}
	return "", fmt.Errorf("sort %q: use newest, oldest, longest, shortest, overtalk or silence", v)
}

// pickedID reads the id of an entry picked from a list.
func pickedID(name, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q: pick one from the list", name, v)
	}
	return n, nil
}

func webTime(name, v string) (time.Time, error) {
	return formTime(name, v, webTimeLayout, "a date and time such as 2026-12-03T09:00")
}

// formTime reads a time a form sent in layout, in UTC; empty is the zero
// time. The error names the field and shows what to type (example).
func formTime(name, v, layout, example string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(layout, v, time.UTC)
	if err != nil {
		return t, fmt.Errorf("%s %q: want %s", name, v, example)
	}
	return t, nil
}

func webSeconds(name, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q: want a whole number of seconds", name, v)
	}
	return n * 1000, nil
}

// callsPage is the call library. Every order is the catalog's, over an
// index, so that the pages of any order walk the whole library.
func (s *Server) callsPage(c echo.Context) error {
	q, f, err := readLibraryQuery(c)
	v := libraryView{Query: q}
	if err := s.libraryLists(c, &v); err != nil {
		return s.webFail(c, "list agents and teams", err)
	}
	if err != nil {
		return s.render(c, http.StatusBadRequest, "calls", pageData{Title: "Calls", Nav: "calls",
			Problem: err.Error(), Page: v})
	}
	// One more than shown tells whether there is a next page.
	f.Limit = webPageSize + 1
	began := time.Now()
	calls, err := s.cfg.QA.Library(c.Request().Context(), caller(c), f)
	v.Took = time.Since(began)
	if errors.Is(err, catalog.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, q.link("", q["sort"]))
	}
	if err != nil {
		return s.webQAError(c, "list calls", err)
	}
	if len(calls) > webPageSize {
		calls = calls[:webPageSize]
		v.Next = q.nextLink(calls[webPageSize-1].ID)
	}
	for i := range calls {
		v.Calls = append(v.Calls, libraryRow{LibraryCall: calls[i], Parties: partyNames(&calls[i].Call)})
	}
	if q["after"] != "" {
		v.First = q.link("", q["sort"])
		v.Prev = q.prevLink()
	}
	v.Columns = q.columnSorts()
	for _, so := range librarySorts {
		v.Sorts = append(v.Sorts, sortLink{Label: so.label, URL: q.link("", so.param),
			Current: so.order == f.Order})
	}
	return s.render(c, http.StatusOK, "calls", pageData{Title: "Calls", Nav: "calls", Page: v})
}

// libraryLists fills the agent and team lists of the filter form for
// those who see every call.
func (s *Server) libraryLists(c echo.Context, v *libraryView) error {
	if !caller(c).HasAny(scoringRole...) {
		return nil
	}
	ctx := c.Request().Context()
	var err error
	if v.Agents, err = s.cfg.QA.ListAgents(ctx, qa.AgentFilter{Inactive: true}); err != nil {
		return err
	}
	v.Teams, err = s.cfg.QA.ListTeams(ctx)
	return err
}
