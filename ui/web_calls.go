package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/storage"
	"earshot/storage/catalog"
)

// webPageSize is how many calls the library shows at once.
const webPageSize = 50

// webTimeLayout is what an <input type="datetime-local"> sends; the
// library reads and shows times in UTC.
const webTimeLayout = "2006-01-02T15:04"

func (s *Server) mountWebCalls(g *echo.Group) {
	g.GET("/calls", s.page(qa.AllRoles, s.callsPage))
	g.GET("/calls/:id", s.page(qa.AllRoles, s.callPage))
	g.POST("/calls/:id/evaluations", s.page(scoringRole, s.startEvaluation))
	g.POST("/evaluations/:id/submit", s.page(scoringRole, s.submitPage))
}

// libraryQuery is the library's filter as the form sends it, kept to
// fill the form again and to build the paging and sorting links.
type libraryQuery struct {
	From, To    string
	Participant string
	// MinSec and MaxSec bound the duration in seconds.
	MinSec, MaxSec string
	After          string
	Sort           string
}

// link returns the library URL of q with its cursor and sort replaced.
func (q libraryQuery) link(after, sort string) string {
	v := url.Values{}
	for k, val := range map[string]string{"from": q.From, "to": q.To, "participant": q.Participant,
		"min_sec": q.MinSec, "max_sec": q.MaxSec, "after": after, "sort": sort} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if len(v) == 0 {
		return "/calls"
	}
	return "/calls?" + v.Encode()
}

// libraryView is the call library page.
type libraryView struct {
	Query libraryQuery
	Calls []catalog.Call
	// Next is the link to the next page, empty on the last; First the
	// link back to the first page, empty on it.
	Next, First string
	// SortLinks switch the order of the page's rows.
	SortNewest, SortOldest, SortLongest string
}

func readLibraryQuery(c echo.Context) (libraryQuery, catalog.ListFilter, error) {
	q := libraryQuery{From: c.QueryParam("from"), To: c.QueryParam("to"),
		Participant: c.QueryParam("participant"), MinSec: c.QueryParam("min_sec"),
		MaxSec: c.QueryParam("max_sec"), After: c.QueryParam("after"), Sort: c.QueryParam("sort")}
	f := catalog.ListFilter{Participant: q.Participant, After: q.After}
	var err error
	if f.From, err = webTime("from", q.From); err != nil {
		return q, f, err
	}
	if f.To, err = webTime("to", q.To); err != nil {
		return q, f, err
	}
	if f.MinDurationMS, err = webSeconds("shortest", q.MinSec); err != nil {
		return q, f, err
	}
	if f.MaxDurationMS, err = webSeconds("longest", q.MaxSec); err != nil {
		return q, f, err
	}
	switch q.Sort {
	case "", "newest", "oldest", "longest":
	default:
		return q, f, fmt.Errorf("sort %q: use newest, oldest or longest", q.Sort)
	}
	return q, f, nil
}

func webTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(webTimeLayout, v, time.UTC)
	if err != nil {
		return t, fmt.Errorf("%s %q: want a date and time such as 2026-12-03T09:00", name, v)
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

// callsPage is the call library. The catalog pages newest first by its
// cursor; sort reorders the rows of the page shown.
//
// TODO: "oldest first" and "longest first" reorder one page only, since
// the catalog lists newest first and nothing else; sorting the whole
// library needs an order in catalog.ListFilter. The filters by agent,
// team, direction, evaluated or not and talk metrics are missing too.
func (s *Server) callsPage(c echo.Context) error {
	q, f, err := readLibraryQuery(c)
	if err != nil {
		return s.render(c, http.StatusBadRequest, "calls", pageData{Title: "Calls", Nav: "calls",
			Problem: err.Error(), Page: libraryView{Query: q}})
	}
	// One more than shown tells whether there is a next page.
	f.Limit = webPageSize + 1
	calls, err := s.listVisible(c, f)
	if errors.Is(err, catalog.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, q.link("", q.Sort))
	}
	if err != nil {
		return s.webQAError(c, "list calls", err)
	}
	v := libraryView{Query: q, Calls: calls}
	if len(calls) > webPageSize {
		v.Calls = calls[:webPageSize]
		v.Next = q.link(v.Calls[webPageSize-1].ID, q.Sort)
	}
	if q.After != "" {
		v.First = q.link("", q.Sort)
	}
	v.SortNewest, v.SortOldest = q.link(q.After, ""), q.link(q.After, "oldest")
	v.SortLongest = q.link(q.After, "longest")
	sortCalls(v.Calls, q.Sort)
	return s.render(c, http.StatusOK, "calls", pageData{Title: "Calls", Nav: "calls", Page: v})
}

func sortCalls(calls []catalog.Call, order string) {
	switch order {
	case "oldest":
		slices.SortStableFunc(calls, func(a, b catalog.Call) int {
			return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.ID, b.ID))
		})
	case "longest":
		slices.SortStableFunc(calls, func(a, b catalog.Call) int {
			return cmp.Compare(b.DurationMS, a.DurationMS)
		})
	}
}

// callView is the call page: the player and, beside it, the scoring.
type callView struct {
	Call *catalog.Call
	// Lanes are the two channels, left first, as the player labels them.
	Lanes [2]lane
	DTMF  []storage.DTMFEvent
	// Pauses are the spans when recording was paused.
	Pauses []storage.Interval
	// MarksMissing is set when the sidecar, which holds the marks, could
	// not be read: the page says so instead of showing no marks.
	MarksMissing bool
	Player       playerData
	Scoring      *scoringView
}

// lane is one channel of the recording.
type lane struct {
	Role string // "Agent" or "Customer"
	Name string
}

// playerData is what the player script reads from the page.
type playerData struct {
	CallID       string      `json:"call_id"`
	AudioURL     string      `json:"audio_url"`
	DurationMS   int64       `json:"duration_ms"`
	AgentChannel int         `json:"agent_channel"`
	Marks        []timedMark `json:"marks"`
}

// timedMark is a DTMF digit or a pause on the timeline.
type timedMark struct {
	Kind    string `json:"kind"` // "dtmf" or "pause"
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	Label   string `json:"label"`
}

func (s *Server) callPage(c echo.Context) error {
	a := callPageArgs{callID: c.Param("id"), code: http.StatusOK}
	if p := c.QueryParam("evaluation"); p != "" {
		var err error
		if a.evaluationID, err = strconv.ParseInt(p, 10, 64); err != nil || a.evaluationID <= 0 {
			return s.webError(c, http.StatusNotFound, "There is no evaluation "+p+".")
		}
	}
	return s.renderCall(c, a)
}

// callPageArgs say what the call page shows.
type callPageArgs struct {
	callID string
	// evaluationID names the evaluation beside the player; zero picks
	// one (see pickEvaluation).
	evaluationID int64
	code         int
	// problem is shown at the top: a refused submission.
	problem string
}

// renderCall renders the call page.
func (s *Server) renderCall(c echo.Context, a callPageArgs) error {
	ctx := c.Request().Context()
	call, err := s.webCall(c, a.callID)
	switch {
	case errors.Is(err, catalog.ErrNotFound), errors.Is(err, qa.ErrNotFound):
		return s.webError(c, http.StatusNotFound, "There is no recorded call "+a.callID+".")
	case err != nil:
		return s.webQAError(c, "get call", err)
	}
	v := callView{Call: call}
	agentCh := s.agentChannel(ctx, call)
	v.Lanes = callLanes(call, agentCh)
	v.Player = playerData{CallID: call.ID, AudioURL: "/api/v1/calls/" + url.PathEscape(call.ID) + "/audio",
		DurationMS: call.DurationMS, AgentChannel: agentCh, Marks: []timedMark{}}
	if sc, err := s.readSidecar(ctx, call); err != nil {
		s.cfg.Log.Warn("call marks unavailable", "recording_id", call.ID, "object_key", call.SidecarKey,
			"err", err)
		v.MarksMissing = true
	} else {
		v.DTMF, v.Pauses = sc.DTMF, sc.Pauses
		v.Player.Marks = callMarks(sc)
	}
	if v.Scoring, err = s.scoring(c, call, a.evaluationID); err != nil {
		return s.webQAError(c, "load evaluation", err)
	}
	return s.render(c, a.code, "call", pageData{Title: "Call " + webClock(call.StartedAt),
		Nav: "calls", Problem: a.problem, Notice: submittedNotice(c, v.Scoring), Page: v})
}

// webCall returns a call the caller may see, by the same rule as the call
// API: an agent asking for another agent's call is told it does not exist.
func (s *Server) webCall(c echo.Context, id string) (*catalog.Call, error) {
	ctx := c.Request().Context()
	if err := s.cfg.QA.CallVisible(ctx, caller(c), id); err != nil {
		return nil, err
	}
	return s.cfg.Calls.Get(ctx, id)
}

func submittedNotice(c echo.Context, sv *scoringView) string {
	if c.QueryParam("submitted") == "" || sv == nil || sv.Evaluation == nil ||
		sv.Evaluation.Status != qa.StatusSubmitted {
		return ""
	}
	return "Evaluation submitted: " + webPercent(sv.Evaluation.Score) + "."
}

// agentChannel is the channel of the call's agent: the participant on the
// side the call's direction names (the callee of an inbound call). A call
// with no known agent side is taken to have the agent on the left, as
// recorders commonly put the recorded party there.
func (s *Server) agentChannel(ctx context.Context, call *catalog.Call) int {
	ca, err := s.cfg.QA.AgentOfCall(ctx, call.ID)
	if err != nil {
		return 0
	}
	sides := map[qa.Direction]string{qa.DirectionInbound: "callee", qa.DirectionOutbound: "caller"}
	role := sides[ca.Direction]
	for _, p := range call.Participants {
		if role != "" && p.Role == role && (p.Channel == 0 || p.Channel == 1) {
			return p.Channel
		}
	}
	return 0
}

func callLanes(call *catalog.Call, agentCh int) [2]lane {
	var out [2]lane
	for ch := range out {
		out[ch].Role = "Customer"
		if ch == agentCh {
			out[ch].Role = "Agent"
		}
	}
	for _, p := range call.Participants {
		if (p.Channel == 0 || p.Channel == 1) && out[p.Channel].Name == "" {
			out[p.Channel].Name = partyName(p)
		}
	}
	return out
}

// readSidecar reads a call's sidecar from the store: the DTMF digits and
// pauses are there, not in the catalog.
//
// TODO: this costs one object-store read per call page; indexing DTMF
// and pauses in the catalog would serve them from SQLite, and let the
// call API return them too.
func (s *Server) readSidecar(ctx context.Context, call *catalog.Call) (*storage.Sidecar, error) {
	if s.cfg.Store == nil || call.SidecarKey == "" {
		return nil, errors.New("no store or sidecar key")
	}
	rc, _, err := s.cfg.Store.Get(ctx, call.SidecarKey, nil)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 8<<20+1))
	if err != nil {
		return nil, err
	}
	return storage.UnmarshalSidecar(data)
}

func callMarks(sc *storage.Sidecar) []timedMark {
	out := []timedMark{}
	for _, d := range sc.DTMF {
		out = append(out, timedMark{Kind: "dtmf", StartMS: d.AtMS, EndMS: d.AtMS + d.DurationMS,
			Label: "DTMF " + d.Digit})
	}
	for _, p := range sc.Pauses {
		label := "Paused"
		if p.Reason != "" {
			label += " (" + p.Reason + ")"
		}
		out = append(out, timedMark{Kind: "pause", StartMS: p.StartMS, EndMS: p.EndMS, Label: label})
	}
	slices.SortFunc(out, func(a, b timedMark) int { return cmp.Compare(a.StartMS, b.StartMS) })
	return out
}

// startEvaluation starts the caller's draft of a call with the latest
// version of the form chosen, and opens it.
func (s *Server) startEvaluation(c echo.Context) error {
	formID, err := strconv.ParseInt(c.FormValue("form_id"), 10, 64)
	if err != nil || formID <= 0 {
		return s.webError(c, http.StatusBadRequest, "Choose a form to score with.")
	}
	ev, err := s.cfg.QA.CreateEvaluation(c.Request().Context(), caller(c),
		qa.NewEvaluation{CallID: c.Param("id"), FormID: formID})
	if err != nil {
		return s.webQAError(c, "start evaluation", err)
	}
	return c.Redirect(http.StatusSeeOther, evaluationLink(ev))
}

func evaluationLink(ev *qa.Evaluation) string {
	return fmt.Sprintf("/calls/%s?evaluation=%d", url.PathEscape(ev.CallID), ev.ID)
}
