package loadgen

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Report is the outcome of a run.
type Report struct {
	Config         Config
	Started, Ended time.Time
	// Calls holds every call, placed or not, in the order of placing.
	Calls []CallResult
	// PacketsSent and PacketsUnsent count RTP packets over every stream.
	PacketsSent, PacketsUnsent int64
	Senders                    int
	SendErrors                 int64
	FirstSendError             string
	// Stopped says why the run ended before its calls did, "" if it did not.
	Stopped string
}

// Percentiles summarize a sample of durations: nearest-rank percentiles
// (the smallest value with at least p% of the sample at or below it).
type Percentiles struct {
	N                  int
	P50, P90, P99, Max time.Duration
}

func percentiles(sample []time.Duration) Percentiles {
	if len(sample) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(sample)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p/100*float64(len(s)))) - 1
		return s[max(i, 0)]
	}
	return Percentiles{N: len(s), P50: rank(50), P90: rank(90), P99: rank(99), Max: s[len(s)-1]}
}

// String is "p50 X, p90 Y, p99 Z, max W" in milliseconds, or "none".
func (p Percentiles) String() string {
	if p.N == 0 {
		return "none"
	}
	return fmt.Sprintf("p50 %s, p90 %s, p99 %s, max %s", ms(p.P50), ms(p.P90), ms(p.P99), ms(p.Max))
}

// ms formats a duration in milliseconds, to a tenth below 100 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 100 {
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

// Count is how many calls share an outcome.
type Count struct {
	What string
	N    int
}

// Succeeded is how many calls went from INVITE to BYE without a failure.
func (r *Report) Succeeded() int {
	n := 0
	for i := range r.Calls {
		if r.Calls[i].Failure == "" {
			n++
		}
	}
	return n
}

// Failures counts the failed calls by why they failed, most first.
func (r *Report) Failures() []Count {
	by := map[string]int{}
	for i := range r.Calls {
		if f := r.Calls[i].Failure; f != "" {
			by[f]++
		}
	}
	out := make([]Count, 0, len(by))
	for what, n := range by {
		out = append(out, Count{what, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.What, b.What))
	})
	return out
}

// Setup is the INVITE-to-200 latency of the calls answered.
func (r *Report) Setup() Percentiles {
	return r.sample(func(c *CallResult) (time.Duration, bool) {
		return c.Setup(), !c.Answered.IsZero()
	})
}

// Listing is the BYE-to-listed latency of the recordings listed.
func (r *Report) Listing() Percentiles {
	return r.sample(func(c *CallResult) (time.Duration, bool) {
		if c.Check == nil || !c.Check.Listed {
			return 0, false
		}
		return c.Check.ListedAfter, true
	})
}

func (r *Report) sample(of func(*CallResult) (time.Duration, bool)) Percentiles {
	var s []time.Duration
	for i := range r.Calls {
		if d, ok := of(&r.Calls[i]); ok {
			s = append(s, d)
		}
	}
	return percentiles(s)
}

// SetupRate is the calls answered per second, from the first INVITE to
// the last answer.
func (r *Report) SetupRate() float64 {
	var first, last time.Time
	n := 0
	for i := range r.Calls {
		c := &r.Calls[i]
		if c.Answered.IsZero() {
			continue
		}
		n++
		if first.IsZero() || c.InviteSent.Before(first) {
			first = c.InviteSent
		}
		if c.Answered.After(last) {
			last = c.Answered
		}
	}
	if n < 2 || !last.After(first) {
		return 0
	}
	return float64(n) / last.Sub(first).Seconds()
}

// checks returns the calls checked, those with a problem, and the
// recorder's packet counts over the recordings listed.
func (r *Report) checks() (checked int, bad []*CallResult, received, lost, sent int64) {
	for i := range r.Calls {
		c := &r.Calls[i]
		if c.Check == nil {
			continue
		}
		checked++
		if c.Check.Problem != "" {
			bad = append(bad, c)
		}
		if c.Check.Listed {
			received += c.Check.PacketsReceived
			lost += c.Check.PacketsLost
			sent += c.Sent
		}
	}
	return checked, bad, received, lost, sent
}

// Err is nil when every call succeeded and every check passed, else one
// line saying how many did not.
func (r *Report) Err() error {
	var parts []string
	if failed := len(r.Calls) - r.Succeeded(); failed > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d calls failed", failed, len(r.Calls)))
	}
	if r.Config.API != "" {
		checked, bad, received, _, sent := r.checks()
		if len(bad) > 0 {
			parts = append(parts,
				fmt.Sprintf("%d of %d recordings failed their check", len(bad), checked))
		}
		if share := unreceived(received, sent); share > r.Config.MaxUnreceived {
			parts = append(parts, fmt.Sprintf("%.4f%% of the packets sent not received, "+
				"more than the %.4f%% allowed", 100*share, 100*r.Config.MaxUnreceived))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("loadgen: %s", strings.Join(parts, "; "))
}

// WriteSummary writes the report for a person: what was run, the calls'
// outcomes, setup latency, RTP sent and, given an API, the checks.
func (r *Report) WriteSummary(w io.Writer) {
	c := &r.Config
	rate := "no rate limit"
	if c.Rate > 0 {
		rate = fmt.Sprintf("at most %g new calls/s", c.Rate)
	}
	fmt.Fprintf(w, "loadgen: %d calls to %s over %s as %s, %s %s, %d at a time, %s each, %s\n",
		c.Calls, c.target, c.Transport, c.Dialect, strings.ToUpper(c.Codec), c.Audio,
		c.Concurrency, c.Duration, rate)
	if r.Stopped != "" {
		fmt.Fprintf(w, "stopped:     %s\n", r.Stopped)
	}
	fmt.Fprintf(w, "calls:       %d succeeded, %d failed, in %s (%.1f answered a second)\n",
		r.Succeeded(), len(r.Calls)-r.Succeeded(), r.Ended.Sub(r.Started).Round(time.Millisecond),
		r.SetupRate())
	fmt.Fprintf(w, "setup:       %s (INVITE to 200, %s)\n", r.Setup(), plural(r.Setup().N, "call"))
	fmt.Fprintf(w, "failures:    %s\n", formatCounts(r.Failures()))
	fmt.Fprintf(w, "rtp:         %d packets sent, %d left unsent, from %s\n",
		r.PacketsSent, r.PacketsUnsent, plural(r.Senders, "socket"))
	if r.SendErrors > 0 {
		fmt.Fprintf(w, "send errors: %d, the first: %s\n", r.SendErrors, r.FirstSendError)
	}
	if c.API != "" {
		r.writeChecks(w)
	}
	if err := r.Err(); err != nil {
		fmt.Fprintf(w, "result:      FAIL: %s\n", strings.TrimPrefix(err.Error(), "loadgen: "))
		return
	}
	fmt.Fprintln(w, "result:      PASS")
}

// maxProblemsShown bounds the calls listed by name in a summary.
const maxProblemsShown = 10

func (r *Report) writeChecks(w io.Writer) {
	checked, bad, received, lost, sent := r.checks()
	fmt.Fprintf(w, "recordings:  %d checked at %s, %d with problems\n",
		checked, r.Config.API, len(bad))
	listing := r.Listing()
	fmt.Fprintf(w, "listed:      %s (BYE to listed, %s)\n", listing, plural(listing.N, "recording"))
	fmt.Fprintf(w, "received:    %d of %d packets sent (%.4f%% not received), %d counted lost\n",
		received, sent, 100*unreceived(received, sent), lost)
	fmt.Fprintf(w, "duration:    each within %s + %s slack of the call's span on the wire\n",
		ms(durationMargin), ms(r.Config.DurationSlack))
	for i, c := range bad {
		if i == maxProblemsShown {
			fmt.Fprintf(w, "  ... and %d more\n", len(bad)-i)
			break
		}
		fmt.Fprintf(w, "  %s: %s\n", c.SIPCallID, c.Check.Problem)
	}
}

// unreceived is the share of the packets sent that were not received.
func unreceived(received, sent int64) float64 {
	if sent == 0 {
		return 0
	}
	return float64(sent-received) / float64(sent)
}

func formatCounts(counts []Count) string {
	if len(counts) == 0 {
		return "none"
	}
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%s: %d", c.What, c.N)
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
