package siprec

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// maxMultipartNesting bounds how deep multipart bodies may nest in one
// another, so that a hostile body cannot make ParseBody recurse without end.
const maxMultipartNesting = 3

// multipartAttempt is one way of reading a multipart body. The first one
// takes the body as sent; later ones repair what real SRCs get wrong.
type multipartAttempt struct {
	body     []byte
	boundary string
	note     string // the warning to give if this reading is the one used
}

// parseMultipart reads a multipart body (RFC 2046 Section 5.1; RFC 7866
// sends the SDP offer and the metadata this way) into b. It tries the body
// as sent, then with its line ends repaired, then with the boundary that the
// body actually uses. It keeps the first reading that finds an SDP part and
// reaches the closing boundary cleanly or, failing that, the first that
// finds an SDP part at all.
func parseMultipart(b *Body, body []byte, boundary string) error {
	if boundary == "" {
		return fmt.Errorf("multipart body without boundary parameter: %w", ErrMalformedBody)
	}
	var (
		fallback  *Body
		bestErr   error
		bestParts = -1
	)
	for _, a := range multipartAttempts(body, boundary) {
		got, n, clean, err := splitMultipart(a.body, a.boundary)
		if err == nil && a.note != "" {
			got.Warnings = append([]string{a.note}, got.Warnings...)
		}
		switch {
		case err == nil && clean:
			b.take(got)
			return nil
		case err == nil && fallback == nil:
			fallback = &got
		case err != nil && n > bestParts:
			bestErr, bestParts = err, n
		}
	}
	if fallback != nil {
		b.take(*fallback)
		return nil
	}
	return bestErr
}

// take replaces b's parts with got's, keeping the warnings of both.
func (b *Body) take(got Body) {
	warnings := append(b.Warnings, got.Warnings...)
	*b = got
	b.Warnings = warnings
}

// multipartAttempts lists the readings of body that parseMultipart tries.
func multipartAttempts(body []byte, boundary string) []multipartAttempt {
	atts := []multipartAttempt{{body: body, boundary: boundary}}
	norm := body
	if bodyHasBareLF(body) {
		// mime/multipart copes with bare LF only when the whole body uses
		// it; SBCs that splice parts together mix the two.
		norm = bodyToCRLF(body)
		atts = append(atts, multipartAttempt{norm, boundary,
			"multipart body mixes CRLF and bare LF line ends; read as CRLF"})
	}
	if sb := sniffBoundary(norm); sb != "" && sb != boundary {
		atts = append(atts, multipartAttempt{norm, sb,
			"multipart boundary from Content-Type not found; used the body's own"})
	}
	return atts
}

// splitMultipart reads the parts of a top-level multipart body and checks
// that one of them is the SDP offer. It returns how many parts it read and
// whether it reached the closing boundary without trouble.
func splitMultipart(body []byte, boundary string) (b Body, n int, clean bool, err error) {
	n, clean = readBodyParts(&b, body, boundary, 0)
	switch {
	case n == 0:
		return b, 0, false, fmt.Errorf("no part delimited by the boundary: %w", ErrMalformedBody)
	case b.SDP == nil:
		return b, n, clean, fmt.Errorf("multipart body of %d parts has no SDP part: %w",
			n, ErrMalformedBody)
	}
	return b, n, clean, nil
}

// readBodyParts adds the parts of one multipart body to b and returns how
// many parts it read, and whether it reached the closing boundary without
// trouble. Where the body breaks off, it stops with a warning.
func readBodyParts(b *Body, body []byte, boundary string, depth int) (n int, clean bool) {
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return n, true
		}
		if err != nil {
			if n > 0 {
				b.warnf("multipart: after part %d: %v", n, err)
			}
			return n, false
		}
		n++
		// The body is already size-capped, so reading a part whole is safe.
		data, err := io.ReadAll(p)
		addBodyPart(b, p.Header, data, err, n, depth)
		if err != nil {
			return n, false
		}
	}
}

// addBodyPart files one part under the SDP, the metadata or the others.
func addBodyPart(b *Body, h textproto.MIMEHeader, data []byte, readErr error, n, depth int) {
	mediaType, params := parseBodyContentType(h.Get("Content-Type"))
	if readErr != nil {
		// Keep what arrived: a metadata part cut short still names the
		// participants it got to, and the caller decides what to trust.
		b.warnf("part %d (%s) is cut short: %v", n, typeOrNone(mediaType), readErr)
	}
	if mediaType == "" {
		if mediaType = sniffBodyType(data); mediaType != "" {
			b.warnf("part %d has no Content-Type; read as %s", n, mediaType)
		}
	}

	switch {
	case mediaType == TypeSDP && b.SDP == nil:
		b.SDP = data
	case isMetadataType(mediaType) && b.Metadata == nil:
		b.Metadata, b.MetadataType = data, mediaType
	case isXMLType(mediaType) && b.Metadata == nil && looksLikeMetadata(data):
		b.warnf("part %d is %s but holds recording metadata", n, mediaType)
		b.Metadata, b.MetadataType = data, TypeMetadata
	case strings.HasPrefix(mediaType, "multipart/") && depth < maxMultipartNesting:
		if inner, _ := readBodyParts(b, data, params["boundary"], depth+1); inner == 0 {
			b.warnf("part %d (%s) holds no readable part", n, mediaType)
		}
	default:
		if mediaType == TypeSDP || isMetadataType(mediaType) {
			b.warnf("part %d is a second %s part; kept with the others", n, mediaType)
		}
		b.Others = append(b.Others, Part{Type: mediaType, Header: h, Body: data})
	}
}

// parseBodyContentType returns the media type of a Content-Type value,
// lower-case, and its parameters with lower-case names. It falls back to a
// lenient split where mime.ParseMediaType refuses the value, as it does
// for an unquoted boundary holding '=' or a stray ';'.
func parseBodyContentType(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if mt, params, err := mime.ParseMediaType(v); err == nil {
		return mt, params
	}
	fields := strings.Split(v, ";")
	mt := strings.ToLower(strings.TrimSpace(fields[0]))
	params := make(map[string]string)
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			continue
		}
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	return mt, params
}

// sniffBodyType guesses the media type of content that came without one:
// an SDP offer or recording metadata, or "" for anything else.
func sniffBodyType(data []byte) string {
	t := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case bytes.HasPrefix(t, []byte("v=0")):
		return TypeSDP
	case looksLikeMetadata(t):
		return TypeMetadata
	}
	return ""
}

// looksLikeMetadata reports whether data looks like an XML document about
// a recording: markup that names "recording" near its start.
func looksLikeMetadata(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if !bytes.HasPrefix(t, []byte("<")) {
		return false
	}
	head := t[:min(len(t), 512)]
	return bytes.Contains(bytes.ToLower(head), []byte("recording"))
}

// isXMLType reports whether mediaType is a generic XML type that an SRC
// may have put on its metadata by mistake.
func isXMLType(mediaType string) bool {
	return mediaType == "application/xml" || mediaType == "text/xml" ||
		strings.HasSuffix(mediaType, "+xml")
}

// sniffBoundary returns the boundary that a multipart body uses: the rest
// of its first line that starts with "--", or "" if there is none. RFC 2046
// Section 5.1.1 caps a boundary at 70 characters.
func sniffBoundary(body []byte) string {
	for line := range bytes.Lines(body) {
		rest, ok := bytes.CutPrefix(line, []byte("--"))
		if !ok {
			continue
		}
		rest = bytes.TrimRight(rest, " \t\r\n")
		if len(rest) == 0 || len(rest) > 70 {
			return ""
		}
		return string(rest)
	}
	return ""
}

// bodyHasBareLF reports whether data has a line feed without a carriage
// return before it.
func bodyHasBareLF(data []byte) bool {
	for i, c := range data {
		if c == '\n' && (i == 0 || data[i-1] != '\r') {
			return true
		}
	}
	return false
}

// bodyToCRLF returns a copy of data with every bare line feed made CRLF.
func bodyToCRLF(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/16)
	for i, c := range data {
		if c == '\n' && (i == 0 || data[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// typeOrNone returns mediaType, or "no type" if it is empty, for messages.
func typeOrNone(mediaType string) string {
	if mediaType == "" {
		return "no type"
	}
	return mediaType
}
