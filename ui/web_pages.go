package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/storage"
	"earshot/storage/catalog"
)

func (s *Server) mountWebPages(g *echo.Group) {
	g.GET("/queue", s.page(scoringRole, s.queuePage))
	g.GET("/agent", s.page([]qa.Role{qa.RoleAgent}, s.agentPage))
	g.POST("/web/form-versions/:id/score-preview", s.webJSON(scoringRole, s.scorePreview))
}

// queueItem is one row of the review queue.
type queueItem struct {
	Evaluation qa.Evaluation
	Form       string
	// Call is nil when the call is no longer in the catalog.
	Call    *catalog.Call
	Overdue bool
}

func (s *Server) queuePage(c echo.Context) error {
	ctx := c.Request().Context()
	evs, err := s.cfg.QA.Queue(ctx, caller(c))
	if err != nil {
		return s.webQAError(c, "review queue", err)
	}
	forms, err := s.formNames(ctx)
	if err != nil {
		return s.webFail(c, "list forms", err)
	}
	now := time.Now()
	items := make([]queueItem, 0, len(evs))
	for _, ev := range evs {
		it := queueItem{Evaluation: ev, Form: forms[ev.FormID],
			Overdue: ev.DueAt != nil && ev.DueAt.Before(now)}
		if s.cfg.Calls != nil {
			call, err := s.cfg.Calls.Get(ctx, ev.CallID)
			if err != nil && !errors.Is(err, catalog.ErrNotFound) {
				return s.webFail(c, "get call", err)
			}
			it.Call = call
		}
		items = append(items, it)
	}
	return s.render(c, http.StatusOK, "queue", pageData{Title: "My queue", Nav: "queue", Page: items})
}

// formNames maps form ids to names.
func (s *Server) formNames(ctx context.Context) (map[int64]string, error) {
	forms, err := s.cfg.QA.ListForms(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(forms))
	for _, f := range forms {
		out[f.ID] = f.Name
	}
	return out, nil
}

// webClock shows a time in UTC to the minute; the zero time is empty.
func webClock(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04")
	case *time.Time:
		if v == nil {
			return ""
		}
		return webClock(*v)
	}
	return ""
}

// webDuration shows milliseconds as m:ss, or h:mm:ss past an hour.
func webDuration(ms int64) string {
	sec := ms / 1000
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// webPercent shows a score; nil (all N/A, or not scored) is a dash.
func webPercent(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", *p)
}

// partyName is how a participant is shown: the display name, else the
// SIP address.
func partyName(p storage.Participant) string {
	if p.Name != "" {
		return p.Name
	}
	if p.SIPAddress != "" {
		return p.SIPAddress
	}
	return "unknown"
}

// partyNames lists a call's participants for a table cell.
func partyNames(call *catalog.Call) string {
	names := make([]string, 0, len(call.Participants))
	for _, p := range call.Participants {
		names = append(names, partyName(p))
	}
	return strings.Join(names, " ↔ ")
}
