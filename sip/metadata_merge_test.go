package siprec

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMerge(t *testing.T) {
	base := func() *Metadata {
		return &Metadata{
			Sessions: []Session{{ID: "s", SIPCallIDs: []string{"c1"}, Start: metaT0}},
			Participants: []Participant{
				{ID: "a", Name: "Alice", AOR: "sip:a@x", Send: []string{"s1"}, Recv: []string{"s2"}, Calling: true},
				{ID: "b", Name: "Bob", AOR: "sip:b@x", Send: []string{"s2"}, Recv: []string{"s1"}},
			},
			Streams:    []Stream{{ID: "s1", Label: "1", SessionID: "s"}, {ID: "s2", Label: "2", SessionID: "s"}},
			Extra:      map[string]string{ExtraUCID: "u1", ExtraCiscoGUID: "g1"},
			Extensions: []Extension{{Name: "ucid", Value: "u1"}},
			Warnings:   []string{"base warning"},
		}
	}
	tests := []struct {
		name   string
		base   *Metadata
		update *Metadata
		want   *Metadata
	}{
		{
			name:   "complete update replaces everything",
			base:   base(),
			update: &Metadata{Participants: []Participant{{ID: "c", AOR: "sip:c@x"}}},
			want:   &Metadata{Participants: []Participant{{ID: "c", AOR: "sip:c@x"}}},
		},
		{
			name: "partial update folds in by id",
			base: base(),
			update: &Metadata{
				Mode: Partial,
				Sessions: []Session{{ID: "s", SIPCallIDs: []string{"c1", "c2"},
					Stop: metaT0.Add(time.Minute)}},
				Participants: []Participant{
					// On hold: still receives, sends nothing.
					{ID: "a", Send: []string{}, Recv: []string{"s2"}},
					// A new name; streams not mentioned.
					{ID: "b", Name: "Robert"},
					{ID: "c", AOR: "sip:c@x", Send: []string{"s3"}},
				},
				Streams:    []Stream{{ID: "s2", Label: "22"}, {ID: "s3", Label: "3"}},
				Extra:      map[string]string{ExtraUCID: "u2", ExtraOriginalTo: "t"},
				Extensions: []Extension{{Name: "ucid", Value: "u2"}},
				Warnings:   []string{"update warning"},
			},
			want: &Metadata{
				Sessions: []Session{{ID: "s", SIPCallIDs: []string{"c1", "c2"},
					Start: metaT0, Stop: metaT0.Add(time.Minute)}},
				Participants: []Participant{
					{ID: "a", Name: "Alice", AOR: "sip:a@x", Send: []string{}, Recv: []string{"s2"}, Calling: true},
					{ID: "b", Name: "Robert", AOR: "sip:b@x", Send: []string{"s2"}, Recv: []string{"s1"}},
					{ID: "c", AOR: "sip:c@x", Send: []string{"s3"}},
				},
				Streams: []Stream{
					{ID: "s1", Label: "1", SessionID: "s"},
					{ID: "s2", Label: "22", SessionID: "s"},
					{ID: "s3", Label: "3"},
				},
				Extra:      map[string]string{ExtraUCID: "u2", ExtraCiscoGUID: "g1", ExtraOriginalTo: "t"},
				Extensions: []Extension{{Name: "ucid", Value: "u1"}, {Name: "ucid", Value: "u2"}},
				Warnings:   []string{"base warning", "update warning"},
			},
		},
		{
			name:   "partial update without ids appends",
			base:   &Metadata{Participants: []Participant{{Name: "x"}}},
			update: &Metadata{Mode: Partial, Participants: []Participant{{Name: "y"}}},
			want:   &Metadata{Participants: []Participant{{Name: "x"}, {Name: "y"}}},
		},
		{
			name:   "partial update into extra of nothing",
			base:   &Metadata{},
			update: &Metadata{Mode: Partial, Extra: map[string]string{ExtraUCID: "u"}},
			want:   &Metadata{Extra: map[string]string{ExtraUCID: "u"}},
		},
		{
			name:   "no base",
			base:   nil,
			update: &Metadata{Mode: Partial, Participants: []Participant{{ID: "a"}}},
			want:   &Metadata{Mode: Partial, Participants: []Participant{{ID: "a"}}},
		},
		{
			name:   "no update",
			base:   base(),
			update: nil,
			want:   base(),
		},
		{
			name: "neither",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baseBefore, updateBefore := tt.base.clone(), tt.update.clone()
			got := Merge(tt.base, tt.update)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Merge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(baseBefore, tt.base); diff != "" {
				t.Errorf("Merge changed base:\n%s", diff)
			}
			if diff := cmp.Diff(updateBefore, tt.update); diff != "" {
				t.Errorf("Merge changed update:\n%s", diff)
			}
		})
	}
}

func TestMergeSharesNoMemory(t *testing.T) {
	base := &Metadata{Participants: []Participant{{ID: "a", Send: []string{"s1"}}},
		Extra: map[string]string{ExtraUCID: "u"}}
	got := Merge(base, &Metadata{Mode: Partial})
	got.Participants[0].Send[0] = "changed"
	got.Extra[ExtraUCID] = "changed"
	if base.Participants[0].Send[0] != "s1" || base.Extra[ExtraUCID] != "u" {
		t.Errorf("changing the merge result changed its base: %+v", base)
	}
}

// TestMergeParsedHold follows a call through two documents: the complete
// snapshot of the INVITE, then a partial update of a re-INVITE that puts
// Alice on hold. Her label still maps to her.
func TestMergeParsedHold(t *testing.T) {
	first, err := ParseMetadata([]byte(rfc7865Doc), 0)
	if err != nil {
		t.Fatalf("parse complete: %v", err)
	}
	hold, err := ParseMetadata([]byte(`<recording xmlns='urn:ietf:params:xml:ns:recording:1'>
		<datamode>partial</datamode>
		<participantstreamassoc participant_id="pa"><recv>st2</recv></participantstreamassoc>
	</recording>`), 0)
	if err != nil {
		t.Fatalf("parse partial: %v", err)
	}
	got := Merge(first, hold)
	alice := got.Participants[0]
	if diff := cmp.Diff([]string{}, alice.Send); diff != "" {
		t.Errorf("Alice's send after hold (-want +got):\n%s", diff)
	}
	if p, ok := got.ParticipantForLabel("1"); !ok || p.ID != "pa" {
		t.Errorf("ParticipantForLabel(1) = %q, %v; want pa", p.ID, ok)
	}
	if len(got.Participants) != 2 {
		t.Errorf("got %d participants, want 2", len(got.Participants))
	}
}
