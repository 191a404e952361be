package qa

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"time"
)

// DrawAlgorithm names the procedure Draw follows, stored with every draw:
// a change to how calls are picked or assigned must change it, so that a
// draw can be told apart from one made by another procedure.
const DrawAlgorithm = "pcg-days-v1"

// pcgStream is the second PCG seed word; the draw's seed is the first.
const pcgStream = 0x6561727368_6f74 // "earshot"

// maxSeed keeps generated seeds exact in JSON read by JavaScript, whose
// numbers hold 53 bits.
const maxSeed = 1 << 53

// DrawRequest asks for a draw of a plan.
type DrawRequest struct {
	PlanID int64 `json:"plan_id"`
	// Period is any day of the period to draw, 2026-03-02, read in the
	// plan's time zone: the day itself, its ISO week or its month.
	Period string `json:"period"`
	// Seed makes the draw repeat an earlier one; nil draws a new seed.
	Seed *int64 `json:"seed,omitempty"`
}

// Draw is one random sample of calls made by a plan for one period.
type Draw struct {
	ID        int64      `json:"id"`
	PlanID    int64      `json:"plan_id"`
	Seed      int64      `json:"seed"`
	Params    DrawParams `json:"params"`
	Report    DrawReport `json:"report"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy *int64     `json:"created_by,omitempty"`
	// Items are the sampled calls and their reviews; GetDraw fills them,
	// ListDraws does not.
	Items []DrawItem `json:"items,omitempty"`
}

// DrawParams is everything besides the seed and the data that a draw
// depends on.
type DrawParams struct {
	Algorithm string         `json:"algorithm"`
	PlanName  string         `json:"plan_name"`
	Plan      PlanDefinition `json:"plan"`
	Period    DrawPeriod     `json:"period"`
}

// drawAgent is an agent a draw samples.
type drawAgent struct {
	id   int64
	name string
}

// newSeed returns a random seed below maxSeed.
func newSeed() int64 {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return int64(binary.LittleEndian.Uint64(b[:]) % maxSeed)
}

// Draw samples calls by a plan for one period: per agent, min(quota,
// eligible) calls picked uniformly at random (within each day of the
// period when the plan spreads over days), each assigned to a reviewer of
// the pool and a share to a second reviewer. The seed and the plan as it
// is now are stored with the draw, so that the same seed over the same
// calls gives the same draw. An inactive plan is ErrConflict.
func (s *Service) Draw(ctx context.Context, caller *User, req DrawRequest) (*Draw, error) {
	if err := samplingStaff(caller, "drawing calls"); err != nil {
		return nil, err
	}
	plan, err := s.GetPlan(ctx, caller, req.PlanID)
	if err != nil {
		return nil, err
	}
	if !plan.Active {
		return nil, fmt.Errorf("plan %q is inactive: %w", plan.Name, ErrConflict)
	}
	// Fill in the defaults of a definition stored by an older build.
	if err := plan.normalize(); err != nil {
		return nil, fmt.Errorf("plan %d as stored: %w", plan.ID, err)
	}
	loc, err := plan.location()
	if err != nil {
		return nil, fmt.Errorf("draw plan %d: %w", plan.ID, err)
	}
	period, err := periodOf(plan.Period, req.Period, loc)
	if err != nil {
		return nil, err
	}
	seed := newSeed()
	if req.Seed != nil {
		seed = *req.Seed
	}
	job := drawJob{caller: caller, planID: plan.ID, seed: seed, params: DrawParams{
		Algorithm: DrawAlgorithm, PlanName: plan.Name, Plan: plan.PlanDefinition, Period: period}}
	var id int64
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		id, err = s.drawTx(ctx, tx, job)
		return err
	})
	if err != nil {
		return nil, err
	}
	d, err := s.GetDraw(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	s.log.Info("calls drawn", "draw_id", id, "plan_id", plan.ID, "seed", seed,
		"drawn", d.Report.Drawn, "shortfall", d.Report.Shortfall, "user_id", caller.ID)
	return d, nil
}

// drawJob is one draw to make.
type drawJob struct {
	caller *User
	planID int64
	seed   int64
	params DrawParams
}

// drawTx makes and stores the draw, within tx, and returns its id.
func (s *Service) drawTx(ctx context.Context, tx *sql.Tx, job drawJob) (int64, error) {
	in := sampleInput{def: &job.params.Plan, period: job.params.Period}
	var err error
	if in.agents, err = drawAgents(ctx, tx, in.def.Filters); err != nil {
		return 0, fmt.Errorf("draw: %w", err)
	}
	spec := eligibleSpec{def: in.def, period: in.period, agents: agentIDs(in.agents)}
	if in.eligible, err = eligibleCalls(ctx, tx, spec); err != nil {
		return 0, fmt.Errorf("draw: %w", err)
	}
	var skipped []SkippedReviewer
	if in.pool, skipped, err = loadPool(ctx, tx, in.def.Reviewers); err != nil {
		return 0, fmt.Errorf("draw: %w", err)
	}

	src := mrand.NewPCG(uint64(job.seed), pcgStream)
	out := sample(mrand.New(src), in)
	out.report.Skipped = skipped
	state, err := src.MarshalBinary()
	if err != nil {
		return 0, fmt.Errorf("draw: save random state: %w", err)
	}

	id, err := s.insertDraw(ctx, tx, drawRow{job: job, report: out.report, state: state})
	if err != nil {
		return 0, err
	}
	w := itemWrite{drawID: id, caller: job.caller, def: in.def, days: in.period.Days}
	return id, s.insertDrawn(ctx, tx, w, out.items())
}

func agentIDs(agents []drawAgent) []int64 {
	ids := make([]int64, len(agents))
	for i, a := range agents {
		ids[i] = a.id
	}
	return ids
}

// sampleInput is what the random part of a draw works on.
type sampleInput struct {
	def      *PlanDefinition
	period   DrawPeriod
	agents   []drawAgent // by id
	eligible map[int64][]candidate
	pool     []*poolMember
}

// sampled is the outcome of a draw before it is stored.
type sampled struct {
	byAgent [][]drawnCall
	seconds []drawnCall
	report  DrawReport
}

// items returns every review of the draw: by agent, then by start, first
// reviews before second ones.
func (o *sampled) items() []drawnCall {
	var out []drawnCall
	for _, calls := range o.byAgent {
		out = append(out, calls...)
	}
	out = append(out, o.seconds...)
	sortDrawn(out)
	return out
}

// sample is the random part of a draw. It draws from rng in a fixed
// order, agents by id and their calls by start, so that it is a pure
// function of the seed and its input.
func sample(rng *mrand.Rand, in sampleInput) *sampled {
	out := &sampled{byAgent: make([][]drawnCall, len(in.agents))}
	for i, a := range in.agents {
		calls := in.eligible[a.id]
		for _, j := range selectCalls(rng, calls, len(in.period.Days), in.def.Quota, in.def.Spread) {
			out.byAgent[i] = append(out.byAgent[i], drawnCall{agentID: a.id, cand: calls[j]})
		}
		out.report.Agents = append(out.report.Agents, in.agentReport(a, calls, out.byAgent[i]))
	}
	asg := newAssigner(rng, in.pool)
	primaries := asg.assignPrimaries(out.byAgent)
	var wanted int
	out.seconds, wanted = asg.secondReviews(rng, primaries, *in.def.SecondReviewShare)
	out.report.finish(asg, out.byAgent, out.seconds, wanted)
	return out
}

// drawRow is the draws row of a new draw.
type drawRow struct {
	job    drawJob
	report DrawReport
	state  []byte
}

func (s *Service) insertDraw(ctx context.Context, tx *sql.Tx, row drawRow) (int64, error) {
	p, err := json.Marshal(row.job.params)
	if err != nil {
		return 0, fmt.Errorf("draw: %w", err)
	}
	r, err := json.Marshal(row.report)
	if err != nil {
		return 0, fmt.Errorf("draw: %w", err)
	}
	period := row.job.params.Period
	res, err := tx.ExecContext(ctx, `INSERT INTO draws (plan_id, seed, params, period_start,
		period_end, report, rng_state, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.job.planID, row.job.seed, p, period.Start.UnixMilli(), period.End.UnixMilli(),
		r, row.state, s.nowMS(), row.job.caller.ID)
	if err != nil {
		return 0, fmt.Errorf("store draw: %w", err)
	}
	return res.LastInsertId()
}
