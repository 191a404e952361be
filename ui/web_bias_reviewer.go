package ui

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// biasReviewerView is one reviewer's deviation from the reference,
// session by session: whether calibration brings them into line.
type biasReviewerView struct {
	D         *qa.ReviewerDeviation
	Rows      []biasDeviationRow
	Chart     template.HTML
	CanSeeAll bool
}

// biasDeviationRow is one session of the reviewer's, worded.
type biasDeviationRow struct {
	SessionID              int64
	Title, When, Reference string
	Calls, Within, Outside int
	Mean, MeanAbs, Matched string
	Tolerance              float64
}

func (s *Server) biasReviewerPage(c echo.Context) error {
	u := caller(c)
	id, err := formPathID(c, "reviewer")
	if err != nil {
		return s.webQAError(c, "reviewer deviation", err)
	}
	d, err := s.cfg.QA.ReviewerDeviation(c.Request().Context(), u, id)
	if err != nil {
		return s.webQAError(c, "reviewer deviation", err)
	}
	v := biasReviewerView{D: d, CanSeeAll: u.HasAny(staff...)}
	var points []calLineIn
	for _, p := range d.Sessions {
		row := biasDeviationRow{SessionID: p.SessionID, Title: p.Title, When: webClock(p.RevealedAt),
			Reference: p.Reference, Calls: p.Calls, Within: p.Within, Outside: p.Outside,
			Mean: calPoints(p.MeanDeviation), MeanAbs: "–", Matched: "–", Tolerance: p.Tolerance}
		if p.MeanAbsDeviation != nil {
			row.MeanAbs = fmt.Sprintf("%.1f", *p.MeanAbsDeviation)
		}
		if p.MatchedShare != nil {
			row.Matched = calShare(*p.MatchedShare)
		}
		v.Rows = append(v.Rows, row)
		points = append(points, calLineIn{Label: p.RevealedAt.UTC().Format("Jan 2"),
			Tip:   fmt.Sprintf("%s: mean deviation %s points", p.Title, row.Mean),
			Value: p.MeanDeviation, Tolerance: p.Tolerance})
	}
	if len(points) > 0 {
		ch := newCalLineChart("deviation-trend", "Mean deviation from the reference, by session",
			"Each point is the reviewer's mean deviation in points in one session, oldest first; "+
				"the shaded band is the session's tolerance around 0.", points)
		if v.Chart, err = s.renderChart("linechart", ch); err != nil {
			return s.webFail(c, "deviation chart", err)
		}
	}
	nav := "calibration"
	if v.CanSeeAll {
		nav = "bias"
	}
	return s.render(c, http.StatusOK, "bias_reviewer", pageData{
		Title: "Deviation of " + d.Username, Nav: nav, Page: v})
}
