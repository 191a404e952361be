package ui

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/storage/catalog"
)

// libraryParamsAPI reads the API's filters beyond time, participant and
// duration: talk metrics, who took the call, and the order.
func libraryParamsAPI(c echo.Context, f *qa.LibraryFilter) error {
	var err error
	if f.MinOvertalkMS, err = queryNonNegative(c, "min_overtalk_ms"); err != nil {
		return err
	}
	if f.MinLongestSilenceMS, err = queryNonNegative(c, "min_longest_silence_ms"); err != nil {
		return err
	}
	if f.AgentID, err = queryNonNegative(c, "agent_id"); err != nil {
		return err
	}
	if f.TeamID, err = queryNonNegative(c, "team_id"); err != nil {
		return err
	}
	f.Direction = qa.Direction(c.QueryParam("direction"))
	switch v := c.QueryParam("evaluated"); v {
	case "":
	case "true", "false":
		yes := v == "true"
		f.Evaluated = &yes
	default:
		return fmt.Errorf("evaluated=%q: want true or false", v)
	}
	o := catalog.Order(c.QueryParam("order"))
	if o == "newest" {
		o = catalog.OrderNewest
	}
	if !o.Valid() {
		return fmt.Errorf("order=%q: want newest, oldest, longest, shortest, overtalk or silence", string(o))
	}
	f.Order = o
	return nil
}
