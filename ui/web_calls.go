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
	g.POST("/evaluations/:id/coaching",
		s.page(s.apiRoleTable().of("POST /api/v1/coaching"), s.coachingAdd))
}

// callView is the call page: the player and, beside it, the scoring.
type callView struct {
	Call *catalog.Call
	// Lanes are the two channels, left first, as the player labels them.
	Lanes [2]lane
	// MarksMissing is set when the marks could not be had: the catalog
	// lacks the call's holds and its sidecar could not be read (see
	// fillHolds). The page says so instead of showing no marks.
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
	PeaksURL     string      `json:"peaks_url"`
	DurationMS   int64       `json:"duration_ms"`
	AgentChannel int         `json:"agent_channel"`
	Marks        []timedMark `json:"marks"`
}

// timedMark is a DTMF digit, a pause or a hold on the timeline.
type timedMark struct {
	Kind    string `json:"kind"` // "dtmf", "pause" or "hold"
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
	// coaching is a refused coaching form, shown again as typed.
	coaching *coachingForm
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
		PeaksURL:   "/api/v1/calls/" + url.PathEscape(call.ID) + "/peaks",
		DurationMS: call.DurationMS, AgentChannel: agentCh, Marks: []timedMark{}}
	if s.fillHolds(ctx, call) {
		v.Player.Marks = callMarks(call.Marks, v.Lanes)
	} else {
		v.MarksMissing = true
	}
	if v.Scoring, err = s.scoring(c, call, a.evaluationID); err != nil {
		return s.webQAError(c, "load evaluation", err)
	}
	if v.Scoring.Coaching, err = s.coachingPanel(c, v.Scoring, a.coaching); err != nil {
		return s.webQAError(c, "load coaching", err)
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

// fillHolds makes sure the call's marks are whole, and reports whether
// they are. The catalog has the marks of every call but the holds of calls
// indexed before it kept holds (catalog.Marks.HoldsUnknown): it cannot
// backfill those when it opens, as it does its search index, because their
// only source is the object store, which it is not given then. For those
// calls alone the holds are read from the sidecar, one store read per
// view, until a reindex puts them in the catalog. A failed read is logged.
func (s *Server) fillHolds(ctx context.Context, call *catalog.Call) bool {
	m := call.Marks
	if m == nil {
		return false
	}
	if !m.HoldsUnknown {
		return true
	}
	sc, err := s.readSidecar(ctx, call)
	if err != nil {
		s.cfg.Log.Warn("call holds unavailable", "recording_id", call.ID,
			"object_key", call.SidecarKey, "err", err)
		return false
	}
	m.Holds = append([]storage.Hold{}, sc.Holds...)
	m.HoldsUnknown = false
	return true
}

// readSidecar reads a call's sidecar from the store.
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

// callMarks are the call's marks on the timeline, in time order.
func callMarks(m *catalog.Marks, lanes [2]lane) []timedMark {
	out := []timedMark{}
	for _, d := range m.DTMF {
		out = append(out, timedMark{Kind: "dtmf", StartMS: d.AtMS, EndMS: d.AtMS + d.DurationMS,
			Label: "DTMF " + d.Digit})
	}
	for _, p := range m.Pauses {
		label := "Paused"
		if p.Reason != "" {
			label += " (" + p.Reason + ")"
		}
		out = append(out, timedMark{Kind: "pause", StartMS: p.StartMS, EndMS: p.EndMS, Label: label})
	}
	for _, h := range m.Holds {
		who := "A party"
		if h.Channel == 0 || h.Channel == 1 {
			who = lanes[h.Channel].Role
		}
		out = append(out, timedMark{Kind: "hold", StartMS: h.StartMS, EndMS: h.EndMS, Label: who + " on hold"})
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
