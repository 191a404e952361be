package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CalibrationSession is a calibration session as one caller may see it.
type CalibrationSession struct {
	ID            int64  `json:"id"`
	Title         string `json:"title"`
	FormID        int64  `json:"form_id"`
	FormVersionID int64  `json:"form_version_id"`
	// BenchmarkID is the participant whose answers are the reference; nil
	// when the group's consensus is.
	BenchmarkID *int64 `json:"benchmark_id,omitempty"`
	// Tolerance is how far, in points of the total score, a reviewer may
	// be from the reference and still count as within it.
	Tolerance float64 `json:"tolerance"`
	// RevealOnSubmit lets a participant see the others' answers once they
	// submitted all their own.
	RevealOnSubmit bool       `json:"reveal_on_submit"`
	Notes          string     `json:"notes"`
	CreatedAt      time.Time  `json:"created_at"`
	CreatedBy      *int64     `json:"created_by,omitempty"`
	RevealedAt     *time.Time `json:"revealed_at,omitempty"`
	RevealedBy     *int64     `json:"revealed_by,omitempty"`
	// AnswersVisible is true when the caller may see every participant's
	// answers; when false, the entries of others are Hidden.
	AnswersVisible bool                     `json:"answers_visible"`
	Calls          []CalibrationCall        `json:"calls"`
	Participants   []CalibrationParticipant `json:"participants"`
	// Evaluations holds one entry per call and participant, by the call's
	// order in the session, then by participant.
	Evaluations []CalibrationEntry `json:"evaluations"`
	// Guidance lists the guidance rewritten from the session, oldest first.
	Guidance []GuidanceUpdate `json:"guidance_updates"`

	def FormDefinition // the form version's definition
}

// CalibrationCall is one call of a session and what was agreed on it.
type CalibrationCall struct {
	CallID string `json:"call_id"`
	// AgreedAnswers are the answers the group agreed on after discussion:
	// the calibrated evaluation. Nil until recorded.
	AgreedAnswers map[string]Answer `json:"agreed_answers,omitempty"`
	// AgreedScore is the percent the agreed answers score; nil until
	// recorded, or when every agreed answer is N/A.
	AgreedScore *float64   `json:"agreed_score,omitempty"`
	Notes       string     `json:"notes"`
	AgreedAt    *time.Time `json:"agreed_at,omitempty"`
	AgreedBy    *int64     `json:"agreed_by,omitempty"`
}

// CalibrationParticipant is one person who scores in a session.
type CalibrationParticipant struct {
	UserID      int64  `json:"user_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	// Benchmark marks the participant whose answers are the reference.
	Benchmark bool `json:"benchmark"`
	// Submitted is how many of the session's calls they have submitted.
	Submitted int `json:"submitted"`
}

// CalibrationEntry is one participant's evaluation of one call of a
// session.
type CalibrationEntry struct {
	CallID       string           `json:"call_id"`
	ReviewerID   int64            `json:"reviewer_id"`
	EvaluationID int64            `json:"evaluation_id"`
	Status       EvaluationStatus `json:"status"`
	SubmittedAt  *time.Time       `json:"submitted_at,omitempty"`
	// Late marks an evaluation submitted after the session was revealed:
	// not blind, so the comparison leaves it out.
	Late bool `json:"late"`
	// Hidden is true when the caller may not see this entry's answers
	// yet: Score and Answers are left out.
	Hidden         bool              `json:"hidden"`
	Score          *float64          `json:"score,omitempty"`
	CriticalFailed bool              `json:"critical_failed"`
	Answers        map[string]Answer `json:"answers,omitempty"`
}

// GuidanceUpdate is a question's guidance rewritten from a session, which
// made a new version of the form.
type GuidanceUpdate struct {
	ID         int64  `json:"id"`
	QuestionID string `json:"question_id"`
	Before     string `json:"before"`
	After      string `json:"after"`
	// FormVersionID and Version name the version the update made.
	FormVersionID int64     `json:"form_version_id"`
	Version       int       `json:"version"`
	ChangedAt     time.Time `json:"changed_at"`
	ChangedBy     *int64    `json:"changed_by,omitempty"`
}

// loadCalibration reads a whole session, nothing hidden.
func (s *Service) loadCalibration(ctx context.Context, id int64) (*CalibrationSession, error) {
	cs, err := s.loadCalibrationHead(ctx, id)
	if err != nil {
		return nil, err
	}
	steps := []func(context.Context, *CalibrationSession) error{
		s.loadCalibrationCalls, s.loadCalibrationPeople, s.loadCalibrationEntries,
		s.loadCalibrationGuidance,
	}
	for _, step := range steps {
		if err := step(ctx, cs); err != nil {
			return nil, fmt.Errorf("calibration session %d: %w", id, err)
		}
	}
	for i, p := range cs.Participants {
		for _, e := range cs.Evaluations {
			if e.ReviewerID == p.UserID && e.Status == StatusSubmitted {
				cs.Participants[i].Submitted++
			}
		}
	}
	return cs, nil
}

func (s *Service) loadCalibrationHead(ctx context.Context, id int64) (*CalibrationSession, error) {
	cs := CalibrationSession{ID: id}
	var bench, createdBy, revealed, revealedBy sql.NullInt64
	var created int64
	var def string
	err := s.db.QueryRowContext(ctx, `SELECT c.title, v.form_id, c.form_version_id,
		c.benchmark_id, c.tolerance, c.reveal_on_submit, c.notes, c.created_at, c.created_by,
		c.revealed_at, c.revealed_by, v.definition
		FROM calibration_sessions c JOIN form_versions v ON v.id = c.form_version_id
		WHERE c.id = ?`, id).Scan(&cs.Title, &cs.FormID, &cs.FormVersionID, &bench, &cs.Tolerance,
		&cs.RevealOnSubmit, &cs.Notes, &created, &createdBy, &revealed, &revealedBy, &def)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("calibration session %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get calibration session %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(def), &cs.def); err != nil {
		return nil, fmt.Errorf("calibration session %d: stored form: %w", id, err)
	}
	cs.BenchmarkID, cs.CreatedBy = evalNullID(bench), evalNullID(createdBy)
	cs.RevealedAt, cs.RevealedBy = evalTime(revealed), evalNullID(revealedBy)
	cs.CreatedAt = time.UnixMilli(created).UTC()
	return &cs, nil
}

func (s *Service) loadCalibrationCalls(ctx context.Context, cs *CalibrationSession) error {
	rows, err := s.db.QueryContext(ctx, `SELECT call_id, agreed, agreed_score, notes, agreed_at,
		agreed_by FROM calibration_calls WHERE session_id = ? ORDER BY position`, cs.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c CalibrationCall
		var agreed sql.NullString
		var score sql.NullFloat64
		var at, by sql.NullInt64
		if err := rows.Scan(&c.CallID, &agreed, &score, &c.Notes, &at, &by); err != nil {
			return err
		}
		if agreed.Valid {
			if err := json.Unmarshal([]byte(agreed.String), &c.AgreedAnswers); err != nil {
				return fmt.Errorf("call %s: stored agreed answers: %w", c.CallID, err)
			}
		}
		if score.Valid {
			c.AgreedScore = &score.Float64
		}
		c.AgreedAt, c.AgreedBy = evalTime(at), evalNullID(by)
		cs.Calls = append(cs.Calls, c)
	}
	return rows.Err()
}

func (s *Service) loadCalibrationPeople(ctx context.Context, cs *CalibrationSession) error {
	rows, err := s.db.QueryContext(ctx, `SELECT p.user_id, u.username, u.display_name, p.benchmark
		FROM calibration_participants p JOIN users u ON u.id = p.user_id
		WHERE p.session_id = ? ORDER BY p.benchmark DESC, p.user_id`, cs.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p CalibrationParticipant
		if err := rows.Scan(&p.UserID, &p.Username, &p.DisplayName, &p.Benchmark); err != nil {
			return err
		}
		cs.Participants = append(cs.Participants, p)
	}
	return rows.Err()
}

func (s *Service) loadCalibrationEntries(ctx context.Context, cs *CalibrationSession) error {
	rows, err := s.db.QueryContext(ctx, `SELECT l.call_id, l.user_id, e.id, e.status,
		e.submitted_at, e.score, e.critical_failed, e.answers
		FROM calibration_evaluations l
		JOIN evaluations e ON e.id = l.evaluation_id
		JOIN calibration_calls c ON c.session_id = l.session_id AND c.call_id = l.call_id
		JOIN calibration_participants p ON p.session_id = l.session_id AND p.user_id = l.user_id
		WHERE l.session_id = ? ORDER BY c.position, p.benchmark DESC, l.user_id`, cs.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e CalibrationEntry
		var submitted sql.NullInt64
		var score sql.NullFloat64
		var answers string
		err := rows.Scan(&e.CallID, &e.ReviewerID, &e.EvaluationID, &e.Status, &submitted,
			&score, &e.CriticalFailed, &answers)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(answers), &e.Answers); err != nil {
			return fmt.Errorf("evaluation %d: stored answers: %w", e.EvaluationID, err)
		}
		if score.Valid {
			e.Score = &score.Float64
		}
		e.SubmittedAt = evalTime(submitted)
		e.Late = e.SubmittedAt != nil && cs.RevealedAt != nil && e.SubmittedAt.After(*cs.RevealedAt)
		cs.Evaluations = append(cs.Evaluations, e)
	}
	return rows.Err()
}

func (s *Service) loadCalibrationGuidance(ctx context.Context, cs *CalibrationSession) error {
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.question_id, g.before, g.after,
		g.form_version_id, v.version, g.changed_at, g.changed_by
		FROM calibration_guidance g JOIN form_versions v ON v.id = g.form_version_id
		WHERE g.session_id = ? ORDER BY g.id`, cs.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	cs.Guidance = []GuidanceUpdate{}
	for rows.Next() {
		var g GuidanceUpdate
		var at int64
		var by sql.NullInt64
		err := rows.Scan(&g.ID, &g.QuestionID, &g.Before, &g.After, &g.FormVersionID, &g.Version,
			&at, &by)
		if err != nil {
			return err
		}
		g.ChangedAt, g.ChangedBy = time.UnixMilli(at).UTC(), evalNullID(by)
		cs.Guidance = append(cs.Guidance, g)
	}
	return rows.Err()
}
