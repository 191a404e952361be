package qa

import (
	"errors"
	"testing"
	"time"
)

func TestMapParseSIPAddress(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want sipKeys
	}{
		{name: "plain", raw: "sip:1001@pbx.example",
			want: sipKeys{"sip:1001@pbx.example", "1001", "1001"}},
		{name: "name-addr with parameters and port",
			raw:  `"Alice" <SIP:Alice@PBX.Example:5060;transport=tcp>;tag=9fx`,
			want: sipKeys{"sip:alice@pbx.example", "alice", ""}},
		{name: "sips is the same party", raw: "sips:1001@pbx.example",
			want: sipKeys{"sip:1001@pbx.example", "1001", "1001"}},
		{name: "user parameters and headers", raw: "sip:+1-555-0100;phone-context=x@gw.example?subject=a",
			want: sipKeys{"sip:+1-555-0100@gw.example", "+1-555-0100", "15550100"}},
		{name: "tel", raw: "tel:10-01;phone-context=pbx.example",
			want: sipKeys{"tel:10-01", "10-01", "1001"}},
		{name: "ipv6 host", raw: "sip:1001@[2001:db8::1]:5060",
			want: sipKeys{"sip:1001@[2001:db8::1]", "1001", "1001"}},
		{name: "no scheme", raw: "1001@pbx.example",
			want: sipKeys{"sip:1001@pbx.example", "1001", "1001"}},
		{name: "bare extension", raw: "1001", want: sipKeys{"", "1001", "1001"}},
		{name: "other scheme", raw: "urn:service:sos", want: sipKeys{}},
		{name: "empty", raw: "", want: sipKeys{}},
		{name: "no user", raw: "sip:pbx.example", want: sipKeys{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseSIPAddress(tt.raw); got != tt.want {
				t.Errorf("parseSIPAddress(%q) = %+v, want %+v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestMapNormalizeIdentity(t *testing.T) {
	tests := []struct {
		name    string
		kind    IdentityKind
		value   string
		want    string
		wantErr bool
	}{
		{name: "address lower-cased without parameters", kind: IdentityAddress,
			value: " <sip:1001@PBX.example;user=phone> ", want: "sip:1001@pbx.example"},
		{name: "address without host", kind: IdentityAddress, value: "1001", wantErr: true},
		{name: "user", kind: IdentityUser, value: "Alice", want: "alice"},
		{name: "user that is an address", kind: IdentityUser, value: "sip:alice@pbx", wantErr: true},
		{name: "extension", kind: IdentityExtension, value: "1001", want: "1001"},
		{name: "extension with letters", kind: IdentityExtension, value: "10a1", wantErr: true},
		{name: "empty", kind: IdentityUser, value: " ", wantErr: true},
		{name: "unknown kind", kind: "phone", value: "1001", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeIdentity(tt.kind, tt.value)
			var in *InputError
			if tt.wantErr {
				if !errors.As(err, &in) {
					t.Fatalf("err = %v, want an *InputError", err)
				}
				return
			}
			if err != nil || got.Value != tt.want {
				t.Fatalf("NormalizeIdentity = %+v, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestMapCallOnIndex: a call gets its agent and direction when indexed,
// by the most specific identity, and the callee before the caller.
func TestMapCallOnIndex(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	ana := newSampAgent(t, s, "Ana", nil, "1001")
	ben := newSampAgent(t, s, "Ben", nil, "1002")
	// Ana's address on the other PBX beats Ben's extension there.
	if _, err := s.AddIdentity(ctx, ana.ID, Identity{IdentityAddress, "sip:1002@branch.example"}); err != nil {
		t.Fatal(err)
	}
	at := sampMonday.Add(9 * time.Hour)
	tests := []struct {
		name     string
		callee   string
		caller   string
		wantAg   int64 // 0: no agent
		wantDir  Direction
		wantKind IdentityKind
	}{
		{name: "agent answers", callee: "sip:1001@pbx.example", caller: "sip:+331@carrier.example",
			wantAg: ana.ID, wantDir: DirectionInbound, wantKind: IdentityExtension},
		{name: "agent calls out", callee: "sip:+331@carrier.example", caller: "<sip:1002@pbx.example>",
			wantAg: ben.ID, wantDir: DirectionOutbound, wantKind: IdentityExtension},
		{name: "address beats extension", callee: "sip:1002@branch.example:5060", caller: "sip:x@y",
			wantAg: ana.ID, wantDir: DirectionInbound, wantKind: IdentityAddress},
		{name: "between agents the callee", callee: "sip:1002@pbx.example", caller: "sip:1001@pbx.example",
			wantAg: ben.ID, wantDir: DirectionInbound, wantKind: IdentityExtension},
		{name: "no agent", callee: "sip:+331@carrier.example", caller: "sip:+332@carrier.example"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := indexCall(t, s, sampCall{n: i, start: at, callee: tt.callee, caller: tt.caller})
			got, err := s.AgentOfCall(ctx, id)
			if tt.wantAg == 0 {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("AgentOfCall = %+v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AgentID != tt.wantAg || got.Direction != tt.wantDir || got.Identity.Kind != tt.wantKind {
				t.Errorf("AgentOfCall = %+v, want agent %d %s by %s", got, tt.wantAg, tt.wantDir, tt.wantKind)
			}
		})
	}
}

// TestMapIdentityChangesRemapCalls: adding an identity gives existing calls
// their agent, removing it takes them away, and RemapAll agrees.
func TestMapIdentityChangesRemapCalls(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	at := sampMonday.Add(9 * time.Hour)
	dashed := indexCall(t, s, sampCall{n: 1, start: at, callee: "tel:20-01", caller: "sip:c@carrier"})
	plain := indexCall(t, s, sampCall{n: 2, start: at, callee: "sip:c@carrier", caller: "sip:2001@pbx"})
	other := indexCall(t, s, sampCall{n: 3, start: at, callee: "sip:2002@pbx", caller: "sip:c@carrier"})
	a, err := s.CreateAgent(ctx, AgentInput{Name: "Cy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddIdentity(ctx, a.ID, Identity{IdentityExtension, "2001"}); err != nil {
		t.Fatal(err)
	}
	wantMapped(t, s, map[string]Direction{dashed: DirectionInbound, plain: DirectionOutbound, other: ""})

	b, err := s.CreateAgent(ctx, AgentInput{Name: "Di"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.AddIdentity(ctx, b.ID, Identity{IdentityExtension, "2001"})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("adding another agent's identity: %v, want ErrConflict", err)
	}
	if _, err := s.RemoveIdentity(ctx, a.ID, Identity{IdentityExtension, "2001"}); err != nil {
		t.Fatal(err)
	}
	wantMapped(t, s, map[string]Direction{dashed: "", plain: "", other: ""})
	_, err = s.RemoveIdentity(ctx, a.ID, Identity{IdentityExtension, "2001"})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("removing it twice: %v, want ErrNotFound", err)
	}

	// Identities written behind the service's back are picked up by
	// RemapAll, as after a restore.
	sampExec(t, s, `INSERT INTO agent_identities (agent_id, kind, value) VALUES (?, 'user', '2002')`, b.ID)
	res, err := s.RemapAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Calls != 3 || res.Mapped != 1 {
		t.Errorf("RemapAll = %+v, want 3 calls, 1 mapped", res)
	}
	wantMapped(t, s, map[string]Direction{dashed: "", plain: "", other: DirectionInbound})
}

// wantMapped checks the direction of each call; "" means no agent.
func wantMapped(t *testing.T, s *Service, want map[string]Direction) {
	t.Helper()
	for id, dir := range want {
		got, err := s.AgentOfCall(t.Context(), id)
		switch {
		case dir == "" && !errors.Is(err, ErrNotFound):
			t.Errorf("call %s: %+v, %v; want no agent", id, got, err)
		case dir != "" && (err != nil || got.Direction != dir):
			t.Errorf("call %s: %+v, %v; want %s", id, got, err, dir)
		}
	}
}

func TestMapCallUnknown(t *testing.T) {
	s := openTest(t)
	if _, err := s.MapCall(t.Context(), "01JNOSUCHCALL0000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("MapCall of an unknown call: %v, want ErrNotFound", err)
	}
}
