package catalog

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"earshot/storage"
)

func TestIndexGet(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	// One of each shape: with and without talk metrics, DTMF, holds,
	// warnings, vendor ids, and a start time below the millisecond.
	for n := range 6 {
		start := testBase.Add(time.Duration(n)*time.Hour + 1234567*time.Nanosecond)
		s := testSidecar(n, start, int64(60_000+n))
		if err := c.Index(ctx, s); err != nil {
			t.Fatalf("Index %d: %v", n, err)
		}
		got, err := c.Get(ctx, s.RecordingID)
		if err != nil {
			t.Fatalf("Get %d: %v", n, err)
		}
		if diff := cmp.Diff(wantCall(s), got); diff != "" {
			t.Errorf("call %d (-want +got):\n%s", n, diff)
		}
	}
}

func TestIndexReplacesChildren(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	s := testSidecar(4, testBase, 120_000)
	if err := c.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	first := dump(t, c)
	if err := c.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, dump(t, c)); diff != "" {
		t.Fatalf("indexing twice changed the catalog (-first +second):\n%s", diff)
	}

	// The recorder rewrote the sidecar: one participant and stream fewer,
	// no DTMF, talk metrics now known.
	s.Participants = s.Participants[:1]
	s.Streams = s.Streams[1:]
	s.DTMF = nil
	s.Streams[0].SSRCs = nil
	s.Talk = &storage.TalkMetrics{TalkMS: [2]int64{1, 2}, OvertalkMS: 3}
	if err := c.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, s.RecordingID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantCall(s), got, equateEmpty); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	if n := countRows(t, c, "dtmf_events", s.RecordingID); n != 0 {
		t.Errorf("dtmf_events rows: %d, want 0", n)
	}
}

func TestIndexRejects(t *testing.T) {
	bad := testSidecar(1, testBase, 1000)
	bad.RecordingID = "not-a-ulid"
	tests := []struct {
		name string
		s    *storage.Sidecar
	}{
		{name: "nil", s: nil},
		{name: "bad id", s: bad},
	}
	c := openTest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Index(context.Background(), tt.s); err == nil {
				t.Error("got nil error")
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	c := openTest(t)
	_, err := c.Get(context.Background(), testID(1, testBase))
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Get: got %v, want ErrNotFound", err)
	}
}

// listFixture indexes ten calls, an hour apart except calls 8 and 9, which
// start together; call n lasts n+1 minutes; agents take turns (see
// testSidecar). It returns the start time of each.
func listFixture(t *testing.T, c *Catalog) []time.Time {
	t.Helper()
	starts := make([]time.Time, 10)
	for n := range starts {
		starts[n] = testBase.Add(time.Duration(min(n, 8)) * time.Hour)
		s := testSidecar(n, starts[n], int64(n+1)*60_000)
		if err := c.Index(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	return starts
}

func TestList(t *testing.T) {
	c := openTest(t)
	starts := listFixture(t, c)
	id := func(n int) string { return testID(n, starts[n]) }
	minutes := func(m int64) int64 { return m * 60_000 }

	tests := []struct {
		name    string
		filter  ListFilter
		want    []int // call numbers, in order
		wantErr error
	}{
		{name: "everything, newest first, ties by id", want: []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{name: "from is inclusive", filter: ListFilter{From: starts[7]}, want: []int{9, 8, 7}},
		{name: "to is exclusive", filter: ListFilter{To: starts[2]}, want: []int{1, 0}},
		{name: "from and to",
			filter: ListFilter{From: starts[3], To: starts[5]}, want: []int{4, 3}},
		{name: "to before from", filter: ListFilter{From: starts[5], To: starts[3]}},
		{name: "sip call id",
			filter: ListFilter{SIPCallID: "0006-7f3a9c@10.1.2.3"}, want: []int{6}},
		{name: "sip call id is exact", filter: ListFilter{SIPCallID: "0006-7f3a9c"}},
		{name: "participant address substring",
			filter: ListFilter{Participant: "bob@pbx"}, want: []int{7, 4, 1}},
		{name: "participant name ignores case",
			filter: ListFilter{Participant: "ALICE mar"}, want: []int{9, 6, 3, 0}},
		{name: "participant customer number",
			filter: ListFilter{Participant: "+49305550003"}, want: []int{3}},
		{name: "participant wildcards are literal",
			filter: ListFilter{Participant: "%_"}, want: []int{4}},
		{name: "participant no match", filter: ListFilter{Participant: "mallory"}},
		{name: "digits inside a number",
			filter: ListFilter{Participant: "5550003"}, want: []int{3}},
		{name: "accents ignored", filter: ListFilter{Participant: "chloe"}, want: []int{8, 5, 2}},
		{name: "word prefixes, any order",
			filter: ListFilter{Participant: "dur chl"}, want: []int{8, 5, 2}},
		{name: "the scheme alone finds nothing", filter: ListFilter{Participant: "sip"}},
		{name: "min duration is inclusive",
			filter: ListFilter{MinDurationMS: minutes(8)}, want: []int{9, 8, 7}},
		{name: "max duration is inclusive",
			filter: ListFilter{MaxDurationMS: minutes(2)}, want: []int{1, 0}},
		{name: "duration between",
			filter: ListFilter{MinDurationMS: minutes(3), MaxDurationMS: minutes(4)},
			want:   []int{3, 2}},
		{name: "limit", filter: ListFilter{Limit: 3}, want: []int{9, 8, 7}},
		{name: "after a tie", filter: ListFilter{After: id(9), Limit: 2}, want: []int{8, 7}},
		{name: "after", filter: ListFilter{After: id(5), Limit: 2}, want: []int{4, 3}},
		{name: "after the last", filter: ListFilter{After: id(0)}},
		{name: "after with a filter",
			filter: ListFilter{After: id(7), Participant: "alice"}, want: []int{6, 3, 0}},
		{name: "everything at once",
			filter: ListFilter{From: starts[1], To: starts[8], Participant: "bob",
				MaxDurationMS: minutes(5), SIPCallID: "0004-7f3a9c@10.1.2.3"}, want: []int{4}},
		{name: "after a call not in the catalog",
			filter: ListFilter{After: testID(42, testBase)}, wantErr: ErrNotFound},
		{name: "oldest first", filter: ListFilter{Order: OrderOldest}, want: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{name: "oldest after a tie", filter: ListFilter{Order: OrderOldest, After: id(8)}, want: []int{9}},
		{name: "longest first", filter: ListFilter{Order: OrderLongest, Limit: 3}, want: []int{9, 8, 7}},
		{name: "longest after", filter: ListFilter{Order: OrderLongest, After: id(3)}, want: []int{2, 1, 0}},
		{name: "shortest first", filter: ListFilter{Order: OrderShortest, Limit: 3}, want: []int{0, 1, 2}},
		{name: "most overtalk leaves out calls without metrics",
			filter: ListFilter{Order: OrderOvertalk}, want: []int{8, 7, 6, 5, 3, 2, 1, 0}},
		{name: "longest silence ties by id",
			filter: ListFilter{Order: OrderSilence, After: id(5)}, want: []int{3, 2, 1, 0}},
		{name: "min overtalk", filter: ListFilter{MinOvertalkMS: 500}, want: []int{8, 7, 6, 5}},
		{name: "min longest silence", filter: ListFilter{MinLongestSilenceMS: 4001}},
		{name: "min longest silence is inclusive",
			filter: ListFilter{MinLongestSilenceMS: 4000, To: starts[2]}, want: []int{1, 0}},
		{name: "extra condition",
			filter: ListFilter{Where: []Condition{{SQL: "c.duration_ms > ?", Args: []any{minutes(5)}}}},
			want:   []int{9, 8, 7, 6, 5}},
		{name: "unknown order", filter: ListFilter{Order: "loudest"}, wantErr: errUnknownOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, err := c.List(context.Background(), tt.filter)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("List: got error %v, want %v", err, tt.wantErr)
			}
			var want []string
			for _, n := range tt.want {
				want = append(want, id(n))
			}
			if diff := cmp.Diff(want, callIDs(calls)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListCalls checks that List returns whole calls, as Get does, but
// without their marks.
func TestListCalls(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	listFixture(t, c)
	calls, err := c.List(ctx, ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range calls {
		got, err := c.Get(ctx, call.ID)
		if err != nil {
			t.Fatal(err)
		}
		if call.Marks != nil {
			t.Errorf("call %s: List returned its marks", call.ID)
		}
		got.Marks = nil
		if diff := cmp.Diff(got, &call); diff != "" {
			t.Errorf("call %s (-Get +List):\n%s", call.ID, diff)
		}
	}
}

// TestListPages walks every order three calls at a time and checks that
// the pages join up into the whole list, nothing repeated or skipped.
func TestListPages(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	listFixture(t, c)
	for _, order := range Orders {
		t.Run(string(order), func(t *testing.T) {
			all, err := c.List(ctx, ListFilter{Order: order})
			if err != nil {
				t.Fatal(err)
			}
			var paged []Call
			f := ListFilter{Limit: 3, Order: order}
			for range 10 {
				page, err := c.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				paged = append(paged, page...)
				f.After = page[len(page)-1].ID
			}
			if len(all) < 8 {
				t.Fatalf("only %d calls listed", len(all))
			}
			if diff := cmp.Diff(callIDs(all), callIDs(paged)); diff != "" {
				t.Errorf("pages (-all +paged):\n%s", diff)
			}
		})
	}
}

func TestListLimit(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		want  int
	}{
		{name: "zero is the default", limit: 0, want: DefaultListLimit},
		{name: "negative is the default", limit: -5, want: DefaultListLimit},
		{name: "within bounds", limit: 250, want: 250},
		{name: "at the maximum", limit: MaxListLimit, want: MaxListLimit},
		{name: "over the maximum", limit: MaxListLimit + 1, want: MaxListLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listLimit(tt.limit); got != tt.want {
				t.Errorf("listLimit(%d) = %d, want %d", tt.limit, got, tt.want)
			}
		})
	}
}

func TestDeleteCascades(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	keep := testSidecar(1, testBase, 60_000)
	gone := testSidecar(0, testBase.Add(time.Hour), 60_000) // has DTMF and a hold
	for _, s := range []*storage.Sidecar{keep, gone} {
		if err := c.Index(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Delete(ctx, gone.RecordingID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := c.Get(ctx, gone.RecordingID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: got %v, want ErrNotFound", err)
	}
	for _, table := range childTables {
		if n := countRows(t, c, table, gone.RecordingID); n != 0 {
			t.Errorf("%s: %d rows of the deleted call, want 0", table, n)
		}
	}
	if n := countRows(t, c, "participants", keep.RecordingID); n != 2 {
		t.Errorf("participants of the other call: %d rows, want 2", n)
	}
	if err := c.Delete(ctx, gone.RecordingID); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}

// TestConcurrentWriters indexes from several goroutines while others list:
// writers must queue on the lock, not fail with "database is locked".
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	const writers, perWriter = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*2)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				n := w*perWriter + i
				start := testBase.Add(time.Duration(n) * time.Minute)
				errs <- c.Index(ctx, testSidecar(n, start, 1000))
				_, err := c.List(ctx, ListFilter{Participant: "alice"})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	calls, err := c.List(ctx, ListFilter{Limit: MaxListLimit})
	if err != nil || len(calls) != writers*perWriter {
		t.Errorf("List: %d calls, %v; want %d", len(calls), err, writers*perWriter)
	}
}

func TestDumpIgnoresIndexOrder(t *testing.T) {
	ctx := context.Background()
	a, b := openTest(t), openTest(t)
	var sidecars []*storage.Sidecar
	for n := range 8 {
		start := testBase.Add(time.Duration(n) * time.Minute)
		sidecars = append(sidecars, testSidecar(n, start, 5000))
	}
	for _, s := range sidecars {
		if err := a.Index(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range slices.Backward(sidecars) {
		if err := b.Index(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(dump(t, a), dump(t, b)); diff != "" {
		t.Errorf("dumps differ (-forward +backward):\n%s", diff)
	}
}

func dump(t *testing.T, c *Catalog) string {
	t.Helper()
	d, err := c.Dump(context.Background())
	if err != nil {
		t.Fatalf("Dump: %v", err)
	}
	return d
}

func countRows(t *testing.T, c *Catalog, table, callID string) int {
	t.Helper()
	var n int
	err := c.DB().QueryRow(`SELECT count(*) FROM `+table+` WHERE call_id = ?`, callID).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func callIDs(calls []Call) []string {
	var ids []string
	for _, c := range calls {
		ids = append(ids, c.ID)
	}
	return ids
}

// equateEmpty treats nil and empty slices alike: the catalog returns empty
// SSRC lists where a sidecar may have none.
var equateEmpty = cmpopts.EquateEmpty()
