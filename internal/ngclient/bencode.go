package ngclient

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Dict is a bencode dictionary: the arguments of an ng command and the
// body of its reply.
//
// Decoded values are string (a bencode byte string, which need not be
// UTF-8), int64, []any and Dict. Encode also takes []byte, int, []string
// and map[string]any.
type Dict = map[string]any

// maxDepth bounds how deeply lists and dictionaries may nest in what
// Decode accepts, so that a hostile reply cannot exhaust the stack.
const maxDepth = 32

// errSyntax is wrapped by every decoding error.
var errSyntax = errors.New("ngclient: bencode syntax error")

// Encode writes v in bencode (the BitTorrent specification, BEP 3):
// i<decimal>e for integers, <length>:<bytes> for strings, l...e for
// lists and d...e for dictionaries, whose keys go in byte order.
func Encode(v any) ([]byte, error) {
	return appendValue(nil, v, 0)
}

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, errors.New("ngclient: encode: nested too deeply")
	}
	switch v := v.(type) {
	case string:
		return appendString(b, v), nil
	case []byte:
		return appendString(b, string(v)), nil
	case int:
		return appendInt(b, int64(v)), nil
	case int64:
		return appendInt(b, v), nil
	case []string:
		b = append(b, 'l')
		for _, s := range v {
			b = appendString(b, s)
		}
		return append(b, 'e'), nil
	case []any:
		b = append(b, 'l')
		for _, e := range v {
			var err error
			if b, err = appendValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, 'e'), nil
	case map[string]any:
		return appendDict(b, v, depth)
	}
	return nil, fmt.Errorf("ngclient: encode: %T has no bencode form", v)
}

func appendDict(b []byte, d Dict, depth int) ([]byte, error) {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, 'd')
	for _, k := range keys {
		b = appendString(b, k)
		var err error
		if b, err = appendValue(b, d[k], depth+1); err != nil {
			return nil, err
		}
	}
	return append(b, 'e'), nil
}

func appendString(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

func appendInt(b []byte, n int64) []byte {
	b = append(b, 'i')
	b = strconv.AppendInt(b, n, 10)
	return append(b, 'e')
}

// Decode parses one bencoded value that fills b entirely. It accepts
// dictionary keys in any order, as rtpengine writes them in the order it
// built them, but not a key twice; integers must be canonical (no
// leading zeros, no -0) and fit in 64 bits.
func Decode(b []byte) (any, error) {
	d := decoder{buf: b}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(b) {
		return nil, d.fail("trailing data")
	}
	return v, nil
}

type decoder struct {
	buf []byte
	pos int
}

func (d *decoder) fail(what string) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, d.pos, what)
}

func (d *decoder) value(depth int) (any, error) {
	if d.pos >= len(d.buf) {
		return nil, d.fail("unexpected end")
	}
	if depth > maxDepth {
		return nil, d.fail("nested too deeply")
	}
	switch c := d.buf[d.pos]; {
	case c == 'i':
		return d.integer()
	case c == 'l':
		return d.list(depth)
	case c == 'd':
		return d.dict(depth)
	case c >= '0' && c <= '9':
		return d.str()
	}
	return nil, d.fail(fmt.Sprintf("unexpected byte %q", d.buf[d.pos]))
}

func (d *decoder) integer() (int64, error) {
	d.pos++ // 'i'
	end := bytes.IndexByte(d.buf[d.pos:], 'e')
	if end < 0 {
		return 0, d.fail("integer without end")
	}
	digits := string(d.buf[d.pos : d.pos+end])
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || digits != strconv.FormatInt(n, 10) {
		return 0, d.fail(fmt.Sprintf("integer %q", digits))
	}
	d.pos += end + 1
	return n, nil
}

func (d *decoder) str() (string, error) {
	colon := bytes.IndexByte(d.buf[d.pos:], ':')
	if colon < 0 {
		return "", d.fail("string length without colon")
	}
	digits := string(d.buf[d.pos : d.pos+colon])
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || digits != strconv.Itoa(n) {
		return "", d.fail(fmt.Sprintf("string length %q", digits))
	}
	start := d.pos + colon + 1
	if n > len(d.buf)-start {
		return "", d.fail("string longer than the input")
	}
	d.pos = start + n
	return string(d.buf[start:d.pos]), nil
}

func (d *decoder) list(depth int) ([]any, error) {
	d.pos++ // 'l'
	out := []any{}
	for {
		if d.pos < len(d.buf) && d.buf[d.pos] == 'e' {
			d.pos++
			return out, nil
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func (d *decoder) dict(depth int) (Dict, error) {
	d.pos++ // 'd'
	out := Dict{}
	for {
		if d.pos >= len(d.buf) {
			return nil, d.fail("dictionary without end")
		}
		switch c := d.buf[d.pos]; {
		case c == 'e':
			d.pos++
			return out, nil
		case c < '0' || c > '9':
			return nil, d.fail("dictionary key is not a string")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		if _, dup := out[k]; dup {
			return nil, d.fail(fmt.Sprintf("key %q twice", k))
		}
		if out[k], err = d.value(depth + 1); err != nil {
			return nil, err
		}
	}
}
