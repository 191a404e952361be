package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Check is one call's recording as the recorder's API lists it.
type Check struct {
	// Listed reports whether the recording was listed within the wait;
	// ListedAfter is the time from the BYE to the first poll that saw it,
	// so it is late by up to one poll interval (20 ms in the first second).
	Listed      bool
	ListedAfter time.Duration
	RecordingID string
	DurationMS  int64
	// Streams, PacketsReceived and PacketsLost are the recorder's counts
	// over the recording's streams.
	Streams                      int
	PacketsReceived, PacketsLost int64
	// Problem says what is wrong with the recording, "" if nothing.
	Problem string
}

// verifyWorkers is how many calls are polled for at once: enough to keep
// up with a few hundred calls ending per second, few enough that polling
// is not a load of its own.
const verifyWorkers = 8

// durationMargin is how far a recording's length may stray from the
// call's span on the wire before DurationSlack.
const durationMargin = 100 * time.Millisecond

// verifier checks each ended call's recording through the API.
type verifier struct {
	cfg    *Config
	client *http.Client
	queue  chan *CallResult
	wg     sync.WaitGroup
}

// apiCall is the part of the API's call that the checks read.
type apiCall struct {
	ID          string      `json:"id"`
	DurationMS  int64       `json:"duration_ms"`
	Interrupted bool        `json:"interrupted"`
	Streams     []apiStream `json:"streams"`
}

type apiStream struct {
	PacketsReceived int64 `json:"packets_received"`
	PacketsLost     int64 `json:"packets_lost"`
}

func newVerifier(cfg *Config) *verifier {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = verifyWorkers
	return &verifier{
		cfg:    cfg,
		client: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		queue:  make(chan *CallResult, cfg.Calls),
	}
}

// preflight asks for one call, so that a wrong address or token stops
// the run before it places any.
func (v *verifier) preflight(ctx context.Context) error {
	_, err := v.list(ctx, url.Values{"limit": {"1"}})
	return err
}

func (v *verifier) start(ctx context.Context) {
	for range verifyWorkers {
		v.wg.Go(func() {
			for res := range v.queue {
				res.Check = v.check(ctx, res)
			}
		})
	}
}

func (v *verifier) enqueue(res *CallResult) { v.queue <- res }

// wait closes the queue and waits for the checks in it.
func (v *verifier) wait() {
	close(v.queue)
	v.wg.Wait()
}

// check polls for the call's recording until it is listed or the wait
// from its BYE has passed, then judges it.
func (v *verifier) check(ctx context.Context, res *CallResult) *Check {
	deadline := res.ByeSent.Add(v.cfg.VerifyWait)
	for {
		calls, err := v.list(ctx, url.Values{"sip_call_id": {res.SIPCallID}})
		seen := time.Now()
		switch {
		case err != nil:
			return &Check{Problem: err.Error()}
		case len(calls) > 1:
			return &Check{Problem: fmt.Sprintf("%d recordings listed, want one", len(calls))}
		case len(calls) == 1:
			return judge(res, &calls[0], seen.Sub(res.ByeSent), v.cfg)
		case seen.After(deadline):
			return &Check{Problem: fmt.Sprintf("not listed within %s of the BYE", v.cfg.VerifyWait)}
		}
		t := time.NewTimer(pollInterval(seen.Sub(res.ByeSent)))
		select {
		case <-ctx.Done():
			t.Stop()
			return &Check{Problem: "not listed before the run stopped"}
		case <-t.C:
		}
	}
}

// pollInterval is short at first, when a recording is most likely to
// appear, so that the time to list it is measured finely.
func pollInterval(sinceBye time.Duration) time.Duration {
	switch {
	case sinceBye < time.Second:
		return 20 * time.Millisecond
	case sinceBye < 10*time.Second:
		return 100 * time.Millisecond
	}
	return 500 * time.Millisecond
}

// list GETs /api/v1/calls with the query given.
func (v *verifier) list(ctx context.Context, q url.Values) ([]apiCall, error) {
	u := strings.TrimRight(v.cfg.API, "/") + "/api/v1/calls?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("api %q: %w", v.cfg.API, err)
	}
	req.Header.Set("Authorization", "Bearer "+v.cfg.Token)
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact(u), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: read: %w", redact(u), err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, fmt.Errorf("GET %s: the API refused the token (%s)", redact(u), resp.Status)
	default:
		return nil, fmt.Errorf("GET %s: %s", redact(u), resp.Status)
	}
	var out struct {
		Calls []apiCall `json:"calls"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("GET %s: decode: %w", redact(u), err)
	}
	return out.Calls, nil
}

// redact drops the query, which names a call, from an address in an
// error repeated for many calls.
func redact(u string) string {
	s, _, _ := strings.Cut(u, "?")
	return s
}

// judge checks a listed recording against the call: complete, two
// streams, as long as the call was on the wire, and no more packets
// counted lost than the generator left out and cfg.MaxLoss allows.
func judge(res *CallResult, c *apiCall, listedAfter time.Duration, cfg *Config) *Check {
	ch := &Check{Listed: true, ListedAfter: listedAfter, RecordingID: c.ID,
		DurationMS: c.DurationMS, Streams: len(c.Streams)}
	for _, s := range c.Streams {
		ch.PacketsReceived += s.PacketsReceived
		ch.PacketsLost += s.PacketsLost
	}
	var problems []string
	if c.Interrupted {
		problems = append(problems, "flagged interrupted")
	}
	if ch.Streams != 2 {
		problems = append(problems, fmt.Sprintf("%d streams, want 2", ch.Streams))
	}
	least, most := expectedSpan(res, cfg.DurationSlack)
	if got := time.Duration(c.DurationMS) * time.Millisecond; got < least || got > most {
		problems = append(problems, fmt.Sprintf("lasts %s, want %s to %s", got, least, most))
	}
	if netLoss := allowedLoss(res.Sent, cfg.MaxLoss); ch.PacketsLost > res.Unsent+netLoss {
		problems = append(problems, fmt.Sprintf("%d packets counted lost, %d left unsent "+
			"and %d allowed by max loss %.4g%%: raise max loss if the network loses packets",
			ch.PacketsLost, res.Unsent, netLoss, 100*cfg.MaxLoss))
	}
	ch.Problem = strings.Join(problems, "; ")
	return ch
}

// allowedLoss is how many of sent packets the network may lose at the
// share maxLoss, rounded down. The nudge keeps rounding error from taking
// a packet away: 100 packets at 0.29 is 28.999... in floating point.
func allowedLoss(sent int64, maxLoss float64) int64 {
	return int64(math.Floor(float64(sent)*maxLoss + 1e-6))
}

// expectedSpan bounds how long a recording of the call may last: at
// least from the 200 to the BYE, at most from the INVITE to the BYE's
// answer, less and plus durationMargin, and slack on top for the end
// stamp. Bounds are rounded to the millisecond, as recordings are.
func expectedSpan(res *CallResult, slack time.Duration) (least, most time.Duration) {
	least = res.ByeSent.Sub(res.Answered) - durationMargin
	most = res.ByeAnswered.Sub(res.InviteSent) + durationMargin + slack
	return least.Truncate(time.Millisecond), most.Round(time.Millisecond)
}
