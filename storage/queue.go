package storage

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueConfig configures an upload Queue.
type QueueConfig struct {
	// Dir holds the queued recordings. It must be on the same file system as
	// the spool that hands recordings over, so that Enqueue is a rename.
	Dir string
	// Workers is the number of uploads in flight; zero means 4.
	Workers int
	// MinBackoff is the wait after a first failure; zero means 1s. Each
	// further failure doubles it, up to MaxBackoff (zero means 2m).
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// AttemptTimeout bounds one upload attempt; zero means 10m.
	AttemptTimeout time.Duration
	// OnStored, if set, is called once both objects of a recording are in
	// the store, before the local copy is removed. An error retries the
	// whole recording later, so it must be idempotent (indexing is).
	OnStored func(ctx context.Context, s *Sidecar) error
	// Registerer receives the queue's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Queue moves finished recordings from local disk into a Store, retrying
// with backoff until the store has them. The queue lives on disk: what is
// enqueued survives a restart and is uploaded by the next Run.
//
// A queued recording is two files in Dir: <id>.wav and <id>.json. The JSON
// file is written last and marks the entry complete.
type Queue struct {
	cfg   QueueConfig
	store Store
	log   *slog.Logger
	now   func() time.Time
	wake  chan struct{}
	m     queueMetrics

	mu      sync.Mutex // guards the fields below
	items   map[string]*queueItem
	lastErr string
}

type queueItem struct {
	id        string
	attempts  int
	notBefore time.Time
	queuedAt  time.Time
	busy      bool
}

// NewQueue opens the queue folder, creating it if needed, and loads what a
// previous run left there.
func NewQueue(cfg QueueConfig, st Store, log *slog.Logger) (*Queue, error) {
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create upload queue folder: %w", err)
	}
	q := &Queue{
		cfg:   cfg,
		store: st,
		log:   log,
		now:   time.Now,
		wake:  make(chan struct{}, 1),
		items: make(map[string]*queueItem),
	}
	if err := q.load(); err != nil {
		return nil, err
	}
	q.m = newQueueMetrics(cfg.Registerer, q)
	return q, nil
}

func (c QueueConfig) withDefaults() QueueConfig {
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 2 * time.Minute
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = c.MinBackoff
	}
	if c.AttemptTimeout <= 0 {
		c.AttemptTimeout = 10 * time.Minute
	}
	return c
}

// load registers every complete entry in Dir and removes half-written
// sidecars, which a crash during Enqueue can leave behind.
func (q *Queue) load() error {
	entries, err := os.ReadDir(q.cfg.Dir)
	if err != nil {
		return fmt.Errorf("read upload queue folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".json.tmp"):
			_ = os.Remove(filepath.Join(q.cfg.Dir, name))
		case strings.HasSuffix(name, ".json"):
			id := strings.TrimSuffix(name, ".json")
			if _, _, err := RecordingKeys(id); err != nil {
				q.log.Warn("ignoring unknown file in upload queue", "path", name)
				continue
			}
			q.items[id] = &queueItem{id: id, queuedAt: modTime(e)}
		}
	}
	if n := len(q.items); n > 0 {
		q.log.Info("upload queue resumed", "backlog", n)
	}
	return nil
}

func modTime(e os.DirEntry) time.Time {
	info, err := e.Info()
	if err != nil {
		return time.Now()
	}
	return info.ModTime()
}

// Enqueue hands a finished recording to the queue: wavPath is moved into the
// queue folder (a rename, so it must be on the same file system), with each
// of the sidecar's attachments, which must lie beside it as <id>.<name>,
// and the sidecar is written beside them. When Enqueue returns nil the
// recording is durably queued.
func (q *Queue) Enqueue(wavPath string, s *Sidecar) error {
	data, err := MarshalSidecar(s)
	if err != nil {
		return err
	}
	id := s.RecordingID
	for _, a := range s.Attachments {
		from := filepath.Join(filepath.Dir(wavPath), id+"."+a.Name)
		if err := os.Rename(from, q.path(id, "."+a.Name)); err != nil {
			return fmt.Errorf("move attachment into upload queue: %w", err)
		}
	}
	if err := os.Rename(wavPath, q.path(id, ".wav")); err != nil {
		return fmt.Errorf("move recording into upload queue: %w", err)
	}
	if err := writeFileSync(q.path(id, ".json"), data); err != nil {
		return fmt.Errorf("write queued sidecar: %w", err)
	}
	q.mu.Lock()
	q.items[id] = &queueItem{id: id, queuedAt: q.now()}
	q.mu.Unlock()
	q.signal()
	return nil
}

func (q *Queue) path(id, ext string) string {
	return filepath.Join(q.cfg.Dir, id+ext)
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// writeFileSync writes data to path atomically: a temporary file, fsync,
// rename, fsync of the folder.
func writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// QueueStatus is a snapshot of the queue for readiness and status pages.
type QueueStatus struct {
	Backlog int `json:"backlog"`
	// OldestAge is how long the oldest queued recording has waited.
	OldestAge time.Duration `json:"oldest_age_ns"`
	// LastError is the most recent upload failure, empty after a success.
	LastError string `json:"last_error,omitempty"`
}

// Status reports the backlog.
func (q *Queue) Status() QueueStatus {
	q.mu.Lock()
	defer q.mu.Unlock()
	st := QueueStatus{Backlog: len(q.items), LastError: q.lastErr}
	now := q.now()
	for _, it := range q.items {
		if age := now.Sub(it.queuedAt); age > st.OldestAge {
			st.OldestAge = age
		}
	}
	return st
}

// backoff returns how long to wait after the item's latest failure:
// doubling from MinBackoff, capped at MaxBackoff, with up to 20% jitter so
// that many recorders do not retry in step.
func (q *Queue) backoff(attempts int) time.Duration {
	d := q.cfg.MinBackoff
	for i := 1; i < attempts && d < q.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, q.cfg.MaxBackoff)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// sortedIDsLocked returns the ids of idle items, oldest recording first.
func sortedIDsLocked(items map[string]*queueItem) []string {
	ids := make([]string, 0, len(items))
	for id, it := range items {
		if !it.busy {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
