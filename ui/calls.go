package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/recorder/audio"
	"earshot/storage"
	"earshot/storage/catalog"
)

// Calls is the call catalog as the API reads it. Get returns the call with
// its marks, which the call page and GET /api/v1/calls/{id} show.
type Calls interface {
	List(ctx context.Context, f catalog.ListFilter) ([]catalog.Call, error)
	Get(ctx context.Context, id string) (*catalog.Call, error)
}

// CallControl reaches calls being recorded.
type CallControl interface {
	// Pause stops recording audio of a call in progress; Resume starts it
	// again. Both return ErrNotRecording for a call not in progress.
	Pause(id, reason string) error
	Resume(id string) error
}

// ErrNotRecording is returned by a CallControl for a call that is not
// being recorded.
var ErrNotRecording = errors.New("ui: call is not being recorded")

// callAPI are the call routes. Agents may list and play only the calls
// linked to their own agent.
func (s *Server) callAPI() []route {
	if s.cfg.Calls == nil {
		return nil
	}
	return []route{
		{method: http.MethodGet, path: "/api/v1/calls", roles: qa.AllRoles, h: s.listCalls,
			summary: "List recorded calls with their agents; filters: from, to, participant, sip_call_id, " +
				"min/max_duration_ms, min_overtalk_ms, min_longest_silence_ms, agent_id, team_id, direction, " +
				"evaluated (true/false); order: newest, oldest, longest, shortest, overtalk, silence; " +
				"limit and after (cursor)"},
		{method: http.MethodGet, path: "/api/v1/calls/:id", roles: qa.AllRoles, h: s.getCall,
			summary: "One recorded call: parties, streams, talk metrics, " +
				"and its DTMF, pause and hold marks"},
		{method: http.MethodGet, path: "/api/v1/calls/:id/audio", roles: qa.AllRoles, h: s.callAudio,
			summary: "The recording as 16-bit PCM stereo WAV, with range requests"},
		{method: http.MethodGet, path: "/api/v1/calls/:id/peaks", roles: qa.AllRoles, h: s.callPeaks,
			summary: "The waveform's peaks per channel (0 to 1), for the player to draw before streaming"},
		{method: http.MethodHead, path: "/api/v1/calls/:id/audio", roles: qa.AllRoles, h: s.callAudio,
			summary: "The recording's size and type, as GET would answer, without the audio"},
		{method: http.MethodPost, path: "/api/v1/calls/:id/pause", roles: staff, h: s.pauseCall,
			summary: "Pause recording a call in progress"},
		{method: http.MethodPost, path: "/api/v1/calls/:id/resume", roles: staff, h: s.resumeCall,
			summary: "Resume recording a paused call"},
	}
}

type apiError struct {
	Error string `json:"error"`
}

func apiErr(c echo.Context, code int, format string, args ...any) error {
	return c.JSON(code, apiError{Error: fmt.Sprintf(format, args...)})
}

type callList struct {
	Calls []qa.LibraryCall `json:"calls"`
	// Next is the cursor for the next page (pass it as after=), empty on
	// the last page.
	Next string `json:"next,omitempty"`
}

func (s *Server) listCalls(c echo.Context) error {
	f, err := listFilter(c)
	if err != nil {
		return apiErr(c, http.StatusBadRequest, "%v", err)
	}
	limit := f.Limit
	if limit == 0 {
		limit = catalog.DefaultListLimit
	}
	// One more than asked tells whether another page exists, so that the
	// last page carries no cursor.
	f.Limit = min(limit+1, catalog.MaxListLimit)
	calls, err := s.listLibrary(c, f)
	if errors.Is(err, catalog.ErrNotFound) {
		return apiErr(c, http.StatusBadRequest,
			"after=%s names no call; start from the first page", f.After)
	}
	var in *qa.InputError
	if errors.As(err, &in) || errors.Is(err, qa.ErrForbidden) {
		return s.apiError(c, err)
	}
	if err != nil {
		return s.internal(c, "list calls", err)
	}
	out := callList{Calls: calls}
	if calls == nil {
		out.Calls = []qa.LibraryCall{}
	}
	if len(calls) > limit || len(calls) == catalog.MaxListLimit {
		out.Calls = calls[:limit]
		out.Next = calls[limit-1].ID
	}
	return c.JSON(http.StatusOK, out)
}

// listFilter reads the query parameters of GET /api/v1/calls.
func listFilter(c echo.Context) (qa.LibraryFilter, error) {
	var f qa.LibraryFilter
	var err error
	if err := libraryParamsAPI(c, &f); err != nil {
		return f, err
	}
	if f.From, err = queryTime(c, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return f, err
	}
	f.Participant = c.QueryParam("participant")
	f.SIPCallID = c.QueryParam("sip_call_id")
	f.After = c.QueryParam("after")
	if f.MinDurationMS, err = queryNonNegative(c, "min_duration_ms"); err != nil {
		return f, err
	}
	if f.MaxDurationMS, err = queryNonNegative(c, "max_duration_ms"); err != nil {
		return f, err
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return f, err
	}
	if c.QueryParam("limit") != "" && (limit < 1 || limit > catalog.MaxListLimit) {
		return f, fmt.Errorf("limit=%d: must be 1 to %d", limit, catalog.MaxListLimit)
	}
	f.Limit = int(limit)
	return f, nil
}

func queryNonNegative(c echo.Context, name string) (int64, error) {
	n, err := queryInt(c, name)
	if err == nil && n < 0 {
		err = fmt.Errorf("%s=%d: must not be negative", name, n)
	}
	return n, err
}

func queryTime(c echo.Context, name string) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, fmt.Errorf("%s=%q: want an RFC 3339 time such as 2026-12-03T09:00:00Z", name, v)
	}
	return t, nil
}

func queryInt(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want a whole number", name, v)
	}
	return n, nil
}

// listLibrary lists the calls the caller may see. Without the QA side
// (tests of the recorder's API alone) every call is listed and the QA
// filters are refused.
func (s *Server) listLibrary(c echo.Context, f qa.LibraryFilter) ([]qa.LibraryCall, error) {
	if u := caller(c); u != nil && s.cfg.QA != nil {
		return s.cfg.QA.Library(c.Request().Context(), u, f)
	}
	if f.AgentID != 0 || f.TeamID != 0 || f.Direction != "" || f.Evaluated != nil {
		return nil, &qa.InputError{Msg: "agent_id, team_id, direction and evaluated need the QA side"}
	}
	calls, err := s.cfg.Calls.List(c.Request().Context(), f.ListFilter)
	out := make([]qa.LibraryCall, len(calls))
	for i := range calls {
		out[i].Call = calls[i]
	}
	return out, err
}

// visibleCall returns a call the caller may see; an agent asking for
// another agent's call is told it does not exist.
func (s *Server) visibleCall(c echo.Context) (*catalog.Call, error) {
	ctx := c.Request().Context()
	if u := caller(c); u != nil && s.cfg.QA != nil {
		if err := s.cfg.QA.CallVisible(ctx, u, c.Param("id")); err != nil {
			if errors.Is(err, qa.ErrNotFound) {
				return nil, catalog.ErrNotFound
			}
			return nil, err
		}
	}
	return s.cfg.Calls.Get(ctx, c.Param("id"))
}

// apiCall returns the call of the route's :id if the caller may see it;
// otherwise it answers (403, 404 or 500) and returns nil and the answer's
// error, for the handler to return.
func (s *Server) apiCall(c echo.Context) (*catalog.Call, error) {
	call, err := s.visibleCall(c)
	switch {
	case errors.Is(err, qa.ErrForbidden):
		return nil, s.apiError(c, err)
	case errors.Is(err, catalog.ErrNotFound):
		return nil, apiErr(c, http.StatusNotFound, "no recorded call %q", c.Param("id"))
	case err != nil:
		return nil, s.internal(c, "get call", err)
	}
	return call, nil
}

func (s *Server) getCall(c echo.Context) error {
	call, err := s.apiCall(c)
	if call == nil {
		return err
	}
	// A call whose holds the catalog lacks is still served if its sidecar
	// cannot be read: its marks then say holds_unknown.
	s.fillHolds(c.Request().Context(), call)
	out := callWithAgent{Call: call}
	if s.cfg.QA != nil {
		agent, err := s.cfg.QA.AgentOfCall(c.Request().Context(), call.ID)
		if err != nil && !errors.Is(err, qa.ErrNotFound) {
			return s.internal(c, "get call agent", err)
		}
		out.Agent = agent
	}
	return c.JSON(http.StatusOK, out)
}

// callWithAgent is a call as the API shows it: the catalog's fields, its
// marks included, and, once the call is linked to an agent, who took it
// and in which direction.
type callWithAgent struct {
	*catalog.Call
	Agent *qa.CallAgent `json:"agent,omitempty"`
}

// callAudio serves a recording as 16-bit PCM stereo WAV, converted from
// the stored form as it is read, with range requests (the player seeks).
func (s *Server) callAudio(c echo.Context) error {
	ctx := c.Request().Context()
	call, err := s.apiCall(c)
	if call == nil {
		return err
	}
	info, err := s.cfg.Store.Stat(ctx, call.WAVKey)
	if err != nil {
		return s.internal(c, "find recording", err)
	}
	src := &objectReaderAt{ctx: ctx, store: s.cfg.Store, key: call.WAVKey, size: info.Size}
	view, err := audio.NewPCM16View(src, info.Size)
	if err != nil {
		return s.internal(c, "read recording", err)
	}
	action := qa.ActionPlay
	if dl, _ := strconv.ParseBool(c.QueryParam("download")); dl {
		action = qa.ActionDownload
		c.Response().Header().Set(echo.HeaderContentDisposition,
			fmt.Sprintf("attachment; filename=%q", call.ID+".wav"))
	}
	// Recordings are personal data: nothing is served that is not in the
	// audit log first, each range request included, since a file can be
	// fetched range by range.
	rng := c.Request().Header.Get("Range")
	var detail map[string]any
	if rng != "" {
		detail = map[string]any{"range": rng}
	}
	if err := s.audit(c, action, "call", call.ID, detail); err != nil {
		return s.internal(c, "audit", err)
	}
	s.cfg.Log.Info("recording served", "recording_id", call.ID, "action", action,
		"remote_addr", c.RealIP(), "range", rng)
	c.Response().Header().Set("Content-Type", "audio/wav")
	http.ServeContent(c.Response(), c.Request(), call.ID+".wav", info.ModTime,
		io.NewSectionReader(view, 0, view.Size()))
	return nil
}

func (s *Server) pauseCall(c echo.Context) error {
	return s.control(c, func(id string) error { return s.cfg.Control.Pause(id, "api") })
}

func (s *Server) resumeCall(c echo.Context) error {
	return s.control(c, s.cfg.Control.Resume)
}

func (s *Server) control(c echo.Context, op func(id string) error) error {
	id := c.Param("id")
	err := op(id)
	if errors.Is(err, ErrNotRecording) {
		return apiErr(c, http.StatusConflict,
			"call %q is not being recorded now; only calls in progress can be paused or resumed", id)
	}
	if err != nil {
		return s.internal(c, "pause or resume", err)
	}
	return c.NoContent(http.StatusNoContent)
}

// internal logs an unexpected error and answers 500 without its details,
// which may name files or hosts.
func (s *Server) internal(c echo.Context, op string, err error) error {
	s.cfg.Log.Error("api request failed", "op", op, "path", c.Path(), "err", err)
	return apiErr(c, http.StatusInternalServerError, "%s failed; the server log has the details", op)
}

// objectReaderAt reads a stored object by ranges, a block at a time, so
// that the converter's many small reads cost few store requests.
type objectReaderAt struct {
	ctx   context.Context
	store storage.Store
	key   string
	size  int64

	block    []byte
	blockOff int64
}

const readBlock = 256 << 10

func (r *objectReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		if off+int64(n) >= r.size {
			return n, io.EOF
		}
		if err := r.fill(off + int64(n)); err != nil {
			return n, err
		}
		n += copy(p[n:], r.block[off+int64(n)-r.blockOff:])
	}
	return n, nil
}

// fill loads the block holding off, unless it is loaded.
func (r *objectReaderAt) fill(off int64) error {
	if r.block != nil && off >= r.blockOff && off < r.blockOff+int64(len(r.block)) {
		return nil
	}
	rc, _, err := r.store.Get(r.ctx, r.key, &storage.Range{Offset: off, Length: readBlock})
	if err != nil {
		return err
	}
	defer rc.Close()
	buf, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	if len(buf) == 0 {
		return io.ErrUnexpectedEOF // a store that answers nothing must not spin the reader
	}
	r.block, r.blockOff = buf, off
	return nil
}
