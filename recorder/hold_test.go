package recorder_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"earshot/recorder"
	"earshot/storage"
)

// TestHoldsAreMarked: a re-INVITE that marks one party's stream inactive
// while the other stays active is a hold of that channel, closed when the
// stream comes back; every stream inactive is a pause, not a hold.
func TestHoldsAreMarked(t *testing.T) {
	sink := newMemSink()
	m, err := recorder.NewManager(recorder.Config{
		SpoolDir: t.TempDir(), BindIP: netip.MustParseAddr("127.0.0.1"),
		PortLow: 33700, PortHigh: 33799, MinFreeBytes: 1,
	}, sink, testLog())
	if err != nil {
		t.Fatal(err)
	}
	// Not t.Context(): it is canceled before cleanups run, and Close must
	// wait for the finalizations writing into the spool folder.
	t.Cleanup(func() { m.Close(context.Background()) })
	conn := udpSender(t)
	remote := netip.MustParseAddrPort(conn.LocalAddr().String())
	streams := func(left, right bool) []recorder.StreamParams {
		return []recorder.StreamParams{
			{Channel: 0, Codecs: pcmu, EventPT: -1, Remote: remote, Active: left},
			{Channel: 1, Codecs: pcmu, EventPT: -1, Remote: remote, Active: right},
		}
	}
	call, err := m.StartCall(recorder.CallParams{SIPCallID: "hold", Streams: streams(true, true)})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct{ left, right bool }{
		{true, false},  // the customer (right) on hold
		{true, true},   // back
		{false, false}, // a pause: no hold
		{true, true},
		{false, true}, // the agent on hold until the end
	}
	for _, st := range steps {
		time.Sleep(150 * time.Millisecond)
		if err := call.Update(streams(st.left, st.right)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(150 * time.Millisecond)
	call.End("bye")
	_, sc := sink.wait(t, call.ID())
	if len(sc.Holds) != 2 {
		t.Fatalf("holds %+v, want the right channel's and the left's", sc.Holds)
	}
	checkHold(t, sc.Holds[0], 1, 150, 300)
	checkHold(t, sc.Holds[1], 0, 750, sc.DurationMS)
}

func checkHold(t *testing.T, h storage.Hold, ch int, startMS, endMS int64) {
	t.Helper()
	near := func(got, want int64) bool { return got >= want-20 && got <= want+120 }
	if h.Channel != ch || !near(h.StartMS, startMS) || !near(h.EndMS, endMS) && h.EndMS != endMS {
		t.Errorf("hold %+v, want channel %d from about %d to %d ms", h, ch, startMS, endMS)
	}
}
