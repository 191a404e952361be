package qa

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// QuestionStat is how one question of a form fared across evaluations:
// how often it was answered (not N/A), failed (earned nothing), and the
// mean share of its weight earned.
type QuestionStat struct {
	FormID       int64   `json:"form_id"`
	QuestionID   string  `json:"question_id"`
	Answered     int     `json:"answered"`
	NA           int     `json:"na"`
	Failed       int     `json:"failed"`
	FailureRate  float64 `json:"failure_rate"`
	MeanFraction float64 `json:"mean_fraction"`
}

// QuestionFailures reports, per form and question, the failure rate over
// the submitted, non-calibration evaluations in the filter: where agents
// lose points, and so where coaching pays.
func (s *Service) QuestionFailures(ctx context.Context, caller *User, f ReportFilter) ([]QuestionStat, error) {
	f, err := reportScope(caller, f)
	if err != nil {
		return nil, err
	}
	q := `SELECT fv.form_id, e.result FROM evaluations e
JOIN form_versions fv ON fv.id = e.form_version_id JOIN agents a ON a.id = e.agent_id
WHERE e.status = 'submitted' AND e.calibration = 0 AND e.result IS NOT NULL`
	q, args := windowClause(q, nil, "e.submitted_at", f)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("load evaluations: %w", err)
	}
	defer rows.Close()
	acc := map[questionKey]*QuestionStat{}
	for rows.Next() {
		var formID int64
		var raw string
		if err := rows.Scan(&formID, &raw); err != nil {
			return nil, fmt.Errorf("read evaluation: %w", err)
		}
		var res Result
		if err := json.Unmarshal([]byte(raw), &res); err != nil {
			return nil, fmt.Errorf("decode stored result: %w", err)
		}
		addQuestionResults(acc, formID, res)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return questionStats(acc), nil
}

type questionKey struct {
	form int64
	id   string
}

func addQuestionResults(acc map[questionKey]*QuestionStat, formID int64, res Result) {
	for _, sec := range res.Sections {
		for _, qr := range sec.Questions {
			k := questionKey{formID, qr.ID}
			st := acc[k]
			if st == nil {
				st = &QuestionStat{FormID: formID, QuestionID: qr.ID}
				acc[k] = st
			}
			if qr.NA {
				st.NA++
				continue
			}
			st.Answered++
			st.MeanFraction += qr.Fraction
			if qr.Failed {
				st.Failed++
			}
		}
	}
}

func questionStats(acc map[questionKey]*QuestionStat) []QuestionStat {
	out := make([]QuestionStat, 0, len(acc))
	for _, st := range acc {
		if st.Answered > 0 {
			st.FailureRate = float64(st.Failed) / float64(st.Answered)
			st.MeanFraction /= float64(st.Answered)
		}
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].FailureRate != out[j].FailureRate {
			return out[i].FailureRate > out[j].FailureRate
		}
		return out[i].QuestionID < out[j].QuestionID
	})
	return out
}
