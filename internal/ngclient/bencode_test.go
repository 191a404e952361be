package ngclient

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "string", in: "spam", want: "4:spam"},
		{name: "empty string", in: "", want: "0:"},
		{name: "bytes", in: []byte{0, 0xff}, want: "2:\x00\xff"},
		{name: "int", in: 42, want: "i42e"},
		{name: "negative", in: int64(-3), want: "i-3e"},
		{name: "zero", in: 0, want: "i0e"},
		{name: "string list", in: []string{"a", "bc"}, want: "l1:a2:bce"},
		{name: "mixed list", in: []any{1, "x", []any{}}, want: "li1e1:xlee"},
		{
			name: "dict keys sorted",
			in:   Dict{"sdp": "v=0", "call-id": "c1", "flags": []string{"trust-address"}},
			want: "d7:call-id2:c15:flagsl13:trust-addresse3:sdp3:v=0e",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Encode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeRefusesOtherTypes(t *testing.T) {
	for _, v := range []any{true, 1.5, Dict{"x": struct{}{}}, []any{nil}} {
		if _, err := Encode(v); err == nil {
			t.Errorf("Encode(%#v) succeeded, want an error", v)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{name: "string", in: "4:spam", want: "spam"},
		{name: "int", in: "i-42e", want: int64(-42)},
		{name: "empty list", in: "le", want: []any{}},
		{name: "empty dict", in: "de", want: Dict{}},
		{name: "keys in any order", in: "d6:result2:ok3:sdp3:v=0e",
			want: Dict{"result": "ok", "sdp": "v=0"}},
		{name: "unsorted keys", in: "d1:bi1e1:ai2ee", want: Dict{"a": int64(2), "b": int64(1)}},
		{name: "nested", in: "d4:tagsd1:ald1:xi0eeeee",
			want: Dict{"tags": Dict{"a": []any{Dict{"x": int64(0)}}}}},
		{name: "binary string", in: "3:\x00:e", want: "\x00:e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "empty", in: ""},
		{name: "trailing data", in: "i1ei2e"},
		{name: "unterminated int", in: "i12"},
		{name: "empty int", in: "ie"},
		{name: "leading zero", in: "i03e"},
		{name: "minus zero", in: "i-0e"},
		{name: "int overflow", in: "i9223372036854775808e"},
		{name: "string too long", in: "5:abc"},
		{name: "string length leading zero", in: "03:abc"},
		{name: "string length overflow", in: "99999999999999999999:a"},
		{name: "no colon", in: "3abc"},
		{name: "unterminated list", in: "li1e"},
		{name: "unterminated dict", in: "d1:a"},
		{name: "dict value missing", in: "d1:ae"},
		{name: "int key", in: "di1ei2ee"},
		{name: "duplicate key", in: "d1:ai1e1:ai2ee"},
		{name: "unknown type", in: "x"},
		{name: "too deep", in: strings.Repeat("l", maxDepth+2) + strings.Repeat("e", maxDepth+2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Decode([]byte(tt.in))
			if !errors.Is(err, errSyntax) {
				t.Errorf("Decode(%q) = %#v, %v; want a syntax error", tt.in, v, err)
			}
		})
	}
}

// FuzzDecode checks that Decode never panics and that whatever it accepts
// encodes to bytes that decode to the same value, and encode again to
// the same bytes.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"d6:result2:ok3:sdp13:v=0\r\no=- 1 1\r\ne",
		"d6:result5:error12:error-reason12:Unknown calle",
		"d6:result4:ponge",
		"d6:result2:ok4:tagsd1:ad7:createdi1796327203e6:mediasld5:flagsl4:recveeeeee",
		"li-1ei0e0:de",
		"d1:bi1e1:ai2ee",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := Decode(in)
		if err != nil {
			return
		}
		enc, err := Encode(v)
		if err != nil {
			t.Fatalf("Encode of a decoded value: %v", err)
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(v)) = %v", err)
		}
		if diff := cmp.Diff(v, back); diff != "" {
			t.Fatalf("round trip changed the value (-first +second):\n%s", diff)
		}
		again, _ := Encode(back)
		if string(again) != string(enc) {
			t.Fatalf("encoding not stable: %q then %q", enc, again)
		}
	})
}
