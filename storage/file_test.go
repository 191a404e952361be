package storage_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"earshot/storage"
)

// TestFileStoreLeavesNoTempFiles checks the temporary folder itself, which
// List hides, after good and failed puts.
func TestFileStoreLeavesNoTempFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	st, err := storage.NewFileStore(root)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, st, "good", []byte("x"))
	for _, size := range []int64{-1, 5000} {
		r := &failingReader{data: payload(1000, 1)}
		if err := st.Put(t.Context(), "bad", r, size, storage.PutOptions{}); err == nil {
			t.Fatalf("Put of size %d with a failing reader succeeded", size)
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("temporary folder holds %d entries after the puts, want none", len(entries))
	}
}

// TestFileStoreReservesTempFolder checks that no key can reach the
// temporary folder.
func TestFileStoreReservesTempFolder(t *testing.T) {
	st := newFileStore(t)
	for _, key := range []string{".tmp", ".tmp/x"} {
		err := putData(t.Context(), st, key, []byte("x"), false)
		if err == nil {
			t.Errorf("Put(%q) succeeded, want an invalid key error", key)
		}
	}
	// A name that only starts like it is an ordinary key.
	mustPut(t, st, ".tmpfile", []byte("x"))
	checkKeys(t, st, "", []string{".tmpfile"})
}

// TestFileStoreRemovesEmptyFolders checks that Delete leaves no empty
// folders behind and keeps the root.
func TestFileStoreRemovesEmptyFolders(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	st, err := storage.NewFileStore(root)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, st, "recordings/2026/01/01/a.wav", []byte("a"))
	mustPut(t, st, "recordings/2026/01/02/b.wav", []byte("b"))

	if err := st.Delete(t.Context(), "recordings/2026/01/01/a.wav"); err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat(filepath.Join(root, "recordings/2026/01/01"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("emptied day folder: stat error = %v, want it removed", err)
	}
	if err := st.Delete(t.Context(), "recordings/2026/01/02/b.wav"); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{".tmp"}, names); diff != "" {
		t.Errorf("root after deleting everything (-want +got):\n%s", diff)
	}
}

// TestFileStoreRemovesStaleTempFiles checks that a temporary file left by a
// crash long ago goes when the store opens, and a recent one stays.
func TestFileStoreRemovesStaleTempFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	tmp := filepath.Join(root, ".tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	for name, mtime := range map[string]time.Time{"put-old": old, "put-new": time.Now()} {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := storage.NewFileStore(root); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"put-new"}, names, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("temporary files (-want +got):\n%s", diff)
	}
}

// TestFileStorePing checks that Ping notices the folder going away.
func TestFileStorePing(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	st, err := storage.NewFileStore(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if got, want := st.String(), "file://"+root; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}

	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(t.Context()); err == nil {
		t.Error("Ping succeeded with a file where the folder was")
	}
}
