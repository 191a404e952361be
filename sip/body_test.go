package siprec

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	bodyTestSDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
		"m=audio 4000 RTP/AVP 0\r\na=sendonly\r\na=label:1\r\n" +
		"m=audio 4002 RTP/AVP 0\r\na=sendonly\r\na=label:2\r\n"
	bodyTestMeta = `<?xml version="1.0"?><recording xmlns="urn:ietf:params:xml:ns:recording:1">` +
		`<datamode>complete</datamode></recording>`
)

// bodyView is the part of a Body that the table tests compare.
type bodyView struct {
	SDP, Metadata, MetadataType string
	Others                      []string // "type|body" per part
}

func bodyViewOf(b Body) bodyView {
	v := bodyView{SDP: string(b.SDP), Metadata: string(b.Metadata), MetadataType: b.MetadataType}
	for _, p := range b.Others {
		v.Others = append(v.Others, p.Type+"|"+string(p.Body))
	}
	return v
}

// toTestCRLF turns the bare LFs of a readable test literal into CRLF.
func toTestCRLF(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// testMultipart builds a CRLF multipart body from part header blocks and
// contents, delimited by boundary b.
func testMultipart(b string, parts ...string) string {
	var sb strings.Builder
	for i := 0; i+1 < len(parts); i += 2 {
		sb.WriteString("--" + b + "\r\n" + toTestCRLF(parts[i]) + "\r\n\r\n" + parts[i+1] + "\r\n")
	}
	sb.WriteString("--" + b + "--\r\n")
	return sb.String()
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		maxBytes    int
		want        bodyView
		wantWarn    []string // substrings, one per expected warning
	}{
		{
			name:        "plain sdp",
			contentType: "application/sdp",
			body:        bodyTestSDP,
			want:        bodyView{SDP: bodyTestSDP},
		},
		{
			name:        "sdp type in capitals with parameters",
			contentType: "Application/SDP; charset=UTF-8",
			body:        bodyTestSDP,
			want:        bodyView{SDP: bodyTestSDP},
		},
		{
			name:        "bare metadata",
			contentType: "application/rs-metadata+xml",
			body:        bodyTestMeta,
			want:        bodyView{Metadata: bodyTestMeta, MetadataType: TypeMetadata},
		},
		{
			name:        "bare legacy metadata type",
			contentType: "application/rs-metadata",
			body:        bodyTestMeta,
			want:        bodyView{Metadata: bodyTestMeta, MetadataType: TypeMetadataLegacy},
		},
		{
			name:        "empty body",
			contentType: "application/sdp",
			body:        "\r\n",
			want:        bodyView{},
		},
		{
			name:        "no content type on an sdp body",
			contentType: "",
			body:        bodyTestSDP,
			want:        bodyView{SDP: bodyTestSDP},
			wantWarn:    []string{"no Content-Type"},
		},
		{
			name:        "multipart sdp then metadata",
			contentType: "multipart/mixed;boundary=b1",
			body: testMultipart("b1",
				"Content-Type: application/sdp", bodyTestSDP,
				"Content-Type: application/rs-metadata+xml\nContent-Disposition: recording-session", bodyTestMeta),
			want: bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata},
		},
		{
			name:        "metadata first, legacy type, quoted boundary",
			contentType: `multipart/mixed; boundary="b 2"`,
			body: testMultipart("b 2",
				"Content-Type: application/rs-metadata", bodyTestMeta,
				"Content-Type: application/sdp", bodyTestSDP),
			want: bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadataLegacy},
		},
		{
			name:        "preamble, epilogue and headers without a space",
			contentType: "multipart/mixed;boundary=xyz",
			body: "This is a preamble.\r\n" + testMultipart("xyz",
				"Content-Type:application/sdp", bodyTestSDP,
				"Content-Type:application/rs-metadata+xml", bodyTestMeta) + "epilogue\r\n",
			want: bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata},
		},
		{
			name:        "extra gtd part kept with its type",
			contentType: "multipart/mixed;boundary=uniqueBoundary",
			body: testMultipart("uniqueBoundary",
				"Content-Type:application/sdp", bodyTestSDP,
				"Content-Type:application/gtd", "IAM,\r\nGCI,0a1b",
				"Content-Type:application/rs-metadata+xml", bodyTestMeta),
			want: bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata,
				Others: []string{"application/gtd|IAM,\r\nGCI,0a1b"}},
		},
		{
			name:        "wrong per-part content-length is ignored",
			contentType: "multipart/mixed;boundary=b1",
			body: testMultipart("b1",
				"Content-Type: application/sdp\nContent-Length: 3", bodyTestSDP,
				"Content-Type: application/rs-metadata+xml\nContent-Length: 99999", bodyTestMeta),
			want: bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata},
		},
		{
			name:        "bare LF throughout",
			contentType: "multipart/mixed;boundary=lf",
			body: "--lf\nContent-Type: application/sdp\n\nv=0\ns=-\n\n--lf\n" +
				"Content-Type: application/rs-metadata+xml\n\n<recording/>\n--lf--\n",
			want: bodyView{SDP: "v=0\ns=-\n", Metadata: "<recording/>", MetadataType: TypeMetadata},
		},
		{
			name:        "CRLF boundaries around bare LF ones",
			contentType: "multipart/mixed;boundary=mix",
			body: "--mix\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\n--mix\n" +
				"Content-Type: application/rs-metadata+xml\n\n<recording/>\n--mix--\n",
			want:     bodyView{SDP: "v=0\r\n", Metadata: "<recording/>", MetadataType: TypeMetadata},
			wantWarn: []string{"mixes CRLF and bare LF"},
		},
		{
			name:        "boundary in the header differs from the body's",
			contentType: "multipart/mixed;boundary=declared",
			body: testMultipart("actual",
				"Content-Type: application/sdp", bodyTestSDP,
				"Content-Type: application/rs-metadata+xml", bodyTestMeta),
			want:     bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata},
			wantWarn: []string{"boundary from Content-Type not found"},
		},
		{
			name:        "unquoted boundary that mime.ParseMediaType refuses",
			contentType: "multipart/mixed;boundary=----=_Part_7_1;",
			body: testMultipart("----=_Part_7_1",
				"Content-Type: application/sdp", bodyTestSDP),
			want: bodyView{SDP: bodyTestSDP},
		},
		{
			name:        "parts without content-type are sniffed",
			contentType: "multipart/mixed;boundary=b1",
			body: testMultipart("b1",
				"Content-Disposition: session", bodyTestSDP,
				"Content-Disposition: recording-session", bodyTestMeta),
			want:     bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata},
			wantWarn: []string{"part 1 has no Content-Type", "part 2 has no Content-Type"},
		},
		{
			name:        "metadata sent as application/xml",
			contentType: "multipart/mixed;boundary=b1",
			body: testMultipart("b1",
				"Content-Type: application/sdp", bodyTestSDP,
				"Content-Type: application/xml", bodyTestMeta),
			want:     bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata},
			wantWarn: []string{"holds recording metadata"},
		},
		{
			name:        "sdp inside a nested multipart",
			contentType: "multipart/mixed;boundary=outer",
			body: testMultipart("outer",
				"Content-Type: multipart/alternative;boundary=inner",
				testMultipart("inner", "Content-Type: application/sdp", bodyTestSDP),
				"Content-Type: application/rs-metadata+xml", bodyTestMeta),
			want: bodyView{SDP: bodyTestSDP, Metadata: bodyTestMeta, MetadataType: TypeMetadata},
		},
		{
			name:        "second sdp part goes with the others",
			contentType: "multipart/mixed;boundary=b1",
			body: testMultipart("b1",
				"Content-Type: application/sdp", bodyTestSDP,
				"Content-Type: application/sdp", "v=0\r\n"),
			want:     bodyView{SDP: bodyTestSDP, Others: []string{"application/sdp|v=0\r\n"}},
			wantWarn: []string{"second application/sdp part"},
		},
		{
			name:        "metadata part cut off before the closing boundary",
			contentType: "multipart/mixed;boundary=b1",
			body: "--b1\r\nContent-Type: application/sdp\r\n\r\n" + bodyTestSDP +
				"\r\n--b1\r\nContent-Type: application/rs-metadata+xml\r\n\r\n<recording><part",
			want: bodyView{SDP: bodyTestSDP, Metadata: "<recording><part",
				MetadataType: TypeMetadata},
			wantWarn: []string{"part 2 (application/rs-metadata+xml) is cut short"},
		},
		{
			name:        "unreadable metadata part headers after the sdp",
			contentType: "multipart/mixed;boundary=b1",
			body: "--b1\r\nContent-Type: application/sdp\r\n\r\n" + bodyTestSDP +
				"\r\n--b1\r\nthis is no header\r\n\r\n<recording/>\r\n--b1--\r\n",
			want:     bodyView{SDP: bodyTestSDP},
			wantWarn: []string{"after part 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBody(tt.contentType, []byte(tt.body), tt.maxBytes)
			if err != nil {
				t.Fatalf("ParseBody: %v", err)
			}
			if diff := cmp.Diff(tt.want, bodyViewOf(got)); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			checkWarningList(t, got.Warnings, tt.wantWarn)
		})
	}
}

func TestParseBodyErrors(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		maxBytes    int
		wantErr     error
		wantStatus  int
	}{
		{
			name:        "over the limit",
			contentType: "application/sdp",
			body:        bodyTestSDP,
			maxBytes:    10,
			wantErr:     ErrBodyTooLarge,
			wantStatus:  413,
		},
		{
			name:        "over the default limit",
			contentType: "application/sdp",
			body:        "v=0\r\n" + strings.Repeat("a=x\r\n", DefaultMaxBodyBytes/5),
			wantErr:     ErrBodyTooLarge,
			wantStatus:  413,
		},
		{
			name:        "multipart without boundary",
			contentType: "multipart/mixed",
			body:        testMultipart("b1", "Content-Type: application/sdp", bodyTestSDP),
			wantErr:     ErrMalformedBody,
			wantStatus:  400,
		},
		{
			name:        "multipart without sdp part",
			contentType: "multipart/mixed;boundary=b1",
			body:        testMultipart("b1", "Content-Type: application/rs-metadata+xml", bodyTestMeta),
			wantErr:     ErrMalformedBody,
			wantStatus:  400,
		},
		{
			name:        "multipart without any delimiter",
			contentType: "multipart/mixed;boundary=b1",
			body:        "just some text\r\n",
			wantErr:     ErrMalformedBody,
			wantStatus:  400,
		},
		{
			name:        "no content type and nothing recognisable",
			contentType: "",
			body:        "hello",
			wantErr:     ErrMalformedBody,
			wantStatus:  400,
		},
		{
			name:        "unsupported type",
			contentType: "text/plain",
			body:        "hello",
			wantErr:     ErrUnsupportedBody,
			wantStatus:  415,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBody(tt.contentType, []byte(tt.body), tt.maxBytes)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseBody error = %v, want %v", err, tt.wantErr)
			}
			if got := ResponseStatus(err); got != tt.wantStatus {
				t.Errorf("ResponseStatus = %d, want %d", got, tt.wantStatus)
			}
		})
	}
}

func TestResponseStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "nil", err: nil, want: 0},
		{name: "other error", err: errors.New("boom"), want: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResponseStatus(tt.err); got != tt.want {
				t.Errorf("ResponseStatus(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

// checkWarningList fails t unless got holds exactly one warning per substring
// in want, in order.
func checkWarningList(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("warnings = %q, want %d matching %q", got, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("warning %d = %q, want it to contain %q", i, got[i], w)
		}
	}
}
