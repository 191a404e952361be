package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"earshot/storage"
)

// TestWebLibraryPagesBackAndSortsByHeading: three pages forward, then
// Previous walks back through the same pages, and a column heading sorts
// the library and turns its order round on a second click.
func TestWebLibraryPagesBackAndSortsByHeading(t *testing.T) {
	f := newWebFixture(t)
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range 2*webPageSize + 5 {
		at := start.Add(time.Duration(i) * time.Minute)
		sc := &storage.Sidecar{RecordingID: storage.NewRecordingID(at), StartedAt: at,
			EndedAt: at.Add(time.Duration(10+i) * time.Second), DurationMS: int64(10+i) * 1000,
			Audio: storage.Audio{Encoding: "pcma", SampleRate: 8000, Channels: 2},
			Participants: []storage.Participant{
				{Channel: 0, SIPAddress: fmt.Sprintf("sip:bulk%03d@pbx.example.com", i)}}}
		if err := f.cat.Index(t.Context(), sc); err != nil {
			t.Fatal(err)
		}
	}
	rita := f.signIn(t, "rita")
	ids := regexp.MustCompile(`<td><a href="/calls/([0-9A-Z]+)">`)
	link := func(page, id string) string {
		m := regexp.MustCompile(`<a href="([^"]+)" id="` + id + `"`).FindStringSubmatch(page)
		if m == nil {
			return ""
		}
		return strings.ReplaceAll(m[1], "&amp;", "&")
	}
	firstOf := func(page string) string {
		m := ids.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("a page without calls:\n%s", page)
		}
		return m[1]
	}

	var firsts []string
	path := "/calls"
	var page, firstPage string
	for i := range 3 {
		_, page = rita.get(t, path)
		if i == 0 {
			firstPage = page
		}
		firsts = append(firsts, firstOf(page))
		path = link(page, "next-page")
	}
	if path != "" {
		t.Errorf("a fourth page after %d calls", 2*webPageSize+6)
	}
	if link(firstPage, "prev-page") != "" {
		t.Error("the first page offers a previous page")
	}
	for i := 1; i >= 0; i-- {
		prev := link(page, "prev-page")
		if prev == "" {
			t.Fatalf("page %d has no previous-page link", i+2)
		}
		_, page = rita.get(t, prev)
		if got := firstOf(page); got != firsts[i] {
			t.Errorf("previous from page %d starts at %s, want %s as before", i+2, got, firsts[i])
		}
	}
	if strings.Contains(page, `id="prev-page"`) {
		t.Error("back on the first page, it still offers a previous page")
	}

	// Length: the first click sorts longest first, the second shortest.
	heading := regexp.MustCompile(`<th scope="col" aria-sort="(\w+)"><a class="sort-head" href="([^"]+)">Length`)
	m := heading.FindStringSubmatch(page)
	if m == nil || m[1] != "none" {
		t.Fatalf("the Length heading is %v, want a link and aria-sort none", m)
	}
	_, page = rita.get(t, strings.ReplaceAll(m[2], "&amp;", "&"))
	m = heading.FindStringSubmatch(page)
	if m == nil || m[1] != "descending" || !strings.Contains(page, "bulk104@") {
		t.Fatalf("after a click on Length: heading %v; the longest call (bulk104) listed: %v",
			m, strings.Contains(page, "bulk104@"))
	}
	_, page = rita.get(t, strings.ReplaceAll(m[2], "&amp;", "&"))
	m = heading.FindStringSubmatch(page)
	if m == nil || m[1] != "ascending" || !strings.Contains(page, "bulk000@") || strings.Contains(page, "bulk104@") {
		t.Errorf("after a second click on Length: heading %v, want ascending with the shortest call first", m)
	}
}
