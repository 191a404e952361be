package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
)

// releaseEvaluations deletes the untouched draft evaluations of items
// being replaced, and refuses when a reviewer has already worked on one.
func releaseEvaluations(ctx context.Context, tx *sql.Tx, items []DrawItem) error {
	for _, it := range items {
		if it.EvaluationID == nil {
			continue
		}
		var status, answers, comment string
		err := tx.QueryRowContext(ctx, `SELECT status, answers, overall_comment FROM evaluations
			WHERE id = ?`, *it.EvaluationID).Scan(&status, &answers, &comment)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read evaluation %d: %w", *it.EvaluationID, err)
		}
		if status != "draft" || (answers != "{}" && answers != "") || comment != "" {
			return fmt.Errorf("call %s: its evaluation %d is under way; it can no longer be replaced: %w",
				it.CallID, *it.EvaluationID, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM evaluations WHERE id = ?`, *it.EvaluationID); err != nil {
			return fmt.Errorf("delete draft evaluation %d: %w", *it.EvaluationID, err)
		}
	}
	return nil
}

// pickReplacement draws another eligible call of old's agent, preferring
// old's day so that the spread over days holds; nil when none is left.
// Eligibility is judged now, with the plan as the draw stored it.
func (st *drawState) pickReplacement(ctx context.Context, tx *sql.Tx, old DrawItem) (*candidate, error) {
	spec := eligibleSpec{def: &st.params.Plan, period: st.params.Period,
		agents: []int64{old.AgentID}, excludeDraw: st.id}
	byAgent, err := eligibleCalls(ctx, tx, spec)
	if err != nil {
		return nil, fmt.Errorf("find a replacement in draw %d: %w", st.id, err)
	}
	all := byAgent[old.AgentID]
	day := st.params.Period.dayIndex()[old.Day]
	from := slices.DeleteFunc(slices.Clone(all), func(c candidate) bool { return c.day != day })
	if len(from) == 0 {
		from = all
	}
	if len(from) == 0 {
		return nil, nil
	}
	c := from[mrand.New(st.src).IntN(len(from))]
	return &c, nil
}

// markReplaced records on the old items why, when and by whom they were
// taken out, and what took their place.
func (s *Service) markReplaced(ctx context.Context, tx *sql.Tx, job replaceJob, pick *candidate) error {
	var by any
	if pick != nil {
		by = pick.callID
	}
	_, err := tx.ExecContext(ctx, `UPDATE draw_items SET replaced_at = ?, replaced_by_call = ?,
		replace_reason = ?, replaced_by_user = ?
		WHERE draw_id = ? AND call_id = ? AND replaced_at IS NULL`,
		s.nowMS(), by, job.reason, job.caller.ID, job.drawID, job.callID)
	if err != nil {
		return fmt.Errorf("replace call %s in draw %d: %w", job.callID, job.drawID, err)
	}
	return nil
}

// insertReplacements stores the reviews of the new call, one per review of
// the old call, with the same reviewers.
func (s *Service) insertReplacements(ctx context.Context, tx *sql.Tx, w itemWrite, old []DrawItem,
	pick candidate) ([]DrawItem, error) {
	var out []DrawItem
	for _, it := range old {
		c := drawnCall{agentID: it.AgentID, cand: pick, second: it.SecondReview}
		if it.ReviewerID != nil {
			c.reviewer = &poolMember{userID: *it.ReviewerID}
		}
		id, err := s.insertItem(ctx, tx, w, c)
		if err != nil {
			return nil, err
		}
		got, err := readItem(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

// recordReplacement brings the report up to date after old was taken out
// and pick, if any, put in.
func (r *DrawReport) recordReplacement(old []DrawItem, pick *candidate, days []string) {
	i := slices.IndexFunc(r.Agents, func(a AgentDraw) bool { return a.AgentID == old[0].AgentID })
	if i < 0 {
		return
	}
	ag := &r.Agents[i]
	ag.addDrawn(old[0].Day, -1)
	if pick != nil {
		ag.Replaced++
		ag.addDrawn(days[pick.day], 1)
		return
	}
	ag.Removed++
	ag.Drawn--
	ag.Shortfall++
	r.Drawn--
	r.Shortfall++
	for _, it := range old {
		r.releaseReviewer(it)
	}
}

// addDrawn counts n more calls drawn on day; a call indexed after the
// draw may fall on a day that had no eligible call then.
func (ag *AgentDraw) addDrawn(day string, n int) {
	for i := range ag.Days {
		if ag.Days[i].Day == day {
			ag.Days[i].Drawn += n
			return
		}
	}
	ag.Days = append(ag.Days, DayCount{Day: day, Drawn: n})
	slices.SortFunc(ag.Days, func(a, b DayCount) int { return strings.Compare(a.Day, b.Day) })
}

// releaseReviewer gives back the review of a removed item.
func (r *DrawReport) releaseReviewer(it DrawItem) {
	if it.ReviewerID == nil {
		r.Unassigned--
		return
	}
	for i := range r.Reviewers {
		if r.Reviewers[i].UserID == *it.ReviewerID {
			r.Reviewers[i].Assigned--
			if it.SecondReview {
				r.Reviewers[i].SecondReviews--
				r.SecondReviews--
			}
		}
	}
}
