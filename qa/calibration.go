package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"earshot/storage/catalog"
)

// Calibration sessions: several reviewers score the same calls blind, then
// compare their answers with a benchmark's (an expert's) or, without one,
// with the group's consensus, discuss, and record what they agreed.

// DefaultCalibrationTolerance is how far, in points of the total score, a
// reviewer may be from the reference and still count as calibrated, when a
// session is opened without a tolerance.
const DefaultCalibrationTolerance = 5.0

// Limits on a session's size: every participant scores every call.
const (
	maxCalibrationCalls        = 50
	maxCalibrationParticipants = 50
)

// NewCalibration is a session to open.
type NewCalibration struct {
	Title   string   `json:"title"`
	CallIDs []string `json:"call_ids"`
	// FormVersionID is the version everyone scores with; zero means the
	// latest version of FormID.
	FormVersionID int64 `json:"form_version_id,omitempty"`
	FormID        int64 `json:"form_id,omitempty"`
	// ReviewerIDs are the participants who are compared.
	ReviewerIDs []int64 `json:"reviewer_ids"`
	// BenchmarkID is the expert whose evaluation is the reference; nil
	// means the group's consensus is (see Comparison).
	BenchmarkID *int64 `json:"benchmark_id,omitempty"`
	// Tolerance is in points of the total score; zero means
	// DefaultCalibrationTolerance.
	Tolerance float64 `json:"tolerance,omitempty"`
	// RevealOnSubmit lets a participant see the others' answers, and the
	// comparison, once they submitted all their own; without it nobody
	// does until the session is revealed.
	RevealOnSubmit bool `json:"reveal_on_submit,omitempty"`
	// DueAt is set on every participant's evaluations; nil means none.
	DueAt *time.Time `json:"due_at,omitempty"`
}

// mayRunCalibration: sessions decide what counts as a right answer, so
// only the people who run QA open and steer them.
func mayRunCalibration(caller *User) error {
	if !caller.HasAny(RoleAdmin, RoleManager) {
		return fmt.Errorf("run calibration sessions: needs the manager or admin role: %w",
			ErrForbidden)
	}
	return nil
}

// OpenCalibration opens a session and gives every participant (the
// reviewers and the benchmark) a draft evaluation of every call, marked
// calibration so that it never counts in agents' scores. Participants
// score them with the ordinary evaluation calls (SaveDraft, Submit).
// Problems with the request are *InputErrors. Managers and admins only.
//
// A participant may already have evaluated a call outside the session: the
// calibration evaluation is a second one, kept apart. Because an ordinary
// evaluation of a call is refused to a reviewer who already has one on the
// same form, a reviewer who calibrated on a call cannot later evaluate it
// outside the session on that form.
func (s *Service) OpenCalibration(
	ctx context.Context,
	caller *User,
	n NewCalibration,
) (*CalibrationSession, error) {
	if err := mayRunCalibration(caller); err != nil {
		return nil, err
	}
	version, err := s.checkNewCalibration(ctx, &n)
	if err != nil {
		return nil, err
	}
	people, err := s.calibrationPeople(ctx, n)
	if err != nil {
		return nil, err
	}
	agents, err := s.checkCalibrationCalls(ctx, n.CallIDs, people)
	if err != nil {
		return nil, err
	}
	plan := calibrationPlan{caller: caller, n: n, version: version, people: people,
		agents: agents}
	var id int64
	err = s.formTx(ctx, func(tx *sql.Tx) error {
		id, err = s.insertCalibration(ctx, tx, plan)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open calibration session: %w", err)
	}
	s.log.Info("calibration session opened", "session_id", id, "user_id", caller.ID,
		"calls", len(n.CallIDs), "participants", len(people))
	s.auditQA(ctx, caller, ActionCreate, "calibration_session", id,
		map[string]any{"calls": n.CallIDs, "form_version_id": version})
	return s.GetCalibration(ctx, caller, id)
}

// checkNewCalibration validates n and returns the form version to use.
func (s *Service) checkNewCalibration(ctx context.Context, n *NewCalibration) (int64, error) {
	n.Title = strings.TrimSpace(n.Title)
	if n.Title == "" {
		return 0, inputf("title", "give the session a title")
	}
	if err := checkFormText("title", n.Title, 200); err != nil {
		return 0, err
	}
	if len(n.CallIDs) == 0 || len(n.CallIDs) > maxCalibrationCalls {
		return 0, inputf("call_ids", "give 1 to %d calls", maxCalibrationCalls)
	}
	for i, c := range n.CallIDs {
		if slices.Index(n.CallIDs, c) != i {
			return 0, inputf("call_ids", "call %q is listed twice", c)
		}
	}
	if n.Tolerance == 0 {
		n.Tolerance = DefaultCalibrationTolerance
	}
	if n.Tolerance < 0 || n.Tolerance > 100 {
		return 0, inputf("tolerance", "give a number of points from 0 to 100")
	}
	ev := NewEvaluation{FormVersionID: n.FormVersionID, FormID: n.FormID}
	if err := s.resolveFormVersion(ctx, &ev); err != nil {
		return 0, err
	}
	return ev.FormVersionID, nil
}

// calibrationPeople loads the participants: the reviewers, then the
// benchmark. Each must be an enabled user who may score calls.
func (s *Service) calibrationPeople(ctx context.Context, n NewCalibration) ([]*User, error) {
	ids := slices.Clone(n.ReviewerIDs)
	if n.BenchmarkID != nil {
		if slices.Contains(ids, *n.BenchmarkID) {
			return nil, inputf("benchmark_id",
				"user %d is also in reviewer_ids: the benchmark is the reference, not compared",
				*n.BenchmarkID)
		}
		ids = append(ids, *n.BenchmarkID)
	}
	if len(ids) < 2 || len(ids) > maxCalibrationParticipants {
		return nil, inputf("reviewer_ids", "give 2 to %d participants, the benchmark included",
			maxCalibrationParticipants)
	}
	people := make([]*User, 0, len(ids))
	for i, id := range ids {
		if slices.Index(ids, id) != i {
			return nil, inputf("reviewer_ids", "user %d is listed twice", id)
		}
		u, err := s.evaluationUser(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return nil, inputf("reviewer_ids", "no user %d", id)
		}
		if err != nil {
			return nil, fmt.Errorf("open calibration session: %w", err)
		}
		if u.Disabled || !u.HasAny(scoringRoles...) {
			return nil, inputf("reviewer_ids", "%s cannot score calls: disabled or not a reviewer",
				u.Username)
		}
		people = append(people, u)
	}
	return people, nil
}

// checkCalibrationCalls checks that every call exists and that no
// participant took one of them, and returns each call's agent.
func (s *Service) checkCalibrationCalls(
	ctx context.Context,
	calls []string,
	people []*User,
) (map[string]*int64, error) {
	agents := make(map[string]*int64, len(calls))
	for _, c := range calls {
		if _, err := s.cat.Get(ctx, c); errors.Is(err, catalog.ErrNotFound) {
			return nil, inputf("call_ids", "no call %q in the catalog", c)
		} else if err != nil {
			return nil, fmt.Errorf("open calibration session: %w", err)
		}
		agent, err := callAgent(ctx, s.db, c)
		if err != nil {
			return nil, fmt.Errorf("open calibration session: %w", err)
		}
		for _, u := range people {
			if checkNotOwnCall(u, agent) != nil {
				return nil, inputf("reviewer_ids",
					"%s took call %s; nobody scores their own calls", u.Username, c)
			}
		}
		agents[c] = agent
	}
	return agents, nil
}

// calibrationPlan is a checked NewCalibration, ready to be written.
type calibrationPlan struct {
	caller  *User
	n       NewCalibration
	version int64             // the form version
	people  []*User           // the participants, the benchmark last
	agents  map[string]*int64 // each call's agent, nil when not known
}

// insertCalibration writes the session, its calls and participants, and
// one draft calibration evaluation per participant and call.
func (s *Service) insertCalibration(
	ctx context.Context,
	tx *sql.Tx,
	p calibrationPlan,
) (int64, error) {
	n := p.n
	now := s.nowMS()
	res, err := tx.ExecContext(ctx, `INSERT INTO calibration_sessions (title, form_version_id,
		benchmark_id, tolerance, reveal_on_submit, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		n.Title, p.version, n.BenchmarkID, n.Tolerance, n.RevealOnSubmit, now, p.caller.ID)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, u := range p.people {
		bench := n.BenchmarkID != nil && *n.BenchmarkID == u.ID
		_, err := tx.ExecContext(ctx, `INSERT INTO calibration_participants
			(session_id, user_id, benchmark) VALUES (?, ?, ?)`, id, u.ID, bench)
		if err != nil {
			return 0, err
		}
	}
	for i, c := range n.CallIDs {
		_, err := tx.ExecContext(ctx, `INSERT INTO calibration_calls (session_id, call_id, position)
			VALUES (?, ?, ?)`, id, c, i)
		if err != nil {
			return 0, err
		}
		for _, u := range p.people {
			if err := s.insertCalibrationDraft(ctx, tx, p, id, c, u); err != nil {
				return 0, err
			}
		}
	}
	return id, nil
}

// insertCalibrationDraft writes a draft the way CreateEvaluation does, but
// marked calibration and linked to the session, and without the one-per-
// form check: calibrating on a call already evaluated is the usual case.
func (s *Service) insertCalibrationDraft(
	ctx context.Context,
	tx *sql.Tx,
	p calibrationPlan,
	session int64,
	call string,
	reviewer *User,
) error {
	var assignedBy *int64
	if reviewer.ID != p.caller.ID {
		assignedBy = &p.caller.ID
	}
	now := s.nowMS()
	res, err := tx.ExecContext(ctx, `INSERT INTO evaluations (call_id, form_version_id,
		reviewer_id, agent_id, status, calibration, created_at, updated_at, due_at, assigned_by)
		VALUES (?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?)`,
		call, p.version, reviewer.ID, p.agents[call], now, now, evalMS(p.n.DueAt), assignedBy)
	if err != nil {
		return err
	}
	ev, err := res.LastInsertId()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO calibration_evaluations
		(session_id, call_id, user_id, evaluation_id) VALUES (?, ?, ?, ?)`,
		session, call, reviewer.ID, ev)
	return err
}
