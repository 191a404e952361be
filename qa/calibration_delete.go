package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// DeleteCalibration deletes a session still blind, with its calibration
// evaluations, drafts and submitted alike: a session opened by mistake
// (the wrong calls, the wrong reviewers) is taken back before anyone
// compares anything. A revealed session is the record of a comparison,
// which reviewers' deviation and bias draw on, and stays (ErrConflict).
// The session's title goes into the audit log. Managers and admins only.
func (s *Service) DeleteCalibration(ctx context.Context, caller *User, id int64) error {
	if err := mayRunCalibration(caller); err != nil {
		return err
	}
	var title string
	err := s.formTx(ctx, func(tx *sql.Tx) error {
		var revealed sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT title, revealed_at FROM calibration_sessions
			WHERE id = ?`, id).Scan(&title, &revealed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("calibration session %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if revealed.Valid {
			return fmt.Errorf("calibration session %d is revealed and is kept: %w", id, ErrConflict)
		}
		// The evaluations first: the session's rows that name them go
		// with the session, and nothing else refers to a calibration one.
		if _, err := tx.ExecContext(ctx, `DELETE FROM evaluations WHERE id IN
			(SELECT evaluation_id FROM calibration_evaluations WHERE session_id = ?)`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM calibration_sessions WHERE id = ?`, id)
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		return err
	case err != nil:
		return fmt.Errorf("delete calibration session %d: %w", id, err)
	}
	s.log.Info("calibration session deleted", "session_id", id, "user_id", caller.ID)
	s.auditQA(ctx, caller, ActionDelete, "calibration_session", id, map[string]any{"title": title})
	return nil
}
