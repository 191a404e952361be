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

	"earshot/qa"
	"earshot/recorder"
	siprec "earshot/sip"
	"earshot/storage"
	"earshot/storage/catalog"
)

const serveSummary = "Start recording and the web app on this machine.\n" +
	"On the first start, with no account yet, it creates the account admin and prints its\n" +
	"password once; set " + adminPasswordEnv + " to choose that password instead."

func runServe(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := newFlagSet("serve", serveSummary, stdout)
	cfg.register(fs)
	cfg.Access.register(fs)
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if err := cfg.validate(env); err != nil {
		return err
	}
	if err := cfg.Access.validate(env); err != nil {
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
	qa      *qa.Service
	store   storage.Store
	queue   *storage.Queue
	rec     *recorder.Manager
	sip     *siprec.Server
	reg     *prometheus.Registry
	// signIn tells the welcome text how to sign in the first time; empty
	// once accounts exist.
	signIn string
}

func openServices(ctx context.Context, cfg Config, env func(string) string, log *slog.Logger) (*services, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(cfg.DataDir, "earshot.db"), log)
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	q, err := openQA(ctx, cat, cfg.Access, log)
	if err != nil {
		cat.Close()
		return nil, err
	}
	svc := &services{catalog: cat, qa: q, reg: prometheus.NewRegistry()}
	svc.reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := svc.openStorage(ctx, cfg, env, log); err != nil {
		cat.Close()
		return nil, err
	}
	if err := svc.openRecorder(cfg, log); err != nil {
		cat.Close()
		return nil, err
	}
	return svc, nil
}

func (svc *services) openStorage(ctx context.Context, cfg Config, env func(string) string, log *slog.Logger) error {
	st, err := storage.Open(ctx, cfg.Storage, env)
	if err != nil {
		return fmt.Errorf("open recording storage: %w", err)
	}
	q, err := storage.NewQueue(storage.QueueConfig{
		Dir:        filepath.Join(cfg.DataDir, "spool", "outbox"),
		Workers:    cfg.UploadWorkers,
		MaxBackoff: cfg.UploadMaxRetry,
		OnStored:   svc.indexRecording,
		Registerer: svc.reg,
	}, st, log)
	if err != nil {
		return err
	}
	svc.store, svc.queue = st, q
	return nil
}

// indexRecording puts a stored recording in the catalog and links it to
// its agent. Both steps are idempotent, as the upload queue requires.
func (svc *services) indexRecording(ctx context.Context, sc *storage.Sidecar) error {
	if err := svc.catalog.Index(ctx, sc); err != nil {
		return err
	}
	return svc.qa.OnCallIndexed(ctx, sc.RecordingID)
}

func (svc *services) openRecorder(cfg Config, log *slog.Logger) error {
	rec, err := recorder.NewManager(recorder.Config{
		SpoolDir:     filepath.Join(cfg.DataDir, "spool", "calls"),
		BindIP:       cfg.rtpBindIP,
		PortLow:      cfg.RTPPorts.Low,
		PortHigh:     cfg.RTPPorts.High,
		MaxCalls:     cfg.MaxCalls,
		RTPTimeout:   cfg.RTPTimeout,
		LatchSource:  cfg.RTPLatch,
		MinFreeBytes: uint64(cfg.SpoolMinFreeM) << 20,
		Registerer:   svc.reg,
	}, svc.queue, log)
	if err != nil {
		return fmt.Errorf("start recorder: %w", err)
	}
	sipSrv, err := siprec.New(siprec.Config{
		Listen:          cfg.SIPListen,
		TLSListen:       cfg.SIPTLSListen,
		TLS:             cfg.tlsConfig,
		AdvertiseIP:     cfg.advertiseIP,
		MaxBodyBytes:    cfg.SIPMaxBody,
		Allow:           cfg.allow,
		CodecPreference: cfg.codecList,
		PairParam:       cfg.PairParam,
		Registerer:      svc.reg,
	}, rec, log)
	if err != nil {
		return err
	}
	svc.rec, svc.sip = rec, sipSrv
	return nil
}

func serve(ctx context.Context, cfg Config, env func(string) string, log *slog.Logger, stdout io.Writer) error {
	svc, err := openServices(ctx, cfg, env, log)
	if err != nil {
		return err
	}
	defer svc.catalog.Close()
	if svc.signIn, err = ensureAdmin(ctx, svc.qa, env); err != nil {
		return err
	}
	if err := svc.qa.SetDisputeWindow(ctx, cfg.Access.DisputeWindow); err != nil {
		return fmt.Errorf("set the dispute window: %w", err)
	}
	// What a previous run left in the spool is finalized before new calls
	// are taken, so that nothing waits behind them.
	if err := svc.rec.Recover(ctx); err != nil {
		return err
	}
	sipL, err := svc.sip.Listen()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPListen)
	if err != nil {
		sipL.Close()
		return fmt.Errorf("listen for http on %s: %w", cfg.HTTPListen, err)
	}
	if err := serveDebug(ctx, cfg.DebugListen, log); err != nil {
		sipL.Close()
		ln.Close()
		return err
	}
	return runServices(ctx, cfg, svc, sipL, ln, log, stdout)
}

// runServices runs the started services until ctx ends, then drains them in
// order: calls in progress, then SIP, then HTTP, then uploads.
func runServices(ctx context.Context, cfg Config, svc *services, sipL *siprec.Listeners, ln net.Listener,
	log *slog.Logger, stdout io.Writer) error {
	srv := &http.Server{Handler: newUI(svc, cfg.Access, log).Handler(), ReadHeaderTimeout: 10 * time.Second}
	qctx, stopQueue := context.WithCancel(context.WithoutCancel(ctx))
	sctx, stopSIP := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { svc.queue.Run(qctx) })
	wg.Go(func() {
		if err := svc.sip.Serve(sctx, sipL); err != nil {
			log.Error("sip server stopped", "err", err)
		}
	})
	httpErr := make(chan error, 1)
	wg.Go(func() { httpErr <- srv.Serve(ln) })
	printWelcome(stdout, cfg, ln.Addr(), sipL.UDP.LocalAddr(), svc)
	svc.signIn = "" // printed once
	log.Info("earshot started", "http_addr", ln.Addr().String(),
		"sip_addr", sipL.UDP.LocalAddr().String(), "storage", svc.store.String())

	var err error
	select {
	case <-ctx.Done():
	case err = <-httpErr:
	}
	shutdownErr := drain(svc, srv, cfg.DrainTimeout, log)
	stopSIP()
	stopQueue()
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	log.Info("earshot stopped")
	return shutdownErr
}

// drain lets calls in progress end on their own within the drain timeout
// (new ones get 503), then ends and finalizes the rest, then stops HTTP.
func drain(svc *services, srv *http.Server, timeout time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if n := svc.rec.Drain(ctx); n > 0 {
		log.Warn("calls still in progress at the end of the drain; recording what was received",
			"calls", n)
	}
	fctx, fcancel := context.WithTimeout(context.Background(), timeout)
	defer fcancel()
	recErr := svc.rec.Close(fctx)
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	if err := srv.Shutdown(hctx); err != nil {
		return fmt.Errorf("drain http requests: %w", err)
	}
	return recErr
}

// printWelcome tells the user where everything is and, on the first
// start, how to sign in.
func printWelcome(w io.Writer, cfg Config, httpAddr, sipAddr net.Addr, svc *services) {
	host := "localhost"
	tcp := httpAddr.(*net.TCPAddr)
	if !tcp.IP.IsUnspecified() {
		host = tcp.IP.String()
	}
	fmt.Fprintf(w, "Earshot is running.\n")
	fmt.Fprintf(w, "  web app and API:  http://%s:%d/\n", host, tcp.Port)
	fmt.Fprintf(w, "  health:           http://%s:%d/healthz, /readyz\n", host, tcp.Port)
	fmt.Fprintf(w, "  metrics:          http://%s:%d/metrics, for admins or with the token in %s\n",
		host, tcp.Port, metricsTokenEnv)
	fmt.Fprintf(w, "  SIP (UDP and TCP): %s; point the SBC's recording (SIPREC) here\n", sipAddr)
	fmt.Fprintf(w, "  recordings:       %s\n", svc.store.String())
	fmt.Fprintf(w, "  data folder:      %s\n", cfg.DataDir)
	fmt.Fprint(w, svc.signIn)
	fmt.Fprintf(w, "Press Ctrl-C to stop (again to stop at once).\n")
}
