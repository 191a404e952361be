package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// Notices of the draw page after a call was taken out, by the notice
// query parameter the redirect sets.
var drawNotices = map[string]string{
	"replaced": "The call was taken out of the draw and another call of the same agent, " +
		"from the same day where there was one, put in its place.",
	"removed": "The call was taken out of the draw. No other eligible call of that agent was " +
		"left in the period, so their shortfall grew by one.",
}

// drawReplace takes one sampled call out of a stored draw, for the reason
// the manager gave (a wrong number, a call the agent barely spoke in), and
// lets qa put another call of the same agent in its place.
func (s *Server) drawReplace(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return s.webError(c, http.StatusNotFound, "There is no such draw.")
	}
	callID, reason := c.FormValue("call_id"), strings.TrimSpace(c.FormValue("reason"))
	res, err := s.cfg.QA.ReplaceItem(c.Request().Context(), caller(c), id, callID, reason)
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		return s.renderDraw(c, http.StatusBadRequest, id, "Not taken out: "+in.Msg+".")
	case errors.Is(err, qa.ErrConflict):
		return s.renderDraw(c, http.StatusConflict, id, "Not taken out: "+qaMessage(err)+
			". A call whose evaluation has begun stays in the draw; its reviewer can mark questions N/A.")
	case errors.Is(err, qa.ErrNotFound):
		return s.renderDraw(c, http.StatusNotFound, id, "Not taken out: "+qaMessage(err)+
			". The page below shows the draw as it is now.")
	case err != nil:
		return s.webQAError(c, "replace draw item", err)
	}
	detail := map[string]any{"call_id": callID, "reason": reason}
	notice := "removed"
	if len(res.Replacement) > 0 {
		detail["replacement"] = res.Replacement[0].CallID
		notice = "replaced"
	}
	if err := s.audit(c, qa.ActionChange, "draw", fmt.Sprint(id), detail); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sampling/draws/%d?notice=%s#draw-calls", id, notice))
}

// qaMessage is the text of a qa error without the sentinel qa wraps it
// around ("...: qa: conflict"), for a page to show.
func qaMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": qa: "); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
