package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// planTalkRows is how many empty talk-metric filters the plan form
// offers besides those the plan has; maxTalkRows bounds what a post may
// hold.
const (
	planTalkRows = 3
	maxTalkRows  = 20
)

// planForm is the plan form as the person sees it: text as typed, so
// that a refused form comes back exactly as sent. input turns it into
// qa's PlanInput.
type planForm struct {
	ID                              int64
	Name                            string
	Active                          bool
	Period, TimeZone, Quota, Spread string
	Agents, Teams                   map[int64]bool
	Reviewers                       map[int64]bool
	Caps                            map[int64]string
	Blind                           bool
	SecondShare                     string // percent
	FormVersion                     string
	From, To                        string // datetime-local, UTC
	Direction                       string
	MinSec, MaxSec                  string
	RecordingPresent, NotEvaluated  bool
	Talk                            []planTalkRow
	ErrField, ErrMsg                string
	AgentChoices                    []qa.Agent
	TeamChoices                     []qa.Team
	ReviewerChoices                 []qa.User
	FormChoices                     []formVersionChoice
	Metrics, Ops, Zones             []string
}

// planTalkRow is one talk-metric filter of the form.
type planTalkRow struct{ Metric, Op, Value string }

// formVersionChoice is a form version a plan may create drafts with.
type formVersionChoice struct {
	ID    int64
	Label string
}

// ErrorFor returns qa's reason when it refused the field, else "".
func (f planForm) ErrorFor(field string) string {
	if f.ErrField == field || strings.HasPrefix(f.ErrField, field+".") {
		return f.ErrMsg
	}
	return ""
}

// newPlanForm is a new plan's form: qa's defaults, filled in.
func newPlanForm() planForm {
	return planForm{Active: true, Period: string(qa.PeriodWeek), TimeZone: "UTC", Quota: "5",
		Spread: string(qa.SpreadDays), SecondShare: formNum(qa.DefaultSecondReviewShare * 100),
		Agents: map[int64]bool{}, Teams: map[int64]bool{}, Reviewers: map[int64]bool{},
		Caps: map[int64]string{}, Talk: make([]planTalkRow, planTalkRows)}
}

func planFormFromPlan(p *qa.Plan) planForm {
	f := newPlanForm()
	f.ID, f.Name, f.Active = p.ID, p.Name, p.Active
	f.Period, f.TimeZone, f.Spread = string(p.Period), p.TimeZone, string(p.Spread)
	f.Quota, f.Blind = strconv.Itoa(p.Quota), p.Blind
	if p.SecondReviewShare != nil {
		f.SecondShare = formNum(*p.SecondReviewShare * 100)
	}
	if p.FormVersionID != nil {
		f.FormVersion = fmt.Sprint(*p.FormVersionID)
	}
	for _, id := range p.Filters.AgentIDs {
		f.Agents[id] = true
	}
	for _, id := range p.Filters.TeamIDs {
		f.Teams[id] = true
	}
	for _, r := range p.Reviewers {
		f.Reviewers[r.UserID] = true
		if r.Cap > 0 {
			f.Caps[r.UserID] = strconv.Itoa(r.Cap)
		}
	}
	pf := p.Filters
	f.From, f.To = planUTCLocal(pf.From), planUTCLocal(pf.To)
	f.Direction = string(pf.Direction)
	f.MinSec, f.MaxSec = planMsToSec(pf.MinDurationMS), planMsToSec(pf.MaxDurationMS)
	f.RecordingPresent, f.NotEvaluated = pf.RecordingPresent, pf.NotEvaluated
	f.Talk = nil
	for _, tf := range pf.Talk {
		f.Talk = append(f.Talk, planTalkRow{Metric: tf.Metric, Op: tf.Op,
			Value: strconv.FormatInt(tf.Value, 10)})
	}
	f.Talk = append(f.Talk, make([]planTalkRow, planTalkRows)...)
	return f
}

func planUTCLocal(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(webTimeLayout)
}

func planMsToSec(ms int64) string {
	if ms == 0 {
		return ""
	}
	return formNum(float64(ms) / 1000)
}

// planFormFromPost reads the posted form as typed.
func planFormFromPost(c echo.Context) planForm {
	f := newPlanForm()
	v := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	on := func(name string) bool { return c.FormValue(name) != "" }
	f.Name, f.Active, f.Period, f.TimeZone = v("name"), on("active"), v("period"), v("time_zone")
	f.Quota, f.Spread, f.Blind, f.SecondShare = v("quota"), v("spread"), on("blind"), v("second_share")
	f.FormVersion, f.From, f.To, f.Direction = v("form_version_id"), v("from"), v("to"), v("direction")
	f.MinSec, f.MaxSec = v("min_sec"), v("max_sec")
	f.RecordingPresent, f.NotEvaluated = on("recording_present"), on("not_evaluated")
	form, _ := c.FormParams()
	for name, set := range map[string]map[int64]bool{"agent_id": f.Agents, "team_id": f.Teams,
		"reviewer_id": f.Reviewers} {
		for _, s := range form[name] {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				set[id] = true
			}
		}
	}
	for name, vals := range form {
		if id, ok := strings.CutPrefix(name, "cap_"); ok && len(vals) > 0 && vals[0] != "" {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				f.Caps[n] = strings.TrimSpace(vals[0])
			}
		}
	}
	// Rows come numbered from 0; the form offers as many as the plan had,
	// plus a few empty ones.
	f.Talk = nil
	for i := 0; i < maxTalkRows && form.Has(fmt.Sprintf("talk_metric_%d", i)); i++ {
		f.Talk = append(f.Talk, planTalkRow{Metric: v(fmt.Sprintf("talk_metric_%d", i)),
			Op: v(fmt.Sprintf("talk_op_%d", i)), Value: v(fmt.Sprintf("talk_value_%d", i))})
	}
	return f
}

// input turns the form into qa's PlanInput. What qa checks (names,
// ranges, references) it leaves to qa; it refuses only text that is not
// a number or a time where one is needed.
func (f planForm) input() (qa.PlanInput, error) {
	active := f.Active
	in := qa.PlanInput{Name: f.Name, Active: &active, PlanDefinition: qa.PlanDefinition{
		Period: qa.PeriodKind(f.Period), TimeZone: f.TimeZone, Spread: qa.Spread(f.Spread),
		Blind: f.Blind}}
	var err error
	if in.Quota, err = strconv.Atoi(f.Quota); err != nil {
		return in, &qa.InputError{Field: "quota", Msg: "give a whole number of calls"}
	}
	if f.SecondShare != "" {
		pc, err := strconv.ParseFloat(f.SecondShare, 64)
		if err != nil {
			return in, &qa.InputError{Field: "second_review_share", Msg: "give a percentage such as 10"}
		}
		share := pc / 100
		in.SecondReviewShare = &share
	}
	if f.FormVersion != "" {
		id, err := strconv.ParseInt(f.FormVersion, 10, 64)
		if err != nil {
			return in, &qa.InputError{Field: "form_version_id", Msg: "choose a form from the list"}
		}
		in.FormVersionID = &id
	}
	for _, u := range planSortedIDs(f.Reviewers) {
		r := qa.PoolReviewer{UserID: u}
		if s := f.Caps[u]; s != "" {
			if r.Cap, err = strconv.Atoi(s); err != nil {
				return in, &qa.InputError{Field: "reviewers",
					Msg: "a cap is a whole number of calls, or empty"}
			}
		}
		in.Reviewers = append(in.Reviewers, r)
	}
	in.Filters, err = f.filters()
	return in, err
}

func (f planForm) filters() (qa.PlanFilters, error) {
	pf := qa.PlanFilters{AgentIDs: planSortedIDs(f.Agents), TeamIDs: planSortedIDs(f.Teams),
		Direction: qa.Direction(f.Direction), RecordingPresent: f.RecordingPresent,
		NotEvaluated: f.NotEvaluated}
	var err error
	if pf.From, err = planParseUTC("filters.from", f.From); err != nil {
		return pf, err
	}
	if pf.To, err = planParseUTC("filters.to", f.To); err != nil {
		return pf, err
	}
	if pf.MinDurationMS, err = planSecToMS("filters.min_duration_ms", f.MinSec); err != nil {
		return pf, err
	}
	if pf.MaxDurationMS, err = planSecToMS("filters.max_duration_ms", f.MaxSec); err != nil {
		return pf, err
	}
	for _, r := range f.Talk {
		if r.Metric == "" {
			continue
		}
		n, err := strconv.ParseInt(r.Value, 10, 64)
		if err != nil {
			return pf, &qa.InputError{Field: "filters.talk", Msg: "give each talk filter a whole number"}
		}
		pf.Talk = append(pf.Talk, qa.TalkFilter{Metric: r.Metric, Op: r.Op, Value: n})
	}
	return pf, nil
}

func planParseUTC(field, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(webTimeLayout, s, time.UTC)
	if err != nil {
		return nil, &qa.InputError{Field: field, Msg: "give a date and time such as 2026-03-02T09:00"}
	}
	return &t, nil
}

func planSecToMS(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	sec, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, &qa.InputError{Field: field, Msg: "give a number of seconds"}
	}
	return int64(sec * 1000), nil
}

// planSortedIDs lists the ids set in m, smallest first, so that the stored
// plan does not depend on map order.
func planSortedIDs(m map[int64]bool) []int64 {
	var out []int64
	for id, on := range m {
		if on {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// planChoices fills in what the form offers: agents, teams, reviewers,
// form versions, talk metrics and a few time zones.
func (s *Server) planChoices(ctx context.Context, f planForm) (planForm, error) {
	var err error
	// Inactive agents are offered only when the plan names them, so that
	// saving the form keeps them; draws skip them either way.
	agents, err := s.cfg.QA.ListAgents(ctx, qa.AgentFilter{Inactive: true})
	if err != nil {
		return f, err
	}
	for _, a := range agents {
		if a.Active || f.Agents[a.ID] {
			f.AgentChoices = append(f.AgentChoices, a)
		}
	}
	if f.TeamChoices, err = s.cfg.QA.ListTeams(ctx); err != nil {
		return f, err
	}
	users, err := s.cfg.QA.ListUsers(ctx)
	if err != nil {
		return f, err
	}
	for _, u := range users {
		if (!u.Disabled && u.HasAny(scoringRole...)) || f.Reviewers[u.ID] {
			f.ReviewerChoices = append(f.ReviewerChoices, u)
		}
	}
	if f.FormChoices, err = s.formChoices(ctx, f.FormVersion); err != nil {
		return f, err
	}
	f.Metrics = []string{"talk_ms_left", "talk_ms_right", "overtalk_ms", "silence_ms",
		"longest_silence_ms", "warnings_count"}
	f.Ops = []string{">=", "<=", ">", "<", "="}
	f.Zones = []string{"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York",
		"America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo",
		"Australia/Sydney"}
	return f, nil
}

// formChoices offers each form's latest version, and the version the
// plan names if a later one replaced it.
func (s *Server) formChoices(ctx context.Context, current string) ([]formVersionChoice, error) {
	forms, err := s.cfg.QA.ListForms(ctx)
	if err != nil {
		return nil, err
	}
	var out []formVersionChoice
	found := current == ""
	for _, f := range forms {
		out = append(out, formVersionChoice{ID: f.Latest.ID,
			Label: fmt.Sprintf("%s (version %d, the latest)", f.Name, f.Latest.Version)})
		found = found || fmt.Sprint(f.Latest.ID) == current
	}
	if id, err := strconv.ParseInt(current, 10, 64); err == nil && !found {
		label := fmt.Sprintf("form version %d", id)
		if v, err := s.cfg.QA.GetFormVersion(ctx, id); err == nil {
			label = fmt.Sprintf("version %d of form %d (not the latest)", v.Version, v.FormID)
		}
		out = append(out, formVersionChoice{ID: id, Label: label})
	}
	return out, nil
}

// planFieldLabel words a plan field path for people.
func planFieldLabel(field string) string {
	labels := map[string]string{"name": "Name", "period": "Period", "quota": "Calls per agent",
		"time_zone": "Time zone", "spread": "Spread", "reviewers": "Reviewers",
		"second_review_share": "Second reviews", "form_version_id": "Form",
		"filters.team_ids": "Teams", "filters.agent_ids": "Agents", "filters.from": "Calls from",
		"filters.to": "Calls until", "filters.direction": "Direction",
		"filters.min_duration_ms": "Shortest call", "filters.max_duration_ms": "Longest call",
		"filters.talk": "Talk filters"}
	if l, ok := labels[field]; ok {
		return l
	}
	return "The plan"
}
