package storage

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// Run uploads queued recordings until ctx is cancelled, then waits for the
// uploads in flight to finish (each bounded by AttemptTimeout) and returns.
// Recordings still queued stay on disk for the next Run.
func (q *Queue) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range q.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(ctx)
		}()
	}
	wg.Wait()
}

func (q *Queue) work(ctx context.Context) {
	for {
		it, wait := q.next()
		if it == nil {
			if !q.sleep(ctx, wait) {
				return
			}
			continue
		}
		// An upload that has started is allowed to finish after ctx ends:
		// shutdown drains, it does not abandon a half-sent recording.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.cfg.AttemptTimeout)
		err := q.upload(actx, it.id)
		cancel()
		q.finish(it, err)
		if ctx.Err() != nil {
			return
		}
	}
}

// sleep waits for wait, a new entry, or the end of ctx; it reports false
// when ctx has ended.
func (q *Queue) sleep(ctx context.Context, wait time.Duration) bool {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-q.wake:
		return true
	case <-t.C:
		return true
	}
}

// next claims the oldest idle item that is due. With none due it returns
// how long until one is.
func (q *Queue) next() (*queueItem, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	wait := time.Hour
	for _, id := range sortedIDsLocked(q.items) {
		it := q.items[id]
		if d := it.notBefore.Sub(now); d > 0 {
			wait = min(wait, d)
			continue
		}
		it.busy = true
		return it, 0
	}
	return nil, wait
}

// finish records the outcome of an attempt.
func (q *Queue) finish(it *queueItem, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	it.busy = false
	if err == nil {
		delete(q.items, it.id)
		q.lastErr = ""
		q.m.uploaded.Inc()
		return
	}
	it.attempts++
	delay := q.backoff(it.attempts)
	it.notBefore = q.now().Add(delay)
	q.lastErr = err.Error()
	q.m.failures.Inc()
	q.log.Warn("recording upload failed, will retry",
		"recording_id", it.id, "attempt", it.attempts, "retry_in", delay, "err", err)
	// Another worker may be asleep waiting on this item's old due time.
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// upload stores one recording: the audio first, then the sidecar, so that a
// sidecar in the store always has its audio beside it.
func (q *Queue) upload(ctx context.Context, id string) error {
	data, err := os.ReadFile(q.path(id, ".json"))
	if err != nil {
		return fmt.Errorf("read queued sidecar: %w", err)
	}
	sc, err := UnmarshalSidecar(data)
	if err != nil {
		return fmt.Errorf("queued sidecar %s: %w", id, err)
	}
	wavKey, jsonKey, _ := RecordingKeys(id)
	if err := q.putAttachments(ctx, sc); err != nil {
		return err
	}
	if err := q.putWAV(ctx, id, wavKey, sc.Audio.Bytes); err != nil {
		return err
	}
	if err := putBytes(ctx, q.store, jsonKey, data, "application/json"); err != nil {
		return fmt.Errorf("store sidecar: %w", err)
	}
	if q.cfg.OnStored != nil {
		if err := q.cfg.OnStored(ctx, sc); err != nil {
			return fmt.Errorf("after storing: %w", err)
		}
	}
	// The sidecar goes last: a crash between the removals leaves a
	// sidecar alone, which putWAV and putAttachments recognise as stored.
	for _, a := range sc.Attachments {
		if err := os.Remove(q.path(id, "."+a.Name)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove uploaded attachment: %w", err)
		}
	}
	if err := os.Remove(q.path(id, ".wav")); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove uploaded recording: %w", err)
	}
	if err := os.Remove(q.path(id, ".json")); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove uploaded sidecar: %w", err)
	}
	q.log.Info("recording stored", "recording_id", id, "object_key", wavKey)
	return nil
}

// putAttachments uploads the recording's attachments.
func (q *Queue) putAttachments(ctx context.Context, sc *Sidecar) error {
	for _, a := range sc.Attachments {
		key, err := AttachmentKey(sc.RecordingID, a.Name)
		if err != nil {
			return err
		}
		if err := q.putFile(ctx, q.path(sc.RecordingID, "."+a.Name), key, a.Bytes, a.ContentType); err != nil {
			return fmt.Errorf("attachment %s: %w", a.Name, err)
		}
	}
	return nil
}

// putWAV uploads the queued audio.
func (q *Queue) putWAV(ctx context.Context, id, key string, size int64) error {
	return q.putFile(ctx, q.path(id, ".wav"), key, size, "audio/wav")
}

// putFile uploads one queued file. If the local file is gone, an earlier
// attempt stored it and crashed before removing the sidecar; the store
// must then hold an object of the size the sidecar states.
func (q *Queue) putFile(ctx context.Context, path, key string, size int64, contentType string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		info, serr := q.store.Stat(ctx, key)
		if serr != nil {
			return fmt.Errorf("queued file missing and not in store: %w", serr)
		}
		if info.Size != size {
			return fmt.Errorf("queued file missing; stored copy has %d bytes, sidecar says %d",
				info.Size, size)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("open queued file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat queued file: %w", err)
	}
	if err := q.store.Put(ctx, key, f, fi.Size(), PutOptions{ContentType: contentType}); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}
