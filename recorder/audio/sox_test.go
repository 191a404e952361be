package audio

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// requireSox returns the path of sox, a real, widely used WAV reader and
// writer. Without it the test is skipped, unless CI is "true": there it
// must be installed (apt-get install sox).
func requireSox(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sox")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sox is required in CI: %v", err)
		}
		t.Skip("sox not installed; it checks our WAV files against a real reader")
	}
	return path
}

// runSox runs sox and returns its standard output and standard error; it
// fails the test if sox fails or warns.
func runSox(t *testing.T, sox string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(sox, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sox %q: %v\n%s", args, err, errOut.Bytes())
	}
	if bytes.Contains(errOut.Bytes(), []byte("WARN")) {
		t.Fatalf("sox %q warned:\n%s", args, errOut.Bytes())
	}
	return out.Bytes(), errOut.Bytes()
}

// TestSoxReadsOurFiles writes files with Writer and through PCM16View and
// has sox describe them, check them and decode them.
func TestSoxReadsOurFiles(t *testing.T) {
	sox := requireSox(t)
	ulaw := EncodeULaw(nil, toneStereo(8000))

	tests := []struct {
		name         string
		format       Format
		data         []byte
		view         bool   // write the PCM16 view of the file instead
		wantEncoding string // as sox --i names it
		wantPCM      []int16
	}{
		{
			name: "ulaw stereo", format: ulawStereo, data: ulaw,
			wantEncoding: "8-bit u-law", wantPCM: DecodeULaw(nil, ulaw),
		},
		{
			name: "alaw stereo", format: alawStereo, data: EncodeALaw(nil, toneStereo(8000)),
			wantEncoding: "8-bit A-law", wantPCM: DecodeALaw(nil, EncodeALaw(nil, toneStereo(8000))),
		},
		{
			name: "alaw mono odd", format: alawMono, data: EncodeALaw(nil, toneStereo(801)[:1601]),
			wantEncoding: "8-bit A-law", wantPCM: DecodeALaw(nil, EncodeALaw(nil, toneStereo(801)[:1601])),
		},
		{
			name: "pcm16 stereo 16 kHz", format: pcm16Stereo, data: pcmToBytes(toneStereo(16000)),
			wantEncoding: "16-bit Signed Integer PCM", wantPCM: toneStereo(16000),
		},
		{
			name: "pcm16 view of ulaw", format: ulawStereo, data: ulaw, view: true,
			wantEncoding: "16-bit Signed Integer PCM", wantPCM: DecodeULaw(nil, ulaw),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "call.wav")
			writeWAV(t, path, tt.format, tt.data)
			if tt.view {
				writeView(t, path)
			}

			out, _ := runSox(t, sox, "--i", path)
			info := string(out)
			wantCh, wantFrames := tt.format.Channels, len(tt.wantPCM)/tt.format.Channels
			checkInfo(t, info, "Channels", strconv.Itoa(wantCh))
			checkInfo(t, info, "Sample Rate", strconv.Itoa(tt.format.SampleRate))
			checkInfo(t, info, "Sample Encoding", tt.wantEncoding)
			checkInfo(t, info, "Duration", `.* = `+strconv.Itoa(wantFrames)+` samples( .*)?`)

			// stat reads every sample and reports on standard error.
			_, report := runSox(t, sox, path, "-n", "stat")
			checkInfo(t, string(report), "Samples read", strconv.Itoa(len(tt.wantPCM)))

			got, _ := runSox(t, sox, path, "-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-")
			if diff := cmp.Diff(tt.wantPCM, pcmFromBytes(got)); diff != "" {
				t.Errorf("sox decoded (-ours +sox):\n%s", diff)
			}
		})
	}
}

// writeWAV writes a WAV file through Writer in 20 ms pieces.
func writeWAV(t *testing.T, path string, f Format, data []byte) {
	t.Helper()
	file := createFile(t, path)
	w, err := NewWriter(file, f)
	if err != nil {
		t.Fatal(err)
	}
	for p := range chunks(data, f.SampleRate/50*f.BlockAlign()) {
		if _, err := w.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeView replaces the WAV file at path with its PCM16 view.
func writeView(t *testing.T, path string) {
	t.Helper()
	stored := readFile(t, path)
	v, err := NewPCM16View(bytes.NewReader(stored), int64(len(stored)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(io.NewSectionReader(v, 0, v.Size()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkInfo checks one "Key : value" line of sox --i or sox stat.
func checkInfo(t *testing.T, info, key, valueRE string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + ` *: *` + valueRE + `\s*$`)
	if !re.MatchString(info) {
		t.Errorf("sox --i: no %q line matching %q in:\n%s", key, valueRE, info)
	}
}

// TestSoxWritesOurLayout has sox write the formats we store and checks
// that ReadHeader reads them and that their headers are byte for byte the
// ones WriteHeader makes.
func TestSoxWritesOurLayout(t *testing.T) {
	sox := requireSox(t)
	tests := []struct {
		name   string
		format Format
		args   []string // sox output options
	}{
		{name: "ulaw stereo", format: ulawStereo, args: []string{"-e", "u-law"}},
		{name: "alaw stereo", format: alawStereo, args: []string{"-e", "a-law"}},
		{name: "alaw mono", format: alawMono, args: []string{"-e", "a-law"}},
		{name: "pcm16 stereo", format: pcm16Stereo, args: []string{"-e", "signed-integer", "-b", "16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sox.wav")
			args := []string{"-D", "-n", "-r", strconv.Itoa(tt.format.SampleRate),
				"-c", strconv.Itoa(tt.format.Channels)}
			args = append(append(args, tt.args...), path, "synth", "0.3", "sine", "440")
			runSox(t, sox, args...)

			b := readFile(t, path)
			f, off, n, err := ReadHeader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if f != tt.format || off+n+n%2 != int64(len(b)) {
				t.Errorf("ReadHeader = %+v, %d, %d for a %d-byte file", f, off, n, len(b))
			}
			if diff := cmp.Diff(appendHeader(nil, f, n), b[:off]); diff != "" {
				t.Errorf("sox's header (-ours +sox):\n%s", diff)
			}
		})
	}
}

// TestSoxG711Tables has sox decode all 256 codes of each law.
func TestSoxG711Tables(t *testing.T) {
	sox := requireSox(t)
	tests := []struct {
		name   string
		typ    string // sox's raw file type
		decode func([]int16, []byte) []int16
	}{
		{name: "ulaw", typ: "ul", decode: DecodeULaw},
		{name: "alaw", typ: "al", decode: DecodeALaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "codes."+tt.typ)
			if err := os.WriteFile(path, allCodes(), 0o600); err != nil {
				t.Fatal(err)
			}
			got, _ := runSox(t, sox, "-t", tt.typ, "-r", "8000", "-c", "1", path,
				"-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-")
			if diff := cmp.Diff(tt.decode(nil, allCodes()), pcmFromBytes(got)); diff != "" {
				t.Errorf("decoded codes (-ours +sox):\n%s", diff)
			}
		})
	}
}
