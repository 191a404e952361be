package qa

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// wavHeaderMax is the largest WAV header the recorder writes (G.711, with
// its fact chunk): a recording no larger holds no audio.
const wavHeaderMax = 58

// sqlWhere collects the conditions of a query and their arguments.
type sqlWhere struct {
	conds []string
	args  []any
}

func (w *sqlWhere) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// String joins the conditions with AND.
func (w *sqlWhere) String() string { return strings.Join(w.conds, " AND ") }

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// drawAgents returns the active agents the filters choose, by id.
func drawAgents(ctx context.Context, tx *sql.Tx, f PlanFilters) ([]drawAgent, error) {
	w := &sqlWhere{}
	w.add("active = 1")
	if len(f.TeamIDs)+len(f.AgentIDs) > 0 {
		// "0" keeps the IN lists valid SQL when one of them is empty; no
		// row has id 0.
		teams := append([]any{int64(0)}, int64Args(f.TeamIDs)...)
		agents := append([]any{int64(0)}, int64Args(f.AgentIDs)...)
		w.add("(team_id IN ("+placeholders(len(teams))+") OR id IN ("+placeholders(len(agents))+"))",
			append(teams, agents...)...)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM agents WHERE `+w.String()+` ORDER BY id`,
		w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []drawAgent
	for rows.Next() {
		var a drawAgent
		if err := rows.Scan(&a.id, &a.name); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// eligibleSpec says which calls a draw may pick.
type eligibleSpec struct {
	def    *PlanDefinition
	period DrawPeriod
	agents []int64
	// excludeDraw, if not zero, leaves out the calls already in that draw.
	excludeDraw int64
}

// where returns the conditions on calls c and their attribution ca.
func (sp eligibleSpec) where() *sqlWhere {
	f := sp.def.Filters
	w := &sqlWhere{}
	w.add("ca.agent_id IN ("+placeholders(len(sp.agents))+")", int64Args(sp.agents)...)
	start, end := sp.period.Start, sp.period.End
	if f.From != nil && f.From.After(start) {
		start = *f.From
	}
	if f.To != nil && f.To.Before(end) {
		end = *f.To
	}
	w.add("c.started_at >= ? AND c.started_at < ?", start.UnixMilli(), end.UnixMilli())
	if f.Direction != "" {
		w.add("ca.direction = ?", f.Direction)
	}
	if f.MinDurationMS > 0 {
		w.add("c.duration_ms >= ?", f.MinDurationMS)
	}
	if f.MaxDurationMS > 0 {
		w.add("c.duration_ms <= ?", f.MaxDurationMS)
	}
	if f.RecordingPresent {
		w.add("c.audio_bytes > ? AND c.duration_ms > 0", wavHeaderMax)
	}
	if f.NotEvaluated {
		w.add(`NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.call_id = c.id AND e.calibration = 0)
			AND NOT EXISTS (SELECT 1 FROM draw_items di WHERE di.call_id = c.id)`)
	}
	for _, tf := range f.Talk {
		// Column and operator come from allowlists (PlanFilters.check).
		w.add(talkColumns[tf.Metric]+" "+tf.Op+" ?", tf.Value)
	}
	if sp.excludeDraw != 0 {
		w.add("c.id NOT IN (SELECT call_id FROM draw_items WHERE draw_id = ?)", sp.excludeDraw)
	}
	return w
}

// eligibleCalls returns the calls a draw may pick, by agent, each agent's
// in order of start then id: the fixed order that makes a draw
// reproducible.
func eligibleCalls(ctx context.Context, tx *sql.Tx, sp eligibleSpec) (map[int64][]candidate, error) {
	out := map[int64][]candidate{}
	if len(sp.agents) == 0 {
		return out, nil
	}
	loc, err := sp.def.location()
	if err != nil {
		return nil, err
	}
	days := sp.period.dayIndex()
	w := sp.where()
	rows, err := tx.QueryContext(ctx, `SELECT ca.agent_id, c.id, c.started_at
		FROM calls c JOIN call_agents ca ON ca.call_id = c.id
		WHERE `+w.String()+` ORDER BY ca.agent_id, c.started_at, c.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var agent int64
		var c candidate
		if err := rows.Scan(&agent, &c.callID, &c.startedAt); err != nil {
			return nil, err
		}
		day, ok := days[time.UnixMilli(c.startedAt).In(loc).Format(dayLayout)]
		if !ok {
			continue // cannot happen: the query keeps calls within the period
		}
		c.day = day
		out[agent] = append(out[agent], c)
	}
	return out, rows.Err()
}
