package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AgreedCall is what a session's group agreed on one call after
// discussion.
type AgreedCall struct {
	CallID string `json:"call_id"`
	// Answers are the calibrated evaluation: every question of the
	// session's form answered or N/A, as in a submitted evaluation.
	Answers map[string]Answer `json:"answers"`
	Notes   string            `json:"notes"`
}

// AgreedInput records the outcome of a session's discussion.
type AgreedInput struct {
	// Calls are the calls agreed on; a call agreed on before is replaced.
	Calls []AgreedCall `json:"calls"`
	// Notes replaces the session's notes; nil keeps them.
	Notes *string `json:"notes,omitempty"`
}

// RecordAgreed stores the answers the group agreed on, each call's
// calibrated score with them, and the notes of the discussion. The session
// must be revealed (ErrConflict before): agreement follows comparison.
// Answers are checked like a submission; a problem is an *InputError whose
// Field starts with the call ("calls[0].answers.greet"). Managers and
// admins only.
func (s *Service) RecordAgreed(
	ctx context.Context,
	caller *User,
	id int64,
	in AgreedInput,
) (*CalibrationSession, error) {
	if err := mayRunCalibration(caller); err != nil {
		return nil, err
	}
	cs, err := s.loadCalibration(ctx, id)
	if err != nil {
		return nil, err
	}
	if cs.RevealedAt == nil {
		return nil, fmt.Errorf("calibration session %d: reveal it before recording what was "+
			"agreed: %w", id, ErrConflict)
	}
	results, err := checkAgreed(cs, in)
	if err != nil {
		return nil, err
	}
	err = s.formTx(ctx, func(tx *sql.Tx) error {
		return s.storeAgreed(ctx, tx, caller, id, in, results)
	})
	if err != nil {
		return nil, fmt.Errorf("record agreed answers of calibration session %d: %w", id, err)
	}
	s.log.Info("calibration agreed answers recorded", "session_id", id, "user_id", caller.ID,
		"calls", len(in.Calls))
	s.auditQA(ctx, caller, ActionChange, "calibration_session", id,
		map[string]any{"agreed_calls": len(in.Calls)})
	return s.GetCalibration(ctx, caller, id)
}

// checkAgreed validates in against the session and scores each call.
func checkAgreed(cs *CalibrationSession, in AgreedInput) ([]Result, error) {
	if len(in.Calls) == 0 && in.Notes == nil {
		return nil, inputf("calls", "give the agreed answers of a call, or notes")
	}
	if in.Notes != nil {
		if err := checkFormText("notes", *in.Notes, maxFormText); err != nil {
			return nil, err
		}
	}
	results := make([]Result, len(in.Calls))
	seen := map[string]bool{}
	for i, c := range in.Calls {
		path := fmt.Sprintf("calls[%d]", i)
		if cs.call(c.CallID) == nil {
			return nil, inputf(path+".call_id", "call %q is not in the session", c.CallID)
		}
		if seen[c.CallID] {
			return nil, inputf(path+".call_id", "call %q is listed twice", c.CallID)
		}
		seen[c.CallID] = true
		if err := checkFormText(path+".notes", c.Notes, maxFormText); err != nil {
			return nil, err
		}
		res, err := Score(cs.def, c.Answers)
		var bad *InputError
		if errors.As(err, &bad) {
			return nil, inputf(path+"."+bad.Field, "%s", bad.Msg)
		}
		if err != nil {
			return nil, fmt.Errorf("score agreed answers of call %s: %w", c.CallID, err)
		}
		results[i] = res
	}
	return results, nil
}

// storeAgreed writes checked agreed answers and notes.
func (s *Service) storeAgreed(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	id int64,
	in AgreedInput,
	results []Result,
) error {
	now := s.nowMS()
	for i, c := range in.Calls {
		answers, err := json.Marshal(c.Answers)
		if err != nil {
			return err
		}
		result, err := json.Marshal(results[i])
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE calibration_calls SET agreed = ?, agreed_score = ?,
			agreed_result = ?, notes = ?, agreed_at = ?, agreed_by = ?
			WHERE session_id = ? AND call_id = ?`,
			string(answers), resultScore(results[i]), string(result), c.Notes, now, caller.ID,
			id, c.CallID)
		if err != nil {
			return err
		}
	}
	if in.Notes == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE calibration_sessions SET notes = ? WHERE id = ?`,
		*in.Notes, id)
	return err
}

// GuidanceInput rewrites the guidance of one question.
type GuidanceInput struct {
	QuestionID string `json:"question_id"`
	// Guidance replaces the question's guidance: the agreed definition of
	// what earns each answer.
	Guidance string `json:"guidance"`
}

// UpdateCalibrationGuidance rewrites a question's guidance after a
// session's discussion, as a new version of the session's form, and
// records it on the session. The new version is the form's latest version
// (which may be newer than the session's) with the one guidance changed,
// so it scores exactly as the latest does; evaluations started afterwards
// use it. Unlike a guidance edit through UpdateForm, which edits the
// latest version in place, this keeps the wording the session's
// participants scored with. The session must be revealed (ErrConflict
// before). Managers and admins only.
func (s *Service) UpdateCalibrationGuidance(
	ctx context.Context,
	caller *User,
	id int64,
	in GuidanceInput,
) (*GuidanceUpdate, error) {
	if err := mayRunCalibration(caller); err != nil {
		return nil, err
	}
	in.Guidance = strings.TrimSpace(in.Guidance)
	if err := checkFormText("guidance", in.Guidance, maxFormText); err != nil {
		return nil, err
	}
	cs, err := s.loadCalibrationHead(ctx, id)
	if err != nil {
		return nil, err
	}
	if cs.RevealedAt == nil {
		return nil, fmt.Errorf("calibration session %d: reveal it before changing guidance: %w",
			id, ErrConflict)
	}
	var up *GuidanceUpdate
	err = s.formTx(ctx, func(tx *sql.Tx) error {
		up, err = s.storeGuidance(ctx, tx, caller, cs, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update guidance from calibration session %d: %w", id, err)
	}
	s.log.Info("form guidance updated from calibration", "session_id", id, "form_id", cs.FormID,
		"version", up.Version, "user_id", caller.ID)
	s.auditQA(ctx, caller, ActionChange, "form", cs.FormID, map[string]any{
		"version": up.Version, "calibration_session": id, "question_id": in.QuestionID})
	return up, nil
}

// storeGuidance writes the new form version and records it on the session.
func (s *Service) storeGuidance(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	cs *CalibrationSession,
	in GuidanceInput,
) (*GuidanceUpdate, error) {
	latest, err := latestVersion(ctx, tx, cs.FormID)
	if err != nil {
		return nil, err
	}
	def, err := cloneDefinition(latest.Definition)
	if err != nil {
		return nil, err
	}
	q := def.question(in.QuestionID)
	if q == nil {
		return nil, inputf("question_id", "version %d of the form has no question %q",
			latest.Version, in.QuestionID)
	}
	if q.Guidance == in.Guidance {
		return nil, inputf("guidance", "the question's guidance is already this")
	}
	up := &GuidanceUpdate{QuestionID: q.ID, Before: q.Guidance, After: in.Guidance,
		Version: latest.Version + 1, ChangedAt: time.UnixMilli(s.nowMS()).UTC(),
		ChangedBy: &caller.ID}
	q.Guidance = in.Guidance
	if up.FormVersionID, err = s.insertFormVersion(ctx, tx, caller, latest, def); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO calibration_guidance (session_id, question_id,
		before, after, form_version_id, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		cs.ID, up.QuestionID, up.Before, up.After, up.FormVersionID, up.ChangedAt.UnixMilli(),
		caller.ID)
	if err != nil {
		return nil, err
	}
	up.ID, err = res.LastInsertId()
	return up, err
}

// insertFormVersion writes def as the version after latest and returns
// its id. def must score as latest does: a version with new guidance only.
func (s *Service) insertFormVersion(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	latest *FormVersion,
	def FormDefinition,
) (int64, error) {
	body, err := json.Marshal(def)
	if err != nil {
		return 0, err
	}
	now := s.nowMS()
	res, err := tx.ExecContext(ctx, `INSERT INTO form_versions
		(form_id, version, definition, created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		latest.FormID, latest.Version+1, string(body), now, caller.ID, now)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// cloneDefinition returns a deep copy of def, to change without touching
// the original's slices.
func cloneDefinition(def FormDefinition) (FormDefinition, error) {
	var out FormDefinition
	b, err := json.Marshal(def)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}
