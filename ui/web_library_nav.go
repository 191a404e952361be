package ui

import (
	"net/url"
	"strings"
)

// The library pages with a cursor (the last call of the page before), so
// that a page stays put while calls arrive. To go back a page, each link
// forward also carries the trail of cursors that led to it, in "back":
// the previous page is the trail's last cursor. "-" stands for the first
// page, which has no cursor.

// trailMax bounds the trail, and so the links' length. Beyond it the
// oldest pages drop out of the trail; First still reaches the start.
const trailMax = 40

// trail reads the "back" parameter.
func (q libraryQuery) trail() []string {
	if q["back"] == "" {
		return nil
	}
	return strings.Split(q["back"], ",")
}

// nextLink is the link to the page after the one shown, whose last call
// is last.
func (q libraryQuery) nextLink(last string) string {
	here := q["after"]
	if here == "" {
		here = "-"
	}
	back := append(q.trail(), here)
	if len(back) > trailMax {
		back = back[len(back)-trailMax:]
	}
	return q.pageLink(last, strings.Join(back, ","))
}

// prevLink is the link to the page before the one shown, empty on the
// first page or when the trail has run out.
func (q libraryQuery) prevLink() string {
	back := q.trail()
	if q["after"] == "" || len(back) == 0 {
		return ""
	}
	prev := back[len(back)-1]
	if prev == "-" {
		prev = ""
	}
	return q.pageLink(prev, strings.Join(back[:len(back)-1], ","))
}

// pageLink is link with the trail added.
func (q libraryQuery) pageLink(after, back string) string {
	l := q.link(after, q["sort"])
	if back == "" {
		return l
	}
	sep := "?"
	if strings.Contains(l, "?") {
		sep = "&"
	}
	return l + sep + "back=" + url.QueryEscape(back)
}

// columnSort is a sortable column heading of the library's table.
type columnSort struct {
	Label, URL string
	// AriaSort is the heading's aria-sort: ascending, descending or none.
	AriaSort string
}

// libraryColumns are the sortable headings: a click orders by the column,
// and a second click on a column with two orders turns it round.
var libraryColumns = []struct {
	label       string
	first, then string // sort parameters; then is empty for one order only
	firstAria   string
}{
	{"Started (UTC)", "newest", "oldest", "descending"},
	{"Length", "longest", "shortest", "descending"},
	{"Overtalk", "overtalk", "", "descending"},
	{"Longest silence", "silence", "", "descending"},
}

// columnSorts builds the headings' links for the current order.
func (q libraryQuery) columnSorts() map[string]columnSort {
	cur := q["sort"]
	if cur == "" {
		cur = "newest"
	}
	out := map[string]columnSort{}
	for _, col := range libraryColumns {
		cs := columnSort{Label: col.label, URL: q.link("", col.first), AriaSort: "none"}
		switch cur {
		case col.first:
			cs.AriaSort = col.firstAria
			if col.then != "" {
				cs.URL = q.link("", col.then)
			}
		case col.then:
			cs.AriaSort = "ascending"
		}
		out[col.label] = cs
	}
	return out
}
