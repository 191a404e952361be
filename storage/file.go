package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// tmpDirName is the folder inside the root where Put writes objects before
// renaming them into place. Keys whose first segment is this name are
// rejected so that no object can collide with it.
const tmpDirName = ".tmp"

// staleTempAge is how old a leftover temporary file must be before
// NewFileStore removes it. No Put takes this long, so such a file was left
// by a process that stopped mid-write.
const staleTempAge = 24 * time.Hour

// FileStore keeps objects as files in a local folder, one file per key, with
// the key's slashes as subfolders. It is safe for concurrent use, also by
// several processes sharing the folder.
//
// The folder store does not keep content types: ObjectInfo.ContentType is
// always empty. Because a key is a path, a key cannot also be the folder of
// other keys: after "a/b" is stored, storing "a" fails, and the other way
// round. Files are created readable by the owner only.
type FileStore struct {
	root string // absolute path of the folder
	tmp  string // root/.tmp
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns a store in the folder root, creating it if needed.
// Temporary files older than a day, left by a process that stopped in the
// middle of a Put, are removed.
func NewFileStore(root string) (*FileStore, error) {
	if root == "" {
		return nil, errors.New("storage: folder store needs a folder path")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("storage: folder %s: %w", root, err)
	}
	s := &FileStore{root: abs, tmp: filepath.Join(abs, tmpDirName)}
	if err := os.MkdirAll(s.tmp, 0o750); err != nil {
		return nil, fmt.Errorf("storage: create folder: %w", err)
	}
	s.removeStaleTemp(time.Now())
	return s, nil
}

// removeStaleTemp deletes leftover temporary files. It is best effort: a
// file it cannot remove costs disk space, not correctness, and the next
// start tries again.
func (s *FileStore) removeStaleTemp(now time.Time) {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && now.Sub(info.ModTime()) > staleTempAge {
			_ = os.Remove(filepath.Join(s.tmp, e.Name()))
		}
	}
}

// String returns the folder as a file URL.
func (s *FileStore) String() string {
	return "file://" + s.root
}

// path validates key and returns the file that holds it.
func (s *FileStore) path(key string) (string, error) {
	if err := validateKey(key); err != nil {
		return "", err
	}
	if key == tmpDirName || strings.HasPrefix(key, tmpDirName+"/") {
		return "", fmt.Errorf("storage: invalid key %q: %s is reserved by the folder store",
			key, tmpDirName)
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// Put writes the object to a temporary file, flushes it to disk and renames
// it into place, so a reader sees the old file or the new one, never a part.
func (s *FileStore) Put(
	ctx context.Context,
	key string,
	r io.Reader,
	size int64,
	_ PutOptions,
) error {
	dst, err := s.path(key)
	if err != nil {
		return err
	}
	tmp, err := s.writeTemp(ctx, r, size)
	if err != nil {
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	if err := s.commit(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	return nil
}

// writeTemp copies r into a new temporary file and syncs it. On error the
// file is removed.
func (s *FileStore) writeTemp(
	ctx context.Context,
	r io.Reader,
	size int64,
) (name string, err error) {
	// The folder is recreated in case someone cleaned it up by hand.
	if err := os.MkdirAll(s.tmp, 0o750); err != nil {
		return "", fmt.Errorf("create temp folder: %w", err)
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return "", fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()

	n, err := io.Copy(f, ctxReader{ctx: ctx, r: r})
	if err != nil {
		return "", fmt.Errorf("write temp file: %w", err)
	}
	if size >= 0 && n != size {
		return "", fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("sync temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close temp file: %w", err)
	}
	return f.Name(), nil
}

// commit renames tmp to dst and syncs every folder whose entries changed.
func (s *FileStore) commit(tmp, dst string) error {
	// A concurrent Delete may remove a parent folder it found empty between
	// our mkdir and our rename; the rename then fails with ENOENT and
	// creating the folders again is the fix.
	for attempt := 1; ; attempt++ {
		dirs, err := s.makeParents(filepath.Dir(dst))
		if err != nil {
			return err
		}
		err = os.Rename(tmp, dst)
		if err == nil {
			return syncDirs(dirs)
		}
		if !errors.Is(err, fs.ErrNotExist) || attempt == 3 {
			return fmt.Errorf("rename into place: %w", err)
		}
	}
}

// makeParents creates dir and its missing parents. It returns the folders
// that need an fsync once the object is renamed into dir: dir itself and
// the parent of each folder it created, so that the new entries survive a
// crash.
func (s *FileStore) makeParents(dir string) ([]string, error) {
	dirs := []string{dir}
	for d := dir; d != s.root && len(d) > len(s.root); d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		dirs = append(dirs, filepath.Dir(d))
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create folder: %w", err)
	}
	return dirs, nil
}

// syncDirs flushes the entries of each folder to disk.
func syncDirs(dirs []string) error {
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			return fmt.Errorf("sync folder: %w", err)
		}
		err = f.Sync()
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("sync folder %s: %w", d, err)
		}
	}
	return nil
}

// Get opens the object's file. With a range, the reader is a section of it.
// ObjectInfo.Size is the size of the whole object.
func (s *FileStore) Get(
	ctx context.Context,
	key string,
	rng *Range,
) (io.ReadCloser, ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", key, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", key, wrapMissing(err))
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = ErrNotFound
	}
	if err != nil {
		_ = f.Close()
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", key, err)
	}

	info := fileObjectInfo(key, fi)
	if rng == nil {
		return f, info, nil
	}
	n, err := validateRange(*rng, fi.Size())
	if err != nil {
		_ = f.Close()
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", key, err)
	}
	return sectionReadCloser{io.NewSectionReader(f, rng.Offset, n), f}, info, nil
}

// sectionReadCloser reads a section of a file and closes the file.
type sectionReadCloser struct {
	*io.SectionReader
	io.Closer
}

// Stat describes the object's file.
func (s *FileStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, fmt.Errorf("storage: stat %s: %w", key, err)
	}
	fi, err := os.Stat(p)
	if err == nil && !fi.Mode().IsRegular() {
		err = ErrNotFound
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("storage: stat %s: %w", key, wrapMissing(err))
	}
	return fileObjectInfo(key, fi), nil
}

// List walks the folder tree below the deepest folder the prefix names,
// skipping the temporary folder and anything that is not a regular file.
func (s *FileStore) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	start := s.root
	// Only a valid key can name a folder inside the root: anything else
	// (such as "../") is walked from the root and simply matches nothing.
	if i := strings.LastIndex(prefix, "/"); i > 0 {
		if p, err := s.path(prefix[:i]); err == nil {
			start = p
		}
	}

	var out []ObjectInfo
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			// Missing entries were deleted while we walked, or the
			// prefix names no folder at all.
			if isMissingPath(err) {
				return nil
			}
			return err
		}
		info, skip := s.listEntry(p, d, prefix)
		if skip != nil || info == nil {
			return skip
		}
		out = append(out, *info)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list %q: %w", prefix, err)
	}
	slices.SortFunc(out, func(a, b ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// listEntry returns the object a walked entry holds, or nil, and
// fs.SkipDir for a folder that cannot hold keys starting with prefix.
func (s *FileStore) listEntry(p string, d fs.DirEntry, prefix string) (*ObjectInfo, error) {
	if p == s.root {
		return nil, nil
	}
	if p == s.tmp {
		return nil, fs.SkipDir
	}
	rel, err := filepath.Rel(s.root, p)
	if err != nil {
		return nil, err
	}
	key := filepath.ToSlash(rel)
	if d.IsDir() {
		dk := key + "/"
		if !strings.HasPrefix(dk, prefix) && !strings.HasPrefix(prefix, dk) {
			return nil, fs.SkipDir
		}
		return nil, nil
	}
	if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
		return nil, nil
	}
	fi, err := d.Info()
	if err != nil {
		if isMissingPath(err) {
			return nil, nil
		}
		return nil, err
	}
	info := fileObjectInfo(key, fi)
	return &info, nil
}

// Delete removes the object's file, then the folders above it that it
// leaves empty, so that old dates do not pile up as empty folders.
//
// The removal is not synced to disk: a delete lost in a crash leaves the
// object in place, and the next retention pass deletes it again.
func (s *FileStore) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	fi, err := os.Lstat(p)
	switch {
	case isMissingPath(err):
		return nil
	case err != nil:
		return fmt.Errorf("storage: delete %s: %w", key, err)
	case fi.IsDir():
		// A folder of other keys is not an object: nothing to delete.
		return nil
	}
	if err := os.Remove(p); err != nil && !isMissingPath(err) {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	s.removeEmptyParents(filepath.Dir(p))
	return nil
}

// removeEmptyParents removes dir and its parents up to the root while they
// are empty. Removing a folder that is not empty fails, which ends the walk;
// that failure is the expected way to stop, so errors are not reported.
func (s *FileStore) removeEmptyParents(dir string) {
	for d := dir; d != s.root && len(d) > len(s.root); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			return
		}
	}
}

// Ping checks that the root is a folder we can create files in.
func (s *FileStore) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: ping %s: %w", s.root, err)
	}
	fi, err := os.Stat(s.root)
	if err != nil {
		return fmt.Errorf("storage: ping: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("storage: ping: %s is not a folder", s.root)
	}
	if err := os.MkdirAll(s.tmp, 0o750); err != nil {
		return fmt.Errorf("storage: ping: folder %s is not writable: %w", s.root, err)
	}
	f, err := os.CreateTemp(s.tmp, "ping-*")
	if err != nil {
		return fmt.Errorf("storage: ping: folder %s is not writable: %w", s.root, err)
	}
	_ = f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return fmt.Errorf("storage: ping: remove test file: %w", err)
	}
	return nil
}

// fileObjectInfo describes a stored file.
func fileObjectInfo(key string, fi fs.FileInfo) ObjectInfo {
	return ObjectInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}
}

// isMissingPath reports whether err means a path does not exist. ENOTDIR
// counts: it is what opening "a/b" returns when "a" is a file.
func isMissingPath(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// wrapMissing makes a missing path an error wrapping ErrNotFound, keeping the
// original for its message.
func wrapMissing(err error) error {
	if isMissingPath(err) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// ctxReader stops a long copy once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from the wrapped reader unless ctx is done.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
