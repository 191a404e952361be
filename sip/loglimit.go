package siprec

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// parseNoticeEvery bounds how often unparseable SIP is logged.
const parseNoticeEvery = 10 * time.Second

// parseGuard wraps the logger sipgo's transports log to. They log each
// datagram they cannot parse as an error line holding the whole datagram,
// so a flood of garbage would write megabytes a second. The guard counts
// them instead, and logs one line per interval saying how many, without
// their bytes. Every other record passes through.
type parseGuard struct {
	next    slog.Handler
	dropped prometheus.Counter

	mu         sync.Mutex // guards the fields below
	last       time.Time
	suppressed int
}

func newParseGuard(next slog.Handler, dropped prometheus.Counter) *parseGuard {
	return &parseGuard{next: next, dropped: dropped}
}

// Enabled lets parse failures through to Handle, to be counted, whatever
// the log level.
func (g *parseGuard) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || g.next.Enabled(ctx, l)
}

// Handle counts and thins out parse failures and passes the rest on.
func (g *parseGuard) Handle(ctx context.Context, r slog.Record) error {
	if r.Message != "failed to parse" {
		if !g.next.Enabled(ctx, r.Level) {
			return nil
		}
		return g.next.Handle(ctx, r)
	}
	g.dropped.Inc()
	g.mu.Lock()
	g.suppressed++
	if time.Since(g.last) < parseNoticeEvery {
		g.mu.Unlock()
		return nil
	}
	n := g.suppressed
	g.last, g.suppressed = time.Now(), 0
	g.mu.Unlock()
	notice := slog.NewRecord(r.Time, slog.LevelWarn, "unparseable sip messages dropped", r.PC)
	notice.AddAttrs(slog.Int("count", n), slog.Duration("logged_at_most_every", parseNoticeEvery))
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			notice.AddAttrs(slog.Any("last_err", a.Value))
		}
		return true
	})
	return g.next.Handle(ctx, notice)
}

// WithAttrs keeps the guard around the derived handler.
func (g *parseGuard) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &parseGuard{next: g.next.WithAttrs(attrs), dropped: g.dropped}
}

// WithGroup keeps the guard around the derived handler.
func (g *parseGuard) WithGroup(name string) slog.Handler {
	return &parseGuard{next: g.next.WithGroup(name), dropped: g.dropped}
}
