package siprec

import (
	"bytes"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
)

// DefaultMaxBodyBytes is the body size limit that ParseBody applies when it
// is given a limit of zero or less. A SIPREC offer with two audio streams
// and the metadata of a two-party call is a few kilobytes; this leaves room
// for conference legs and verbose vendor extensions.
const DefaultMaxBodyBytes = 64 << 10

// Media types that ParseBody tells apart, lower-case and without parameters.
const (
	// TypeSDP is the media type of an SDP offer (RFC 8866).
	TypeSDP = "application/sdp"
	// TypeMetadata is the media type of recording metadata (RFC 7865).
	TypeMetadata = "application/rs-metadata+xml"
	// TypeMetadataLegacy is the type that drafts of RFC 7866 and the SRCs
	// built on them send for the same metadata.
	TypeMetadataLegacy = "application/rs-metadata"
)

// Errors returned by ParseBody, each wrapped with the reason. The SIP layer
// branches on them with errors.Is to choose its answer; ResponseStatus does
// that mapping.
var (
	// ErrBodyTooLarge means the body is over the size limit (answer 413).
	ErrBodyTooLarge = errors.New("siprec: body too large")
	// ErrMalformedBody means the body cannot be split into its parts, or
	// holds no SDP offer where one is required (answer 400).
	ErrMalformedBody = errors.New("siprec: malformed body")
	// ErrUnsupportedBody means the body is of a media type that a
	// recording session cannot use (answer 415).
	ErrUnsupportedBody = errors.New("siprec: unsupported body type")
)

// Body is an INVITE body taken apart: the SDP offer, the recording
// metadata, and any other parts. Each byte slice is a sub-slice of, or a
// copy of, the body given to ParseBody.
type Body struct {
	// SDP is the SDP offer, or nil if the body has none (a late offer, or
	// a metadata-only body such as an UPDATE's).
	SDP []byte
	// Metadata is the recording metadata as sent, or nil. A SIPREC
	// INVITE should carry it (RFC 7866); a plain forked INVITE does not.
	Metadata []byte
	// MetadataType is the media type of the metadata part, TypeMetadata
	// or TypeMetadataLegacy, or "" if there is no metadata.
	MetadataType string
	// Others holds the parts that are neither the SDP nor the metadata
	// (Cisco CUBE adds application/gtd, for instance), in body order.
	Others []Part
	// Warnings describes what was odd but tolerated: a missing or wrong
	// Content-Type on a part, a truncated part, a second SDP part. The
	// SIP layer logs them and flags the recording; it does not refuse.
	Warnings []string
}

// Part is one part of a multipart body that ParseBody kept in Body.Others.
type Part struct {
	// Type is the part's media type, lower-case and without parameters,
	// or "" if the part had no Content-Type.
	Type string
	// Header holds the part's headers, keys in canonical form.
	Header textproto.MIMEHeader
	// Body is the part's content.
	Body []byte
}

// ParseBody splits the body of an INVITE (or re-INVITE, or UPDATE) from a
// session recording client into its parts. contentType is the message's
// Content-Type header value; maxBytes caps the body size, and zero or less
// means DefaultMaxBodyBytes.
//
// It accepts a plain application/sdp body, a bare metadata body of either
// metadata type, and multipart/mixed (or any multipart subtype) with the
// parts in any order, a preamble, extra parts, CRLF or bare LF line ends,
// and part headers written without a space after the colon. Media type
// matching ignores case and parameters. Per-part Content-Length headers
// are ignored: the boundary decides where a part ends.
//
// An empty body gives an empty Body and no error; whether an offer was
// needed is for the caller to decide. A multipart body must hold an SDP
// part; an unreadable metadata part beside it is a warning, not an error.
// Errors wrap ErrBodyTooLarge, ErrMalformedBody or ErrUnsupportedBody.
func ParseBody(contentType string, body []byte, maxBytes int) (Body, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBodyBytes
	}
	if len(body) > maxBytes {
		return Body{}, fmt.Errorf("parse body: %d bytes, limit %d: %w",
			len(body), maxBytes, ErrBodyTooLarge)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return Body{}, nil
	}

	var b Body
	mediaType, params := parseBodyContentType(contentType)
	if mediaType == "" {
		// RFC 3261 Section 20.15 requires Content-Type on a non-empty body;
		// an SRC that forgets it still sent a call worth recording.
		mediaType = sniffBodyType(body)
		if mediaType == "" {
			return Body{}, fmt.Errorf("parse body: no content type: %w", ErrMalformedBody)
		}
		b.warnf("body has no Content-Type; read as %s", mediaType)
	}

	var err error
	switch {
	case mediaType == TypeSDP:
		b.SDP = body
	case isMetadataType(mediaType):
		b.Metadata, b.MetadataType = body, mediaType
	case strings.HasPrefix(mediaType, "multipart/"):
		err = parseMultipart(&b, body, params["boundary"])
	default:
		err = fmt.Errorf("content type %q: %w", mediaType, ErrUnsupportedBody)
	}
	if err != nil {
		return Body{}, fmt.Errorf("parse body: %w", err)
	}
	return b, nil
}

// ResponseStatus returns the SIP status code that a UAS answers for an
// error from ParseBody: 413 Request Entity Too Large (RFC 3261 Section
// 21.4.11), 415 Unsupported Media Type (Section 21.4.13) or 400 Bad Request
// (Section 21.4.1). It returns 500 for any other error and 0 for nil.
func ResponseStatus(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrBodyTooLarge):
		return 413
	case errors.Is(err, ErrUnsupportedBody):
		return 415
	case errors.Is(err, ErrMalformedBody):
		return 400
	default:
		return 500
	}
}

// isMetadataType reports whether mediaType names recording metadata.
func isMetadataType(mediaType string) bool {
	return mediaType == TypeMetadata || mediaType == TypeMetadataLegacy
}

// warnf adds a warning to b.
func (b *Body) warnf(format string, args ...any) {
	b.Warnings = append(b.Warnings, fmt.Sprintf(format, args...))
}
