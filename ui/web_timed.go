package ui

import (
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// commentTime finds the times people write in comments: 1:23 or 1:02:03.
// static/timestamps.js finds the same on the call page, where the player
// is; elsewhere the server links them to the call page at that time.
var commentTime = regexp.MustCompile(`\b(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)\b`)

// timedComment escapes a comment and links each time in it to the call
// page of callID, which starts playing from there (?t=seconds).
func timedComment(callID, text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range commentTime.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		secs := 0
		if m[2] >= 0 {
			h, _ := strconv.Atoi(text[m[2]:m[3]])
			secs = h * 3600
		}
		mm, _ := strconv.Atoi(text[m[4]:m[5]])
		ss, _ := strconv.Atoi(text[m[6]:m[7]])
		secs += mm*60 + ss
		at := template.HTMLEscapeString(text[m[0]:m[1]])
		fmt.Fprintf(&b, `<a class="timestamp" href="/calls/%s?t=%d" title="Play the call from %s">%s</a>`,
			template.URLQueryEscaper(callID), secs, at, at)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}
