package ui

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// auditRow is one entry of the page, with the sentence that tells it.
type auditRow struct {
	qa.AuditRecord
	// Who, Verb and Object make the sentence; Link opens the object when
	// it has a page.
	Who, Verb, Object, Link string
	When                    string
	// Extra is the entry's detail in words, empty for none.
	Extra string
}

// auditVerbs are the actions in the past tense.
var auditVerbs = map[string]string{
	qa.ActionPlay: "played", qa.ActionDownload: "downloaded", qa.ActionScore: "scored",
	qa.ActionCreate: "created", qa.ActionChange: "changed", qa.ActionDelete: "deleted",
	qa.ActionRevoke: "revoked", qa.ActionLogin: "signed in", qa.ActionLoginFailed: "failed to sign in",
	qa.ActionLogout: "signed out",
}

// auditRowOf tells an entry as a sentence: "rita played call 01J... at
// 2026-03-02 09:31:05 UTC".
func auditRowOf(r qa.AuditRecord) auditRow {
	row := auditRow{AuditRecord: r, Who: r.Username, Verb: auditVerbs[r.Action],
		When: auditClock(r.At), Extra: auditDetail(r.Detail)}
	if row.Who == "" {
		row.Who = "the system"
	}
	if row.Verb == "" {
		row.Verb = r.Action
	}
	switch r.Action {
	case qa.ActionLogin, qa.ActionLoginFailed, qa.ActionLogout:
		// The object is the session, which says nothing more.
	default:
		row.Object = strings.ReplaceAll(r.ObjectType, "_", " ")
		if r.ObjectID != "" {
			row.Object += " " + r.ObjectID
		}
	}
	switch r.ObjectType {
	case "call":
		row.Link = "/calls/" + r.ObjectID
	case "dispute":
		row.Link = "/disputes/" + r.ObjectID
	}
	return row
}

// Sentence is the whole entry in words, as the CSV gives it.
func (r auditRow) Sentence() string {
	s := r.Who + " " + r.Verb
	if r.Object != "" {
		s += " " + r.Object
	}
	s += " at " + r.When
	if r.Extra != "" {
		s += " (" + r.Extra + ")"
	}
	return s
}

// auditDetail shows an entry's detail as "key value" pairs in key order.
func auditDetail(d map[string]any) string {
	keys := slices.Sorted(maps.Keys(d))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		var v string
		switch x := d[k].(type) {
		case string:
			v = x
		case float64: // JSON numbers; scores need no more than two decimals
			v = strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		out = append(out, strings.ReplaceAll(k, "_", " ")+" "+v)
	}
	return strings.Join(out, ", ")
}

// auditCSV writes every entry f selects as CSV, newest first, paging
// through the log so that a long one is not held in memory.
func (s *Server) auditCSV(c echo.Context, f qa.AuditFilter) error {
	ctx := c.Request().Context()
	f.Limit, f.BeforeID = qa.MaxAuditLimit, 0
	recs, err := s.cfg.QA.ListAudit(ctx, f)
	if err != nil {
		return s.webQAError(c, "audit log", err)
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="earshot-audit-%s.csv"`,
		time.Now().UTC().Format("20060102-150405")))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "at", "user_id", "username", "action", "object_type", "object_id",
		"detail", "remote_addr", "description"})
	for len(recs) > 0 {
		for _, r := range recs {
			row := auditRowOf(r)
			detail, _ := json.Marshal(r.Detail)
			_ = w.Write(csvSafe([]string{strconv.FormatInt(r.ID, 10), r.At.Format(time.RFC3339Nano),
				formatUserID(r.UserID), r.Username, r.Action, r.ObjectType, r.ObjectID,
				string(detail), r.RemoteAddr, row.Sentence()}))
		}
		if len(recs) < f.Limit {
			break
		}
		f.BeforeID = recs[len(recs)-1].ID
		if recs, err = s.cfg.QA.ListAudit(ctx, f); err != nil {
			// The header is sent: all that is left is to stop and log.
			s.cfg.Log.Error("audit csv cut short", "err", err)
			break
		}
	}
	w.Flush()
	return w.Error()
}

func formatUserID(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: user
// names, object ids and details come from users.
func csvSafe(cells []string) []string {
	for i, v := range cells {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			cells[i] = "'" + v
		}
	}
	return cells
}
