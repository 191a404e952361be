package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// demoForm is the scorecard the demo creates: the worked example of
// docs/scoring.md, more or less.
var demoForm = map[string]any{
	"name": "Inbound support",
	"sections": []any{
		map[string]any{"id": "opening", "title": "Opening", "weight": 1, "questions": []any{
			map[string]any{"id": "greet", "text": "Greeted the caller and gave their name",
				"type": "yes_no", "weight": 1, "guidance": "Within the first ten seconds."},
			map[string]any{"id": "verify", "text": "Verified the caller's identity", "type": "yes_no",
				"weight": 2, "critical": "form", "guidance": "Two of: date of birth, postcode, PIN."},
		}},
		map[string]any{"id": "resolution", "title": "Resolution", "weight": 3, "questions": []any{
			map[string]any{"id": "empathy", "text": "Showed empathy", "type": "scale",
				"min": 1, "max": 5, "weight": 2},
			map[string]any{"id": "resolved", "text": "Resolved the issue", "type": "choice",
				"weight": 3, "options": []any{
					map[string]any{"value": "full", "label": "Fully", "points": 10},
					map[string]any{"value": "partial", "label": "In part", "points": 5},
					map[string]any{"value": "none", "label": "Not at all", "points": 0}}},
			map[string]any{"id": "hold", "text": "Asked before putting on hold", "type": "yes_no",
				"weight": 1, "allow_na": true},
		}},
	},
}

// sample creates the form and a weekly plan of two calls per agent over
// both reviewers, and draws this week. It returns how many calls were
// drawn.
func (d *demo) sample(ctx context.Context, teamIDs []int64, reviewers []demoReviewer) (int, error) {
	var form struct {
		Latest struct {
			ID int64 `json:"id"`
		} `json:"latest"`
	}
	if err := d.call(ctx, http.MethodPost, "/api/v1/forms", demoForm, &form); err != nil {
		return 0, err
	}
	pool := make([]any, len(reviewers))
	for i, r := range reviewers {
		pool[i] = map[string]any{"user_id": r.id}
	}
	var plan struct {
		ID int64 `json:"id"`
	}
	err := d.call(ctx, http.MethodPost, "/api/v1/sampling/plans", map[string]any{
		"name": "Weekly support sample", "period": "week", "quota": 2, "time_zone": "UTC",
		"filters": map[string]any{"team_ids": teamIDs}, "reviewers": pool,
		"form_version_id": form.Latest.ID,
	}, &plan)
	if err != nil {
		return 0, err
	}
	var draw struct {
		Items []struct {
			CallID string `json:"call_id"`
		} `json:"items"`
	}
	err = d.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/sampling/plans/%d/draws", plan.ID),
		map[string]any{"period": time.Now().UTC().Format("2006-01-02")}, &draw)
	return len(draw.Items), err
}

// welcome tells the newcomer where to go and how to sign in.
func (d *demo) welcome(adminPassword string, agents, drawn int, reviewers []demoReviewer) {
	w := d.stdout
	fmt.Fprintf(w, "\nThe demo is ready: %d calls recorded, %d agents, %d calls drawn for review.\n",
		demoCalls, agents, drawn)
	fmt.Fprintf(w, "Open %s/ and sign in:\n", d.base)
	for _, r := range reviewers {
		fmt.Fprintf(w, "  %-6s %s   (reviewer: press n on the queue to open the next call)\n",
			r.username, r.password)
	}
	fmt.Fprintf(w, "  %-6s %s   (admin, manager and reviewer)\n", "admin", adminPassword)
	fmt.Fprintf(w, "These passwords are shown only now. Press Ctrl-C to stop.\n")
}
