package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"

	"earshot/qa"
	"earshot/storage"
	"earshot/storage/catalog"
)

const reindexSummary = "Rebuild the call catalog from the recordings' sidecars in the object store.\n" +
	"Calls whose sidecar is gone from the store are removed from the catalog.\n" +
	"Safe to run while earshot serve is running."

func runReindex(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := newFlagSet("reindex", reindexSummary, stdout)
	cfg.registerCommon(fs)
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if err := cfg.validateStorage(env); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	ctx, stop := withShutdownSignals(ctx, log)
	defer stop()

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(cfg.DataDir, "earshot.db"), log)
	if err != nil {
		return fmt.Errorf("open catalog: %w", err)
	}
	defer cat.Close()
	st, err := storage.Open(ctx, cfg.Storage, env)
	if err != nil {
		return fmt.Errorf("open recording storage: %w", err)
	}

	fmt.Fprintf(stderr, "Reading sidecars from %s\n", st.String())
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("reindexing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("recordings"),
		progressbar.OptionShowIts(),
		progressbar.OptionClearOnFinish(),
	)
	res, err := cat.Reindex(ctx, st, func(done, total int) {
		bar.ChangeMax(total)
		_ = bar.Set(done)
	})
	_ = bar.Finish()
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	// Calls come back without their agent: link them again.
	q, err := qa.Open(ctx, cat, log)
	if err != nil {
		return err
	}
	remap, err := q.RemapAll(ctx)
	if err != nil {
		return fmt.Errorf("link calls to agents: %w", err)
	}
	fmt.Fprintf(stdout, "Reindexed %d recordings, removed %d stale calls, skipped %d unreadable sidecars.\n",
		res.Indexed, res.Removed, res.Skipped)
	fmt.Fprintf(stdout, "Linked %d of %d calls to their agents.\n", remap.Mapped, remap.Calls)
	if res.Skipped > 0 {
		fmt.Fprintln(stdout, "The log above names each skipped sidecar and why; fix or remove them and run again.")
	}
	return nil
}
