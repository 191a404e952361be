package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Runner is one run of the generator.
type Runner struct {
	cfg        Config
	audio      [2]*legAudio
	speech     *script           // the conversation, with Audio "speech"
	raw        map[string]string // dialect INVITEs by name
	dialects   []string          // in the order calls take them
	requestURI string

	sip     *sipConn
	senders []*sender
	verify  *verifier

	started, answered, active, done, failed atomic.Int64
	sent, unsent                            atomic.Int64
	ran                                     atomic.Bool
}

// Progress is a run's counters so far.
type Progress struct {
	// Started calls have sent their INVITE; Active ones are answered and
	// sending audio; Done ones have ended, Failed among them.
	Started, Active, Done, Failed int64
	// PacketsSent and PacketsUnsent count RTP packets over every stream.
	PacketsSent, PacketsUnsent int64
}

// New checks cfg and prepares a run.
func New(cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Runner{cfg: cfg, raw: map[string]string{}}
	if err := r.loadAudio(); err != nil {
		return nil, err
	}
	r.dialects = []string{cfg.Dialect}
	if cfg.Dialect == DialectMix {
		r.dialects = Dialects()
	}
	for _, name := range r.dialects {
		raw, err := lookupDialect(name)
		if err != nil {
			return nil, err
		}
		r.raw[name] = raw
	}
	if cfg.API != "" {
		r.verify = newVerifier(&r.cfg)
	}
	return r, nil
}

// loadAudio prepares the payloads of both streams.
func (r *Runner) loadAudio() error {
	if r.cfg.Audio == AudioTone {
		for i, hz := range LegTones {
			r.audio[i] = newLegAudio(hz, r.cfg.pt)
		}
		return nil
	}
	s, err := loadScript()
	if err != nil {
		return err
	}
	r.speech = s
	for leg := range r.audio {
		r.audio[leg] = newSpeechAudio(s, leg, r.cfg.pt)
	}
	return nil
}

// audioFrom is the packet of the audio that call i's streams start at:
// the tones start at 0, so the clicks fall where the checks expect them.
func (r *Runner) audioFrom(i int) int {
	if r.speech == nil {
		return 0
	}
	return r.speech.exchangeStart(i)
}

// Progress returns the counters so far; it is safe during Run.
func (r *Runner) Progress() Progress {
	return Progress{
		Started: r.started.Load(), Active: r.active.Load(), Done: r.done.Load(),
		Failed: r.failed.Load(), PacketsSent: r.sent.Load(), PacketsUnsent: r.unsent.Load(),
	}
}

// Run places the calls and, given an API, checks their recordings; a
// Runner runs once. It stops early when ctx ends or the run's time limit passes: calls in
// progress are cut short with a BYE, calls not placed count as failed.
// The error is for a run that could not start (a socket, the API refusing
// the token); failed calls and checks are in the report.
func (r *Runner) Run(ctx context.Context) (*Report, error) {
	if !r.ran.CompareAndSwap(false, true) {
		return nil, errors.New("loadgen: a Runner runs once")
	}
	limit := r.cfg.timeout()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if r.verify != nil {
		if err := r.verify.preflight(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.open(ctx); err != nil {
		return nil, err
	}
	defer r.sip.Close()
	var senders sync.WaitGroup
	sendCtx, stopSenders := context.WithCancel(context.Background())
	for _, s := range r.senders {
		senders.Go(func() { s.run(sendCtx) })
	}
	if r.verify != nil {
		r.verify.start(ctx)
	}

	rep := &Report{Config: r.cfg, Started: time.Now(), Calls: make([]CallResult, r.cfg.Calls)}
	r.placeAll(ctx, rep.Calls)
	stopSenders()
	senders.Wait()
	if r.verify != nil {
		r.verify.wait()
	}
	rep.Ended = time.Now()
	rep.PacketsSent, rep.PacketsUnsent = r.sent.Load(), r.unsent.Load()
	rep.Senders = len(r.senders)
	for _, s := range r.senders {
		rep.SendErrors += s.errs.Load()
		if msg := s.firstErr.Load(); msg != nil && rep.FirstSendError == "" {
			rep.FirstSendError = *msg
		}
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		rep.Stopped = fmt.Sprintf("the run's time limit (%s) passed", limit)
	case ctx.Err() != nil:
		rep.Stopped = "the run was interrupted"
	}
	return rep, nil
}

// open connects the signalling and opens the RTP sockets.
func (r *Runner) open(ctx context.Context) error {
	var err error
	r.sip, err = dialSIP(ctx, r.cfg.Transport, r.cfg.target)
	if err != nil {
		return err
	}
	r.requestURI = inviteParams{target: r.cfg.target, transport: r.sip.transport}.requestURI()
	seed := r.cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	for i := range r.cfg.senders() {
		s, err := newSender(r.cfg.RTPIP, r.cfg.Loss, seed+uint64(i), &r.sent, &r.unsent)
		if err != nil {
			for _, s := range r.senders {
				s.conn.Close()
			}
			r.sip.Close()
			return err
		}
		r.senders = append(r.senders, s)
	}
	return nil
}

// placeAll starts the calls at the rate allowed, at most Concurrency at
// once, and waits for all of them.
func (r *Runner) placeAll(ctx context.Context, results []CallResult) {
	runID := fmt.Sprintf("%08x", rand.Uint32())
	slots := make(chan struct{}, r.cfg.Concurrency)
	var calls sync.WaitGroup
	first := time.Now()
	for i := range results {
		results[i] = CallResult{Index: i, Dialect: r.dialects[i%len(r.dialects)],
			SIPCallID: fmt.Sprintf("loadgen-%s-%d@%s", runID, i, r.cfg.RTPIP)}
		if !r.waitTurn(ctx, first, i, slots) {
			for j := i; j < len(results); j++ {
				results[j].Failure = "not placed before the run stopped"
			}
			r.failed.Add(int64(len(results) - i))
			break
		}
		res := &results[i]
		calls.Go(func() {
			defer func() { <-slots }()
			r.placeOne(ctx, res)
		})
	}
	calls.Wait()
}

// waitTurn waits until call i may start: its time at the rate given, and
// a free slot. It reports false when the run stops first.
func (r *Runner) waitTurn(ctx context.Context, first time.Time, i int, slots chan struct{}) bool {
	if r.cfg.Rate > 0 {
		at := first.Add(time.Duration(float64(i) / r.cfg.Rate * float64(time.Second)))
		if wait := time.Until(at); wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return false
			case <-t.C:
			}
		}
	}
	select {
	case <-ctx.Done():
		return false
	case slots <- struct{}{}:
		return true
	}
}

// placeOne runs one call and hands it to the checks.
func (r *Runner) placeOne(ctx context.Context, res *CallResult) {
	r.started.Add(1)
	if c, err := r.newCall(res); err != nil {
		res.Failure = err.Error()
	} else {
		c.place(ctx)
	}
	if !res.Answered.IsZero() {
		r.active.Add(-1)
	}
	if res.Failure != "" {
		r.failed.Add(1)
	}
	r.done.Add(1)
	if r.cfg.OnCallDone != nil {
		r.cfg.OnCallDone(res)
	}
	if r.verify != nil && res.Failure == "" {
		r.verify.enqueue(res)
	}
}

// newCall renders the call's INVITE and registers it for its messages.
func (r *Runner) newCall(res *CallResult) (*call, error) {
	tag, branch := fmt.Sprintf("%016x", rand.Uint64()), fmt.Sprintf("z9hG4bK%016x", rand.Uint64())
	snd := r.senders[res.Index%len(r.senders)]
	invite := renderInvite(r.raw[res.Dialect], inviteParams{
		target: r.cfg.target, transport: r.sip.transport, local: r.sip.local,
		callID: res.SIPCallID, fromTag: tag, branch: branch,
		mediaIP: r.cfg.RTPIP, mediaPort: snd.port, pt: r.cfg.pt,
	})
	head, err := parseMessage(invite)
	if err != nil { // the corpus tests rule this out
		return nil, fmt.Errorf("render INVITE as %s: %w", res.Dialect, err)
	}
	return &call{
		run: r, res: res, in: r.sip.register(res.SIPCallID), invite: invite, branch: branch,
		snd: snd, onAnswer: func() { r.active.Add(1) },
		dlg: dialog{transport: r.sip.transport, local: r.sip.local, callID: res.SIPCallID,
			from: head.get("from"), target: r.requestURI},
	}, nil
}
