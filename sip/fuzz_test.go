package siprec

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseBody feeds ParseBody the corpus and variations on it. It must
// never panic, and every error must be one the SIP layer can answer.
func FuzzParseBody(f *testing.F) {
	for _, name := range inviteCorpusFiles(f) {
		contentType, body := readInviteCorpus(f, name)
		f.Add(contentType, body)
	}
	f.Add("application/sdp", []byte(bodyTestSDP))
	f.Add("", []byte(bodyTestMeta))
	f.Add("multipart/mixed;boundary=b", []byte("--b\r\nContent-Type: multipart/mixed;boundary=c\r\n\r\n"+
		"--c\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--c--\r\n--b--\r\n"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		b, err := ParseBody(contentType, body, 16<<10)
		if err != nil {
			if !errors.Is(err, ErrBodyTooLarge) && !errors.Is(err, ErrMalformedBody) &&
				!errors.Is(err, ErrUnsupportedBody) {
				t.Fatalf("ParseBody error of no known kind: %v", err)
			}
			if ResponseStatus(err) == 500 {
				t.Fatalf("ResponseStatus(%v) = 500", err)
			}
			return
		}
		if b.Metadata != nil && b.MetadataType == "" {
			t.Errorf("metadata without a type")
		}
		if b.Metadata != nil {
			checkFuzzMetadata(t, b.Metadata)
		}
	})
}

// FuzzParseMetadata feeds ParseMetadata the corpus's metadata and the
// unit tests' documents. It must never panic, every error must be typed,
// and what it returns must survive the helpers built on it.
func FuzzParseMetadata(f *testing.F) {
	for _, name := range inviteCorpusFiles(f) {
		contentType, raw := readInviteCorpus(f, name)
		if b, err := ParseBody(contentType, raw, 0); err == nil {
			f.Add(b.Metadata)
		}
	}
	for _, doc := range []string{rfc7865Doc, billionLaughs, bodyTestMeta,
		`<recording dataMode="partial"><participantstreamassoc participant_id="x"><send>1</send>` +
			`</participantstreamassoc></recording>`,
		`<recording_metadata><session id="s"><ac:AvayaUCID>1</ac:AvayaUCID></session></recording_metadata>`,
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkFuzzMetadata(t, doc)
	})
}

// checkFuzzMetadata parses doc and exercises what it gives.
func checkFuzzMetadata(t *testing.T, doc []byte) {
	md, err := ParseMetadata(doc, 16<<10)
	if err != nil {
		if !errors.Is(err, ErrMalformedMetadata) && !errors.Is(err, ErrMetadataTooLarge) {
			t.Fatalf("ParseMetadata error of no known kind: %v", err)
		}
		return
	}
	if md.Mode != Complete && md.Mode != Partial {
		t.Fatalf("Mode = %d", md.Mode)
	}
	if len(md.Warnings) > maxMetadataWarnings+1 {
		t.Fatalf("%d warnings, over the cap", len(md.Warnings))
	}
	for _, s := range md.Streams {
		md.ParticipantForLabel(s.Label)
	}
	md.ParticipantForLabel("1")
	if md.Mode == Complete {
		if diff := cmp.Diff(md, Merge(md, md)); diff != "" {
			t.Fatalf("a complete snapshot merged onto itself changed:\n%s", diff)
		}
	} else {
		Merge(md, md)
	}
}
