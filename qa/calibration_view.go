package qa

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// GetCalibration returns a session as the caller may see it: managers and
// admins see every session, a participant the sessions they score in;
// others get ErrForbidden. Each participant sees their own evaluations,
// and the others' answers and scores only once the session is revealed
// (or, with RevealOnSubmit, once they submitted all their own); until
// then the others' entries say only whether they are submitted. A
// manager who is not a participant is held to the same rule, so that
// what is said before the reveal cannot lean on anyone's answers.
func (s *Service) GetCalibration(
	ctx context.Context,
	caller *User,
	id int64,
) (*CalibrationSession, error) {
	cs, err := s.loadCalibration(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := cs.mayView(caller); err != nil {
		return nil, err
	}
	cs.redactFor(caller)
	return cs, nil
}

// mayView is the read rule of GetCalibration.
func (cs *CalibrationSession) mayView(caller *User) error {
	if caller.HasAny(RoleAdmin, RoleManager) || cs.participant(caller.ID) != nil {
		return nil
	}
	return fmt.Errorf("calibration session %d: not a participant: %w", cs.ID, ErrForbidden)
}

// participant returns the participant with the user id, or nil.
func (cs *CalibrationSession) participant(userID int64) *CalibrationParticipant {
	for i := range cs.Participants {
		if cs.Participants[i].UserID == userID {
			return &cs.Participants[i]
		}
	}
	return nil
}

// submittedAll reports whether the user submitted every call of the
// session.
func (cs *CalibrationSession) submittedAll(userID int64) bool {
	p := cs.participant(userID)
	return p != nil && p.Submitted == len(cs.Calls)
}

// othersVisibleTo reports whether caller may see every participant's
// answers.
func (cs *CalibrationSession) othersVisibleTo(caller *User) bool {
	if cs.RevealedAt != nil {
		return true
	}
	return cs.RevealOnSubmit && cs.submittedAll(caller.ID)
}

// redactFor withholds the others' answers from a caller who may not see
// them yet.
func (cs *CalibrationSession) redactFor(caller *User) {
	cs.AnswersVisible = cs.othersVisibleTo(caller)
	if cs.AnswersVisible {
		return
	}
	for i := range cs.Evaluations {
		e := &cs.Evaluations[i]
		if e.ReviewerID != caller.ID {
			e.Hidden, e.Score, e.Answers, e.CriticalFailed = true, nil, nil, false
		}
	}
}

// RevealCalibration ends the blind phase of a session: from now on every
// participant sees the others' answers, and the comparison is open.
// Evaluations still drafts may be submitted later, but are no longer
// blind, so the comparison leaves them out. A session is revealed once
// (ErrConflict after). Managers and admins only.
func (s *Service) RevealCalibration(
	ctx context.Context,
	caller *User,
	id int64,
) (*CalibrationSession, error) {
	if err := mayRunCalibration(caller); err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE calibration_sessions
		SET revealed_at = ?, revealed_by = ? WHERE id = ? AND revealed_at IS NULL`,
		s.nowMS(), caller.ID, id)
	if err != nil {
		return nil, fmt.Errorf("reveal calibration session %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("reveal calibration session %d: %w", id, err)
	} else if n == 0 {
		if _, err := s.loadCalibrationHead(ctx, id); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("calibration session %d is already revealed: %w", id, ErrConflict)
	}
	s.log.Info("calibration session revealed", "session_id", id, "user_id", caller.ID)
	s.auditQA(ctx, caller, ActionChange, "calibration_session", id,
		map[string]any{"revealed": true})
	return s.GetCalibration(ctx, caller, id)
}

// CalibrationSummary is one session in a list.
type CalibrationSummary struct {
	ID            int64      `json:"id"`
	Title         string     `json:"title"`
	FormID        int64      `json:"form_id"`
	FormVersionID int64      `json:"form_version_id"`
	BenchmarkID   *int64     `json:"benchmark_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	RevealedAt    *time.Time `json:"revealed_at,omitempty"`
	Calls         int        `json:"calls"`
	Participants  int        `json:"participants"`
	// Submitted counts the session's submitted evaluations, Expected all
	// of them (calls × participants).
	Submitted int `json:"submitted"`
	Expected  int `json:"expected"`
	// Pending is how many of the caller's own evaluations in the session
	// are still drafts: their assignments.
	Pending int `json:"pending"`
	// Participating is set when the caller scores in the session.
	Participating bool `json:"participating"`
}

// ListCalibrations returns the sessions the caller may see (see
// GetCalibration), newest first.
func (s *Service) ListCalibrations(
	ctx context.Context,
	caller *User,
) ([]CalibrationSummary, error) {
	if !caller.HasAny(scoringRoles...) {
		return nil, fmt.Errorf("calibration sessions: needs the reviewer role: %w", ErrForbidden)
	}
	// ?1 is the caller's id, bound whatever the scope, so that one query
	// serves both: staff see every session.
	scope := `EXISTS (SELECT 1 FROM calibration_participants p
		WHERE p.session_id = c.id AND p.user_id = ?1)`
	if caller.HasAny(RoleAdmin, RoleManager) {
		scope = "?1 IS NOT NULL"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.title, v.form_id, c.form_version_id,
		c.benchmark_id, c.created_at, c.revealed_at,
		(SELECT count(*) FROM calibration_calls x WHERE x.session_id = c.id),
		(SELECT count(*) FROM calibration_participants x WHERE x.session_id = c.id),
		(SELECT count(*) FROM calibration_evaluations l JOIN evaluations e ON e.id = l.evaluation_id
			WHERE l.session_id = c.id AND e.status = 'submitted'),
		(SELECT count(*) FROM calibration_evaluations l WHERE l.session_id = c.id),
		(SELECT count(*) FROM calibration_evaluations l JOIN evaluations e ON e.id = l.evaluation_id
			WHERE l.session_id = c.id AND l.user_id = ?1 AND e.status = 'draft'),
		EXISTS (SELECT 1 FROM calibration_participants p
			WHERE p.session_id = c.id AND p.user_id = ?1)
		FROM calibration_sessions c JOIN form_versions v ON v.id = c.form_version_id
		WHERE `+scope+` ORDER BY c.id DESC`, caller.ID)
	if err != nil {
		return nil, fmt.Errorf("list calibration sessions: %w", err)
	}
	defer rows.Close()
	out := []CalibrationSummary{}
	for rows.Next() {
		sum, err := scanCalibrationSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("list calibration sessions: %w", err)
		}
		out = append(out, *sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list calibration sessions: %w", err)
	}
	return out, nil
}

func scanCalibrationSummary(rows *sql.Rows) (*CalibrationSummary, error) {
	var c CalibrationSummary
	var bench, revealed sql.NullInt64
	var created int64
	err := rows.Scan(&c.ID, &c.Title, &c.FormID, &c.FormVersionID, &bench, &created, &revealed,
		&c.Calls, &c.Participants, &c.Submitted, &c.Expected, &c.Pending, &c.Participating)
	if err != nil {
		return nil, err
	}
	c.BenchmarkID, c.RevealedAt = evalNullID(bench), evalTime(revealed)
	c.CreatedAt = time.UnixMilli(created).UTC()
	return &c, nil
}
