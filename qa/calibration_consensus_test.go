package qa

import "testing"

func TestCalibrationConsensusAnswer(t *testing.T) {
	yesNo := &FormQuestion{ID: "greet", Type: AnswerYesNo, AllowNA: true}
	scale := &FormQuestion{ID: "empathy", Type: AnswerScale, Min: 1, Max: 5}
	choice := &FormQuestion{ID: "resolved", Type: AnswerChoice, Options: []AnswerOption{
		{Value: "full", Points: 10}, {Value: "partial", Points: 5}, {Value: "none", Points: 0}}}
	// Two options worth the same: only the form's order tells them apart.
	equal := &FormQuestion{ID: "channel", Type: AnswerChoice, Options: []AnswerOption{
		{Value: "phone", Points: 1}, {Value: "chat", Points: 1}}}
	v := func(values ...string) []Answer {
		out := make([]Answer, len(values))
		for i, x := range values {
			out[i] = keyAnswer(x)
		}
		return out
	}
	tests := []struct {
		name     string
		q        *FormQuestion
		answers  []Answer
		want     string
		wantTied bool
	}{
		{name: "clear majority", q: yesNo, answers: v("yes", "yes", "no"), want: "yes"},
		{name: "N/A can win outright", q: yesNo, answers: v("n/a", "n/a", "yes"), want: naKey},
		{name: "unanswered ignored", q: yesNo, answers: append(v("no"), Answer{}), want: "no"},
		{name: "nobody answered", q: yesNo, answers: []Answer{{}}, want: ""},
		{name: "an answer beats N/A on a tie", q: yesNo, answers: v("n/a", "yes"),
			want: "yes", wantTied: true},
		{name: "yes/no split: the stricter", q: yesNo, answers: v("yes", "no"),
			want: "no", wantTied: true},
		// Mean value 3.4: 3 is 0.4 away, 5 is 1.6.
		{name: "scale: nearest the centre", q: scale, answers: v("3", "3", "5", "5", "1"),
			want: "3", wantTied: true},
		// Mean value 3: 4 is 1 away, 1 is 2; nearness goes before strictness.
		{name: "scale: nearer even if higher", q: scale, answers: v("1", "1", "4", "4", "5"),
			want: "4", wantTied: true},
		{name: "scale: equidistant, the lower", q: scale, answers: v("2", "4"),
			want: "2", wantTied: true},
		// Mean share 0.6: partial is 0.1 away, full 0.4.
		{name: "choice: nearest the centre", q: choice,
			answers: v("full", "partial", "partial", "full", "none"),
			want:    "partial", wantTied: true},
		{name: "choice: equidistant, the lower", q: choice, answers: v("full", "none"),
			want: "none", wantTied: true},
		{name: "choice: equal points, the first listed", q: equal, answers: v("chat", "phone"),
			want: "phone", wantTied: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tied := consensusAnswer(tt.q, tt.answers)
			if got != tt.want || tied != tt.wantTied {
				t.Errorf("consensusAnswer = %q, tied %v; want %q, tied %v",
					got, tied, tt.want, tt.wantTied)
			}
		})
	}
}
