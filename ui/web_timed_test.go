package ui

import "testing"

func TestTimedCommentLinksTimesAndEscapesTheRest(t *testing.T) {
	tests := []struct{ text, want string }{
		{"no time here <b>", "no time here &lt;b&gt;"},
		{"rushed at 0:06, then 1:02:03",
			`rushed at <a class="timestamp" href="/calls/C1?t=6" title="Play the call from 0:06">0:06</a>, then ` +
				`<a class="timestamp" href="/calls/C1?t=3723" title="Play the call from 1:02:03">1:02:03</a>`},
		{"<script>alert(1)</script> 12:30", `&lt;script&gt;alert(1)&lt;/script&gt; ` +
			`<a class="timestamp" href="/calls/C1?t=750" title="Play the call from 12:30">12:30</a>`},
		{"ratio 3:75 is not a time", "ratio 3:75 is not a time"},
	}
	for _, tc := range tests {
		if got := string(timedComment("C1", tc.text)); got != tc.want {
			t.Errorf("timedComment(%q)\n got %s\nwant %s", tc.text, got, tc.want)
		}
	}
}
