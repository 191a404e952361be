package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// CalibrationSessionOf returns the calibration session an evaluation
// belongs to, or 0 for an evaluation outside calibration. It tells the
// call page where to send a participant back to; it reveals nothing of
// the session's other evaluations.
func (s *Service) CalibrationSessionOf(ctx context.Context, evaluationID int64) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT session_id FROM calibration_evaluations WHERE evaluation_id = ?`,
		evaluationID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find the evaluation's calibration session: %w", err)
	}
	return id, nil
}
