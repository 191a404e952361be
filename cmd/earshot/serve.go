package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"earshot/storage"
	"earshot/storage/catalog"
	"earshot/ui"
)

const serveSummary = "Start recording and the web app on this machine."

func runServe(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := newFlagSet("serve", serveSummary, stdout)
	cfg.register(fs)
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if err := cfg.validate(env); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	ctx, stop := withShutdownSignals(ctx, log)
	defer stop()
	return serve(ctx, cfg, env, log, stdout)
}

// services is what serve starts, in the order it starts them.
type services struct {
	catalog *catalog.Catalog
	store   storage.Store
	queue   *storage.Queue
	reg     *prometheus.Registry
}

func openServices(ctx context.Context, cfg Config, env func(string) string, log *slog.Logger) (*services, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(cfg.DataDir, "earshot.db"), log)
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	st, err := storage.Open(ctx, cfg.Storage, env)
	if err != nil {
		cat.Close()
		return nil, fmt.Errorf("open recording storage: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	q, err := storage.NewQueue(storage.QueueConfig{
		Dir:        filepath.Join(cfg.DataDir, "spool", "outbox"),
		Workers:    cfg.UploadWorkers,
		MaxBackoff: cfg.UploadMaxRetry,
		OnStored:   cat.Index,
		Registerer: reg,
	}, st, log)
	if err != nil {
		cat.Close()
		return nil, err
	}
	return &services{catalog: cat, store: st, queue: q, reg: reg}, nil
}

func serve(ctx context.Context, cfg Config, env func(string) string, log *slog.Logger, stdout io.Writer) error {
	svc, err := openServices(ctx, cfg, env, log)
	if err != nil {
		return err
	}
	defer svc.catalog.Close()

	ln, err := net.Listen("tcp", cfg.HTTPListen)
	if err != nil {
		return fmt.Errorf("listen for http on %s: %w", cfg.HTTPListen, err)
	}
	srv := &http.Server{
		Handler:           newUI(svc, log).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	var wg sync.WaitGroup
	wg.Go(func() { svc.queue.Run(ctx) })
	httpErr := make(chan error, 1)
	wg.Go(func() { httpErr <- srv.Serve(ln) })
	printWelcome(stdout, cfg, ln.Addr(), svc.store)
	log.Info("earshot started", "http_addr", ln.Addr().String(), "storage", svc.store.String())

	select {
	case <-ctx.Done():
	case err = <-httpErr:
	}
	shutdownErr := drain(srv, cfg.DrainTimeout, log)
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	log.Info("earshot stopped")
	return shutdownErr
}

// drain stops taking requests and waits for those in flight; the upload
// queue drains on its own once the context has ended.
func drain(srv *http.Server, timeout time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("drain http requests within %s: %w", timeout, err)
	}
	log.Debug("http requests drained")
	return nil
}

func newUI(svc *services, log *slog.Logger) *ui.Server {
	return ui.New(ui.Config{
		Log: log,
		Checks: []ui.Check{
			{Name: "catalog", Ping: svc.catalog.Ping},
			{Name: "store", Ping: svc.store.Ping},
		},
		Detail: func() map[string]any {
			st := svc.queue.Status()
			return map[string]any{"upload_queue": map[string]any{
				"backlog":            st.Backlog,
				"oldest_age_seconds": st.OldestAge.Seconds(),
				"last_error":         st.LastError,
			}}
		},
		Gatherer: svc.reg,
	})
}

func printWelcome(w io.Writer, cfg Config, httpAddr net.Addr, st storage.Store) {
	host := "localhost"
	if tcp, ok := httpAddr.(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() {
		host = tcp.IP.String()
	}
	port := httpAddr.(*net.TCPAddr).Port
	fmt.Fprintf(w, "Earshot is running.\n")
	fmt.Fprintf(w, "  web app and API:  http://%s:%d/\n", host, port)
	fmt.Fprintf(w, "  health:           http://%s:%d/healthz, /readyz, /metrics\n", host, port)
	fmt.Fprintf(w, "  recordings:       %s\n", st.String())
	fmt.Fprintf(w, "  data folder:      %s\n", cfg.DataDir)
	fmt.Fprintf(w, "Press Ctrl-C to stop (again to stop at once).\n")
}
