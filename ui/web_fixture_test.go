package ui

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"earshot/qa"
	"earshot/recorder/audio"
	"earshot/storage"
)

// xssName is a SIP display name, and xssAddress a SIP address, that
// would run if a page printed them unescaped.
const (
	xssName    = `<script>alert(1)</script>`
	xssAddress = `sip:+15550100@carrier.example.net;x="><img src=x onerror=alert(2)>`
)

// webFixture is the auth fixture with what the pages show: a manager, a
// reviewer, an agent (Anna) and her recorded call, whose customer calls
// himself xssName, and a form.
type webFixture struct {
	*authFixture
	manager, reviewer, anna *qa.User
	agentID                 int64
	callID                  string
	form                    *qa.Form
}

// webForm scores 100% with every answer the best; "verify" is critical
// for the whole form, "hold" allows N/A.
const webForm = `{"name": "Support calls", "sections": [
 {"id": "open", "title": "Opening", "questions": [
  {"id": "greet", "text": "Greeted the caller by name", "type": "yes_no",
   "guidance": "Yes when the agent says their own name and the company's in the first 10 seconds."},
  {"id": "verify", "text": "Verified the caller's identity", "type": "yes_no", "critical": "form",
   "guidance": "Two of: date of birth, postcode, account number."}]},
 {"id": "handling", "title": "Handling", "weight": 2, "questions": [
  {"id": "empathy", "text": "Showed empathy", "type": "scale", "min": 1, "max": 5,
   "options": [{"value": "1", "label": "1 cold"}, {"value": "5", "label": "5 warm"}]},
  {"id": "hold", "text": "Asked before putting on hold", "type": "yes_no", "allow_na": true}]}]}`

func newWebFixture(t *testing.T) *webFixture {
	t.Helper()
	f := &webFixture{authFixture: newAuthFixture(t)}
	ctx := t.Context()
	agent, err := f.qa.CreateAgent(ctx, qa.AgentInput{Name: "Anna Agent"})
	if err != nil {
		t.Fatal(err)
	}
	f.agentID = agent.ID
	anna := qa.Identity{Kind: qa.IdentityUser, Value: "anna"}
	if _, err := f.qa.AddIdentity(ctx, agent.ID, anna); err != nil {
		t.Fatal(err)
	}
	f.manager = f.webUser(t, "maria", "Maria Manager", nil, qa.RoleManager)
	f.reviewer = f.webUser(t, "rita", "Rita Reviewer", nil, qa.RoleReviewer)
	f.anna = f.webUser(t, "anna", "Anna Agent", &agent.ID, qa.RoleAgent)
	f.callID = f.addCall(t, time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), 8000)
	var def qa.FormDefinition
	if err := json.Unmarshal([]byte(webForm), &def); err != nil {
		t.Fatal(err)
	}
	if f.form, err = f.qa.CreateForm(ctx, f.manager, def); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *webFixture) webUser(t *testing.T, name, display string, agent *int64, roles ...qa.Role) *qa.User {
	t.Helper()
	u, err := f.qa.CreateUser(t.Context(), qa.NewUser{Username: name, DisplayName: display,
		Password: name + "-password", Roles: roles, AgentID: agent})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// addCall stores a recording of Anna's, as the recorder would: a stereo
// mu-law WAV and its sidecar with a DTMF digit and a pause, indexed in
// the catalog and mapped to her.
func (f *webFixture) addCall(t *testing.T, start time.Time, durationMS int64) string {
	t.Helper()
	ctx := t.Context()
	id := storage.NewRecordingID(start)
	wavKey, sidecarKey, err := storage.RecordingKeys(id)
	if err != nil {
		t.Fatal(err)
	}
	wav := speechLikeWAV(t, durationMS*8)
	f.put(t, wavKey, wav)
	sc := &storage.Sidecar{RecordingID: id, SIPCallID: "web-" + id + "@pbx.example.com",
		StartedAt: start, EndedAt: start.Add(time.Duration(durationMS) * time.Millisecond),
		DurationMS: durationMS,
		Audio:      storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2, Bytes: int64(len(wav))},
		Participants: []storage.Participant{
			{Channel: 0, Name: "Anna Agent", SIPAddress: "sip:anna@pbx.example.com", Role: "callee"},
			{Channel: 1, Name: xssName, SIPAddress: xssAddress, Role: "caller"},
		},
		Streams: []storage.Stream{{Channel: 0, Codec: "PCMU", Decoded: true},
			{Channel: 1, Codec: "PCMU", Decoded: true}},
		DTMF:   []storage.DTMFEvent{{Channel: 1, Digit: "5", AtMS: 2000, DurationMS: 160}},
		Pauses: []storage.Interval{{StartMS: 5000, EndMS: 6000, Reason: "api"}},
		Holds:  []storage.Hold{{Channel: 1, StartMS: 3000, EndMS: 4000}},
		Talk:   &storage.TalkMetrics{TalkMS: [2]int64{3000, 2500}, SilenceMS: 1500},
	}
	body, err := storage.MarshalSidecar(sc)
	if err != nil {
		t.Fatal(err)
	}
	f.put(t, sidecarKey, body)
	if err := f.cat.Index(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if err := f.qa.OnCallIndexed(ctx, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *webFixture) put(t *testing.T, key string, data []byte) {
	t.Helper()
	err := f.store.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// speechLikeWAV is a stereo mu-law WAV of frames frames: the two parties
// take turns, each in bursts of a tone of their own, so that the two
// lanes of the player differ.
func speechLikeWAV(t *testing.T, frames int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	f := audio.Format{Encoding: audio.ULaw, SampleRate: 8000, Channels: 2}
	if err := audio.WriteHeader(&buf, f, frames*2); err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, 0, 2*frames)
	for i := range frames {
		sec := float64(i) / 8000
		turn := int(sec/1.5) % 2 // 1.5 s turns: agent, then customer
		env := math.Abs(math.Sin(math.Pi * sec * 3))
		left, right := 0.0, 0.0
		if turn == 0 {
			left = 9000 * env * math.Sin(2*math.Pi*300*sec)
		} else {
			right = 7000 * env * math.Sin(2*math.Pi*500*sec)
		}
		pcm = append(pcm, int16(left), int16(right))
	}
	return audio.EncodeULaw(buf.Bytes(), pcm)
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so that tests see them.
type browser struct {
	*http.Client
	base string
}

func (f *webFixture) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{base: f.url, Client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs b in through the sign-in form as name.
func (f *webFixture) signIn(t *testing.T, name string) *browser {
	t.Helper()
	b := f.browser(t)
	_, page := b.get(t, "/login")
	resp, body := b.post(t, "/login", url.Values{csrfField: {formToken(t, page)},
		"username": {name}, "password": {name + "-password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %s", name, resp.StatusCode, body)
	}
	return b
}

func (b *browser) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	return b.send(t, http.MethodGet, path, "", nil)
}

func (b *browser) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return b.send(t, http.MethodPost, path, "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()))
}

func (b *browser) send(
	t *testing.T,
	method, path, ctype string,
	body *strings.Reader,
) (*http.Response, string) {
	t.Helper()
	var req *http.Request
	var err error
	if body == nil {
		req, err = http.NewRequestWithContext(t.Context(), method, b.base+path, nil)
	} else {
		req, err = http.NewRequestWithContext(t.Context(), method, b.base+path, body)
	}
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	if _, err := out.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp, out.String()
}

var tokenField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// formToken is the CSRF token in a page's forms.
func formToken(t *testing.T, page string) string {
	t.Helper()
	m := tokenField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf_token field in the page:\n%s", page)
	}
	return m[1]
}
