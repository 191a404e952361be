package qa

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// PeriodKind is the span a sampling quota applies to.
type PeriodKind string

// The period kinds. Periods are calendar spans in the plan's time zone.
const (
	PeriodDay PeriodKind = "day"
	// PeriodWeek runs from Monday to Sunday (ISO 8601).
	PeriodWeek  PeriodKind = "week"
	PeriodMonth PeriodKind = "month"
)

// Spread says how an agent's quota is laid over the period.
type Spread string

// The spreads.
const (
	// SpreadDays splits each agent's quota across the days of the period
	// as evenly as their calls allow, and draws uniformly at random within
	// each day: a busy Monday cannot fill the whole week's quota.
	SpreadDays Spread = "days"
	// SpreadNone draws uniformly at random from all of the agent's calls
	// in the period.
	SpreadNone Spread = "none"
)

// DefaultSecondReviewShare is the share of sampled calls that also go to a
// second reviewer when a plan does not say.
const DefaultSecondReviewShare = 0.10

// maxQuota bounds a plan's quota: a sample, not a census.
const maxQuota = 1000

// talkColumns are the catalog columns a plan may filter on, by name.
var talkColumns = map[string]string{
	"talk_ms_left":       "c.talk_ms_left",
	"talk_ms_right":      "c.talk_ms_right",
	"overtalk_ms":        "c.overtalk_ms",
	"silence_ms":         "c.silence_ms",
	"longest_silence_ms": "c.longest_silence_ms",
	"warnings_count":     "c.warnings_count",
}

// talkOps are the comparisons a talk filter may use.
var talkOps = []string{">=", "<=", ">", "<", "="}

// TalkFilter keeps calls whose talk metric compares with Value, such as
// longest_silence_ms >= 10000. Calls whose metrics the recorder could not
// compute fail every talk filter.
type TalkFilter struct {
	// Metric is talk_ms_left, talk_ms_right, overtalk_ms, silence_ms,
	// longest_silence_ms or warnings_count.
	Metric string `json:"metric"`
	// Op is >=, <=, >, < or =.
	Op    string `json:"op"`
	Value int64  `json:"value"`
}

// PlanFilters choose the calls a plan draws from. Zero values filter
// nothing.
type PlanFilters struct {
	// TeamIDs and AgentIDs choose the agents: the agents of those teams
	// and those agents. Both empty means every active agent.
	TeamIDs  []int64 `json:"team_ids,omitempty"`
	AgentIDs []int64 `json:"agent_ids,omitempty"`
	// From and To, if set, bound the calls' start whatever the period:
	// a campaign that ran for three weeks, say.
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
	// Direction keeps inbound, outbound or unknown calls; empty keeps all.
	Direction     Direction `json:"direction,omitempty"`
	MinDurationMS int64     `json:"min_duration_ms,omitempty"`
	MaxDurationMS int64     `json:"max_duration_ms,omitempty"`
	// RecordingPresent keeps calls whose WAV holds audio past its header.
	RecordingPresent bool `json:"recording_present,omitempty"`
	// NotEvaluated keeps calls that have no evaluation and were not drawn
	// by an earlier draw.
	NotEvaluated bool         `json:"not_evaluated,omitempty"`
	Talk         []TalkFilter `json:"talk,omitempty"`
}

// PoolReviewer is a reviewer a plan assigns calls to.
type PoolReviewer struct {
	UserID int64 `json:"user_id"`
	// Cap is the most calls, first and second reviews together, the
	// reviewer gets from one draw; zero means no cap.
	Cap int `json:"cap"`
}

// PlanDefinition is what a sampling plan draws and who reviews it. It is
// stored as JSON with the plan, and copied into every draw.
type PlanDefinition struct {
	Filters PlanFilters `json:"filters"`
	// Period is the span the quota applies to: day, week or month.
	Period PeriodKind `json:"period"`
	// TimeZone names the IANA zone whose calendar periods and days follow;
	// empty means UTC.
	TimeZone string `json:"time_zone,omitempty"`
	// Quota is the number of calls drawn per agent per period.
	Quota int `json:"quota"`
	// Spread is days (the default) or none.
	Spread    Spread         `json:"spread,omitempty"`
	Reviewers []PoolReviewer `json:"reviewers"`
	// Blind hides the agent's identity from the reviewers of the draw's
	// calls; it is kept on each draw item (see BlindEvaluation).
	Blind bool `json:"blind,omitempty"`
	// SecondReviewShare is the share of sampled calls, 0 to 1, that also
	// go to a second reviewer; nil means DefaultSecondReviewShare.
	SecondReviewShare *float64 `json:"second_review_share,omitempty"`
	// FormVersionID, if set, makes each draw create a draft evaluation per
	// assigned call with that form version.
	FormVersionID *int64 `json:"form_version_id,omitempty"`
}

// normalize checks d and fills in its defaults, so that what is stored
// says everything a draw used.
func (d *PlanDefinition) normalize() error {
	if err := d.normalizeSchedule(); err != nil {
		return err
	}
	if err := d.Filters.check(); err != nil {
		return err
	}
	return d.normalizeReview()
}

func (d *PlanDefinition) normalizeSchedule() error {
	if !slices.Contains([]PeriodKind{PeriodDay, PeriodWeek, PeriodMonth}, d.Period) {
		return &InputError{Field: "period", Msg: "use day, week or month"}
	}
	if d.Quota < 1 || d.Quota > maxQuota {
		return &InputError{Field: "quota", Msg: fmt.Sprintf("give 1 to %d calls per agent", maxQuota)}
	}
	if d.TimeZone == "" {
		d.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(d.TimeZone); err != nil {
		return &InputError{Field: "time_zone",
			Msg: fmt.Sprintf("%q is not a known time zone, such as Europe/Paris", d.TimeZone)}
	}
	if d.Spread == "" {
		d.Spread = SpreadDays
	}
	if d.Spread != SpreadDays && d.Spread != SpreadNone {
		return &InputError{Field: "spread", Msg: "use days or none"}
	}
	return nil
}

func (d *PlanDefinition) normalizeReview() error {
	if d.SecondReviewShare == nil {
		share := DefaultSecondReviewShare
		d.SecondReviewShare = &share
	}
	if sh := *d.SecondReviewShare; math.IsNaN(sh) || sh < 0 || sh > 1 {
		return &InputError{Field: "second_review_share", Msg: "give a share from 0 to 1, such as 0.1"}
	}
	if len(d.Reviewers) == 0 {
		return &InputError{Field: "reviewers", Msg: "give at least one reviewer"}
	}
	seen := map[int64]bool{}
	for _, r := range d.Reviewers {
		if seen[r.UserID] {
			return &InputError{Field: "reviewers", Msg: fmt.Sprintf("user %d is listed twice", r.UserID)}
		}
		seen[r.UserID] = true
		if r.Cap < 0 {
			return &InputError{Field: "reviewers", Msg: "a cap is 0 (none) or more"}
		}
	}
	return nil
}

func (f *PlanFilters) check() error {
	switch f.Direction {
	case "", DirectionInbound, DirectionOutbound, DirectionUnknown:
	default:
		return &InputError{Field: "filters.direction", Msg: "use inbound, outbound or unknown"}
	}
	if f.MinDurationMS < 0 || f.MaxDurationMS < 0 ||
		(f.MaxDurationMS > 0 && f.MaxDurationMS < f.MinDurationMS) {
		return &InputError{Field: "filters.max_duration_ms",
			Msg: "durations are 0 or more, the maximum no less than the minimum"}
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return &InputError{Field: "filters.to", Msg: "the window must end after it starts"}
	}
	for _, tf := range f.Talk {
		if _, ok := talkColumns[tf.Metric]; !ok {
			return &InputError{Field: "filters.talk", Msg: fmt.Sprintf("%q is not a talk metric", tf.Metric)}
		}
		if !slices.Contains(talkOps, tf.Op) {
			return &InputError{Field: "filters.talk",
				Msg: fmt.Sprintf("%q is not a comparison; use >=, <=, >, < or =", tf.Op)}
		}
	}
	return nil
}

// location returns the plan's time zone; normalize has checked it.
func (d *PlanDefinition) location() (*time.Location, error) {
	return time.LoadLocation(d.TimeZone)
}
