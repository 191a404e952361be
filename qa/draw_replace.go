package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
)

// maxReasonLen bounds a replacement's reason.
const maxReasonLen = 2000

// ReplaceResult is what ReplaceItem did.
type ReplaceResult struct {
	// Replaced are the reviews of the call taken out: its first review
	// and, if it had one, its second.
	Replaced []DrawItem `json:"replaced"`
	// Replacement are the reviews of the call that took its place, with
	// the same reviewers; empty when the agent had no eligible call left.
	Replacement []DrawItem `json:"replacement"`
}

// drawState is a stored draw as a replacement needs it.
type drawState struct {
	id     int64
	params DrawParams
	report DrawReport
	src    *mrand.PCG
}

// ReplaceItem takes a sampled call out of a draw, keeping the reason, and
// puts in its place another eligible call of the same agent, from the same
// day if there is one. The replacement is drawn from the draw's random
// stream, continued where the draw or the previous replacement left it, so
// the same replacements of the same draw pick the same calls. A call whose
// evaluation was submitted or started is ErrConflict; an untouched draft
// is deleted. With no eligible call left the call is removed and the
// agent's shortfall grows.
func (s *Service) ReplaceItem(
	ctx context.Context,
	caller *User,
	drawID int64,
	callID, reason string,
) (*ReplaceResult, error) {
	if err := samplingStaff(caller, "replacing a sampled call"); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, &InputError{Field: "reason", Msg: "say why the call is replaced; the reason is kept"}
	}
	if len(reason) > maxReasonLen {
		return nil, &InputError{Field: "reason", Msg: fmt.Sprintf("keep it under %d bytes", maxReasonLen)}
	}
	job := replaceJob{caller: caller, drawID: drawID, callID: callID, reason: reason}
	var res *ReplaceResult
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.replaceTx(ctx, tx, job)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("sampled call replaced", "draw_id", drawID, "call_id", callID,
		"replacements", len(res.Replacement), "user_id", caller.ID)
	return res, nil
}

// replaceJob is one replacement asked for.
type replaceJob struct {
	caller *User
	drawID int64
	callID string
	reason string
}

func (s *Service) replaceTx(ctx context.Context, tx *sql.Tx, job replaceJob) (*ReplaceResult, error) {
	st, err := loadDrawState(ctx, tx, job.drawID)
	if err != nil {
		return nil, err
	}
	old, err := liveItems(ctx, tx, job.drawID, job.callID)
	if err != nil {
		return nil, err
	}
	if err := releaseEvaluations(ctx, tx, old); err != nil {
		return nil, err
	}
	pick, err := st.pickReplacement(ctx, tx, old[0])
	if err != nil {
		return nil, err
	}
	if err := s.markReplaced(ctx, tx, job, pick); err != nil {
		return nil, err
	}
	res := &ReplaceResult{Replacement: []DrawItem{}}
	if pick != nil {
		w := itemWrite{drawID: job.drawID, caller: job.caller, def: &st.params.Plan,
			days: st.params.Period.Days}
		if res.Replacement, err = s.insertReplacements(ctx, tx, w, old, *pick); err != nil {
			return nil, err
		}
	}
	st.report.recordReplacement(old, pick, st.params.Period.Days)
	if err := st.save(ctx, tx); err != nil {
		return nil, err
	}
	// Read the old items back, so that the answer shows the reason stored.
	res.Replaced, err = readItems(ctx, tx, old)
	return res, err
}

func loadDrawState(ctx context.Context, tx *sql.Tx, drawID int64) (*drawState, error) {
	st := &drawState{id: drawID, src: &mrand.PCG{}}
	var params, report string
	var state []byte
	err := tx.QueryRowContext(ctx, `SELECT params, report, rng_state FROM draws WHERE id = ?`, drawID).
		Scan(&params, &report, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("draw %d: %w", drawID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read draw %d: %w", drawID, err)
	}
	if err := json.Unmarshal([]byte(params), &st.params); err != nil {
		return nil, fmt.Errorf("decode draw %d: %w", drawID, err)
	}
	if err := json.Unmarshal([]byte(report), &st.report); err != nil {
		return nil, fmt.Errorf("decode draw %d: %w", drawID, err)
	}
	if err := st.src.UnmarshalBinary(state); err != nil {
		return nil, fmt.Errorf("restore random state of draw %d: %w", drawID, err)
	}
	return st, nil
}

// save stores the report and the random stream's new position.
func (st *drawState) save(ctx context.Context, tx *sql.Tx) error {
	report, err := json.Marshal(st.report)
	if err != nil {
		return fmt.Errorf("update draw %d: %w", st.id, err)
	}
	state, err := st.src.MarshalBinary()
	if err != nil {
		return fmt.Errorf("update draw %d: %w", st.id, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE draws SET report = ?, rng_state = ? WHERE id = ?`,
		report, state, st.id)
	if err != nil {
		return fmt.Errorf("update draw %d: %w", st.id, err)
	}
	return nil
}

// liveItems returns the reviews of a call still in a draw.
func liveItems(ctx context.Context, tx *sql.Tx, drawID int64, callID string) ([]DrawItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM draw_items
		WHERE draw_id = ? AND call_id = ? ORDER BY second_review`, drawID, callID)
	if err != nil {
		return nil, fmt.Errorf("read draw %d: %w", drawID, err)
	}
	defer rows.Close()
	var live []DrawItem
	seen := false
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("read draw %d: %w", drawID, err)
		}
		seen = true
		if it.Replaced == nil {
			live = append(live, it)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read draw %d: %w", drawID, err)
	}
	switch {
	case !seen:
		return nil, fmt.Errorf("call %s in draw %d: %w", callID, drawID, ErrNotFound)
	case len(live) == 0:
		return nil, fmt.Errorf("call %s was already replaced in draw %d: %w", callID, drawID, ErrConflict)
	}
	return live, nil
}

// readItems reads items again by id.
func readItems(ctx context.Context, tx *sql.Tx, items []DrawItem) ([]DrawItem, error) {
	out := make([]DrawItem, 0, len(items))
	for _, it := range items {
		got, err := readItem(ctx, tx, it.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

func readItem(ctx context.Context, tx *sql.Tx, id int64) (DrawItem, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM draw_items WHERE id = ?`, id)
	it, err := scanItem(row)
	if err != nil {
		return it, fmt.Errorf("read draw item %d: %w", id, err)
	}
	return it, nil
}
