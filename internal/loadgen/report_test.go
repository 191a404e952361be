package loadgen

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func msd(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestPercentiles(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = msd(float64(100 - i)) // 100 ms down to 1 ms
	}
	tests := []struct {
		name   string
		sample []time.Duration
		want   Percentiles
	}{
		{name: "empty", want: Percentiles{}},
		{name: "one", sample: []time.Duration{msd(7)},
			want: Percentiles{N: 1, P50: msd(7), P90: msd(7), P99: msd(7), Max: msd(7)}},
		{name: "two: p50 is the lower", sample: []time.Duration{msd(9), msd(3)},
			want: Percentiles{N: 2, P50: msd(3), P90: msd(9), P99: msd(9), Max: msd(9)}},
		{name: "ten", sample: []time.Duration{msd(1), msd(2), msd(3), msd(4), msd(5), msd(6), msd(7),
			msd(8), msd(9), msd(100)},
			want: Percentiles{N: 10, P50: msd(5), P90: msd(9), P99: msd(100), Max: msd(100)}},
		{name: "hundred, unsorted", sample: hundred,
			want: Percentiles{N: 100, P50: msd(50), P90: msd(90), P99: msd(99), Max: msd(100)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, percentiles(tt.sample)); diff != "" {
				t.Errorf("percentiles (-want +got):\n%s", diff)
			}
		})
	}
	if hundred[0] != msd(100) {
		t.Error("percentiles sorted its argument in place")
	}
}

// testCall returns a call that went from INVITE to BYE at the given offsets
// from t0, in milliseconds.
func testCall(i int, t0 time.Time, invite, answered, bye, byeOK float64) CallResult {
	at := func(v float64) time.Time { return t0.Add(msd(v)) }
	return CallResult{Index: i, SIPCallID: "c" + string(rune('0'+i)), InviteSent: at(invite),
		Answered: at(answered), ByeSent: at(bye), ByeAnswered: at(byeOK), Sent: 100}
}

func testReport() *Report {
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	cfg := Config{Calls: 4, Concurrency: 2, Duration: 2 * time.Second, Transport: "udp",
		Dialect: "genesys", Codec: "pcma", Audio: "tone", API: "http://127.0.0.1:8080",
		DurationSlack: msd(250), MaxUnreceived: 0.0001,
		target: netip.MustParseAddrPort("127.0.0.1:5060")}
	calls := []CallResult{
		testCall(0, t0, 0, 4, 2004, 2006),
		testCall(1, t0, 10, 18, 2018, 2020),
		{Index: 2, SIPCallID: "c2", InviteSent: t0, Failure: "503 Service Unavailable"},
		{Index: 3, SIPCallID: "c3", Failure: "503 Service Unavailable"},
	}
	calls[0].Check = &Check{Listed: true, ListedAfter: msd(120), Streams: 2, PacketsReceived: 100}
	calls[1].Check = &Check{Listed: true, ListedAfter: msd(80), Streams: 2, PacketsReceived: 98,
		PacketsLost: 2, Problem: "2 packets counted lost, 0 left unsent"}
	return &Report{Config: cfg, Started: t0, Ended: t0.Add(msd(2100)), Calls: calls,
		PacketsSent: 200, Senders: 1}
}

func TestWriteSummary(t *testing.T) {
	var b bytes.Buffer
	testReport().WriteSummary(&b)
	want := `loadgen: 4 calls to 127.0.0.1:5060 over udp as genesys, PCMA tone, 2 at a time, 2s each, no rate limit
calls:       2 succeeded, 2 failed, in 2.1s (111.1 answered a second)
setup:       p50 4.0 ms, p90 8.0 ms, p99 8.0 ms, max 8.0 ms (INVITE to 200, 2 calls)
failures:    503 Service Unavailable: 2
rtp:         200 packets sent, 0 left unsent, from 1 socket
recordings:  2 checked at http://127.0.0.1:8080, 1 with problems
listed:      p50 80.0 ms, p90 120 ms, p99 120 ms, max 120 ms (BYE to listed, 2 recordings)
received:    198 of 200 packets sent (1.0000% not received), 2 counted lost
duration:    each within 100 ms + 250 ms slack of the call's span on the wire
  c1: 2 packets counted lost, 0 left unsent
` + "result:      FAIL: 2 of 4 calls failed; 1 of 2 recordings failed their check; " +
		"1.0000% of the packets sent not received, more than the 0.0100% allowed\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestReportErr(t *testing.T) {
	rep := testReport()
	rep.Calls = rep.Calls[:1]
	if err := rep.Err(); err != nil {
		t.Errorf("Err() = %v for a report with nothing wrong", err)
	}
	rep.Calls[0].Check.PacketsReceived = 99
	if err := rep.Err(); err == nil || !strings.Contains(err.Error(), "1.0000% of the packets") {
		t.Errorf("Err() = %v, want the packets not received counted", err)
	}
	rep.Calls[0].Check.PacketsReceived = 100
	rep.Calls[0].Check.Problem = "not listed"
	if err := rep.Err(); err == nil || !strings.Contains(err.Error(), "1 of 1 recordings") {
		t.Errorf("Err() = %v, want the failed check counted", err)
	}
	rep.Config.API = ""
	if err := rep.Err(); err != nil {
		t.Errorf("Err() = %v without an API, want checks ignored", err)
	}
}

func TestJudge(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	// INVITE at 0, 200 at 10 ms, BYE at 2010 ms, its 200 at 2015 ms: the
	// recording may last 1900 ms to 2015+100+250 = 2365 ms.
	res := testCall(0, t0, 0, 10, 2010, 2015)
	res.Unsent = 3
	ok := apiCall{ID: "r1", DurationMS: 2030, Streams: []apiStream{{98, 1}, {99, 2}}}
	tests := []struct {
		name    string
		edit    func(c *apiCall)
		maxLoss float64
		problem string
	}{
		{name: "fine", edit: func(*apiCall) {}},
		{name: "shortest allowed", edit: func(c *apiCall) { c.DurationMS = 1900 }},
		{name: "too short", edit: func(c *apiCall) { c.DurationMS = 1899 },
			problem: "lasts 1.899s, want 1.9s to 2.365s"},
		{name: "longest allowed", edit: func(c *apiCall) { c.DurationMS = 2365 }},
		{name: "too long", edit: func(c *apiCall) { c.DurationMS = 2366 },
			problem: "lasts 2.366s, want 1.9s to 2.365s"},
		{name: "more lost than unsent", edit: func(c *apiCall) { c.Streams[1].PacketsLost = 3 },
			problem: "4 packets counted lost, 3 left unsent and 0 allowed by max loss 0%: " +
				"raise max loss if the network loses packets"},
		// 100 packets sent: 2% lets the network lose 2 on top of the 3 unsent.
		{name: "network loss within max loss", maxLoss: 0.02,
			edit: func(c *apiCall) { c.Streams[1].PacketsLost = 4 }},
		{name: "network loss beyond max loss", maxLoss: 0.02,
			edit: func(c *apiCall) { c.Streams[1].PacketsLost = 5 },
			problem: "6 packets counted lost, 3 left unsent and 2 allowed by max loss 2%: " +
				"raise max loss if the network loses packets"},
		// 100 * 0.29 is 28.999... in floating point: still 29 allowed.
		{name: "max loss not cut by rounding", maxLoss: 0.29,
			edit: func(c *apiCall) { c.Streams[1].PacketsLost = 30 }},
		{name: "one stream", edit: func(c *apiCall) { c.Streams = c.Streams[:1] },
			problem: "1 streams, want 2"},
		{name: "interrupted and long",
			edit:    func(c *apiCall) { c.Interrupted = true; c.DurationMS = 9000 },
			problem: "flagged interrupted; lasts 9s, want 1.9s to 2.365s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			c.Streams = append(c.Streams[:0:0], ok.Streams...)
			tt.edit(&c)
			got := judge(&res, &c, msd(40), &Config{DurationSlack: msd(250), MaxLoss: tt.maxLoss})
			if got.Problem != tt.problem {
				t.Errorf("problem %q, want %q", got.Problem, tt.problem)
			}
			if !got.Listed || got.ListedAfter != msd(40) || got.RecordingID != "r1" {
				t.Errorf("check %+v, want listed after 40 ms as r1", got)
			}
		})
	}
}
