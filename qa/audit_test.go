package qa

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuditListFilters(t *testing.T) {
	s, clock := openAccessTest(t)
	ctx := t.Context()
	sam := mustUser(t, s, "sam", RoleReviewer)
	tia := mustUser(t, s, "tia", RoleAdmin)
	start := clock.now()
	entries := []Entry{
		{User: sam, Action: ActionPlay, ObjectType: "call", ObjectID: "c1", RemoteAddr: "192.0.2.1"},
		{User: sam, Action: ActionDownload, ObjectType: "call", ObjectID: "c1",
			Detail: map[string]any{"range": "bytes=0-"}},
		{User: tia, Action: ActionPlay, ObjectType: "call", ObjectID: "c2"},
		{Action: ActionCreate, ObjectType: "user", ObjectID: "9", Detail: map[string]any{"via": "command line"}},
	}
	for _, e := range entries {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Minute)
	}
	tests := []struct {
		name    string
		f       AuditFilter
		wantIDs []string // object IDs, newest first
	}{
		{name: "all", wantIDs: []string{"9", "c2", "c1", "c1"}},
		{name: "by user", f: AuditFilter{UserID: sam.ID}, wantIDs: []string{"c1", "c1"}},
		{name: "by action", f: AuditFilter{Action: ActionPlay}, wantIDs: []string{"c2", "c1"}},
		{name: "from", f: AuditFilter{From: start.Add(2 * time.Minute)}, wantIDs: []string{"9", "c2"}},
		{name: "to", f: AuditFilter{To: start.Add(time.Minute)}, wantIDs: []string{"c1"}},
		{name: "limit", f: AuditFilter{Limit: 1}, wantIDs: []string{"9"}},
		{name: "next page", f: AuditFilter{BeforeID: 3}, wantIDs: []string{"c1", "c1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListAudit(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ObjectID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("object IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuditRecordAsStored(t *testing.T) {
	s, clock := openAccessTest(t)
	ctx := t.Context()
	uma := mustUser(t, s, "uma", RoleReviewer)
	err := s.Audit(ctx, Entry{User: uma, Action: ActionScore, ObjectType: "evaluation", ObjectID: "17",
		Detail: map[string]any{"score": 87.5}, RemoteAddr: "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ListAudit(ctx, AuditFilter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListAudit = %v, %v", got, err)
	}
	want := AuditRecord{ID: got[0].ID, At: clock.now(), UserID: &uma.ID, Username: "uma",
		Action: ActionScore, ObjectType: "evaluation", ObjectID: "17",
		Detail: map[string]any{"score": 87.5}, RemoteAddr: "2001:db8::1"}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func TestAuditRefusesBadInput(t *testing.T) {
	s, _ := openAccessTest(t)
	if err := s.Audit(t.Context(), Entry{ObjectType: "call"}); err == nil {
		t.Error("Audit without an action succeeded")
	}
	for _, limit := range []int{-1, MaxAuditLimit + 1} {
		if _, err := s.ListAudit(t.Context(), AuditFilter{Limit: limit}); !errors.As(err, new(*InputError)) {
			t.Errorf("ListAudit(limit %d) = %v, want an *InputError", limit, err)
		}
	}
}
