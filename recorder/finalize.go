package recorder

import (
	"context"

	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"earshot/recorder/audio"
	"earshot/storage"
)

// Recover finalizes every call a previous run left in the spool: calls that
// ended but were not yet handed over, and calls cut off by a crash, which
// are kept with the audio received up to the crash and flagged interrupted.
func (m *Manager) Recover(ctx context.Context) error {
	entries, err := os.ReadDir(m.cfg.SpoolDir)
	if err != nil {
		return fmt.Errorf("read spool: %w", err)
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if _, _, err := storage.RecordingKeys(e.Name()); err != nil || !e.IsDir() {
			continue
		}
		m.log.Info("finalizing recording left in the spool", "recording_id", e.Name())
		m.finalizeDir(filepath.Join(m.cfg.SpoolDir, e.Name()))
	}
	return nil
}

// finalizeDir finalizes one call's spool folder. On failure the folder
// stays, to be tried again at the next start.
func (m *Manager) finalizeDir(dir string) {
	start := time.Now()
	id := filepath.Base(dir)
	if err := m.finalize(dir); err != nil {
		m.metrics.finalized.WithLabelValues("failed").Inc()
		m.log.Error("finalize recording; its spool is kept for the next start",
			"recording_id", id, "err", err)
		return
	}
	m.metrics.finalized.WithLabelValues("ok").Inc()
	m.log.Info("recording finalized", "recording_id", id, "took", time.Since(start))
}

func (m *Manager) finalize(dir string) error {
	st, err := loadState(dir)
	if err != nil {
		return err
	}
	logs := make([]*streamLog, 0, len(st.Streams))
	for _, ss := range st.Streams {
		sl, err := scanStream(dir, ss)
		if err != nil {
			return err
		}
		logs = append(logs, sl)
	}
	sc := m.baseSidecar(st, logs)
	wavPath := filepath.Join(dir, st.RecordingID+".wav")
	if err := renderCall(dir, wavPath, st, logs, sc); err != nil {
		return err
	}
	if err := m.sink.Enqueue(wavPath, sc); err != nil {
		return fmt.Errorf("hand recording to storage: %w", err)
	}
	return os.RemoveAll(dir)
}

// baseSidecar describes the call from its state and logs; renderCall adds
// the audio.
func (m *Manager) baseSidecar(st *callState, logs []*streamLog) *storage.Sidecar {
	sc := &storage.Sidecar{
		RecordingID:  st.RecordingID,
		SIPCallID:    st.SIPCallID,
		StartedAt:    st.StartedAt.UTC(),
		EndedAt:      st.EndedAt.UTC(),
		Recorder:     m.cfg.Recorder,
		Participants: st.Participants,
		Pauses:       st.Pauses,
		Holds:        st.Holds,
		Warnings:     slices.Clone(st.Warnings),
		Extra:        st.Extra,
		MetadataXML:  st.MetadataXML,
	}
	if st.EndedAt.IsZero() {
		// Cut off by a crash: the call lasted as long as its audio.
		var last int64
		for _, sl := range logs {
			last = max(last, sl.lastArrivalUS())
		}
		sc.EndedAt = sc.StartedAt.Add(time.Duration(last) * time.Microsecond)
		sc.Interrupted = true
		sc.Warnings = append(sc.Warnings, "the recorder stopped during the call; "+
			"the recording holds the audio received until then")
	}
	endMS := sc.EndedAt.Sub(sc.StartedAt).Milliseconds()
	for i := range sc.Pauses {
		if sc.Pauses[i].EndMS < 0 {
			sc.Pauses[i].EndMS = endMS
		}
	}
	for i := range sc.Holds {
		if sc.Holds[i].EndMS < 0 {
			sc.Holds[i].EndMS = endMS
		}
	}
	for _, sl := range logs {
		if sl.torn {
			sc.Warnings = append(sc.Warnings, fmt.Sprintf("stream %d: the last spooled packet was cut short "+
				"by the crash and is left out", sl.state.Index))
		}
	}
	return sc
}

// callFormat picks the stored format (design decision 4): both channels in
// the same G.711 law stay in that law; anything else becomes 16-bit PCM at
// the highest rate received.
func callFormat(logs []*streamLog) (audio.Format, error) {
	laws := map[string]bool{}
	rate := 8000
	for _, sl := range logs {
		seen := map[uint8]bool{}
		for i := range sl.packets {
			pt := sl.packets[i].pt
			if seen[pt] {
				continue
			}
			seen[pt] = true
			c, ok := sl.codec(pt)
			if !ok || sl.isEvent(pt) || !decodable[strings.ToUpper(c.Name)] {
				continue
			}
			laws[strings.ToUpper(c.Name)] = true
			rate = max(rate, outputRate(c))
		}
	}
	f := audio.Format{Encoding: audio.PCM16, SampleRate: rate, Channels: 2}
	switch {
	case len(laws) == 1 && laws["PCMU"]:
		f.Encoding = audio.ULaw
	case len(laws) == 1 && laws["PCMA"]:
		f.Encoding = audio.ALaw
	}
	return f, nil
}
