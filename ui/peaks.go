package ui

import (
	"math"
	"net/http"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"

	"earshot/recorder/audio"
)

// The player draws its waveform from peaks computed here, so that the
// browser streams the audio with range requests instead of downloading
// and decoding the whole file before it can play: an hour of PCM16 stereo
// is 115 MB, its peaks a few hundred kilobytes of JSON.

const (
	// peaksPerSecond sets the waveform's detail; maxPeaks bounds it for
	// long calls, where the lanes are narrower than the bins anyway.
	peaksPerSecond = 25
	maxPeaks       = 20_000
	// peakCacheSize is how many calls' peaks are kept in memory: the
	// calls a team of reviewers has open at once.
	peakCacheSize = 128
)

// callPeaksOut is the peaks route's answer.
type callPeaksOut struct {
	// DurationS is the audio's length in seconds, as the player needs it
	// to draw peaks before any audio has arrived.
	DurationS float64 `json:"duration_s"`
	// Channels holds one list of peaks (0 to 1) per channel, left first.
	Channels [][]float32 `json:"channels"`
}

func newPeakCache() *lru.Cache[string, *callPeaksOut] {
	c, err := lru.New[string, *callPeaksOut](peakCacheSize)
	if err != nil {
		panic("ui: peak cache: " + err.Error()) // only for a size below 1
	}
	return c
}

// callPeaks serves a recording's waveform peaks. They reveal when each
// party spoke, not what was said, so unlike the audio they are not
// audited; they are shown only to those who may play the call.
func (s *Server) callPeaks(c echo.Context) error {
	ctx := c.Request().Context()
	call, err := s.apiCall(c)
	if call == nil {
		return err
	}
	key := call.ID + "/" + call.Audio.SHA256
	if p, ok := s.peaks.Get(key); ok {
		return c.JSON(http.StatusOK, p)
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
	f := view.Format()
	frames := (view.Size() - 44) / int64(2*max(f.Channels, 1))
	seconds := float64(frames) / float64(max(f.SampleRate, 1))
	bins := min(maxPeaks, max(1, int(math.Ceil(seconds*peaksPerSecond))))
	chans, err := audio.Peaks(view, bins)
	if err != nil {
		return s.internal(c, "compute peaks", err)
	}
	out := &callPeaksOut{DurationS: seconds, Channels: chans}
	s.peaks.Add(key, out)
	return c.JSON(http.StatusOK, out)
}
