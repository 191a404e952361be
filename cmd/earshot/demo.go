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
	"time"

	"github.com/schollz/progressbar/v3"

	"earshot/internal/loadgen"
	"earshot/qa"
)

const demoSummary = "Start Earshot on its embedded defaults with a small demo contact center:\n" +
	"it places a few dozen SIPREC calls through the real SIP path with the load generator\n" +
	"(an agent and a customer talking in turns, in synthetic speech), creates three\n" +
	"teams with an agent per called party, two reviewers, an evaluation form and a sampling\n" +
	"plan, draws this week's sample, and prints how to sign in. Then it keeps running,\n" +
	"like earshot serve, until Ctrl-C. Calls come from 127.0.0.1 only."

// demoCalls is how many calls the demo places, and how long each lasts:
// long enough for one exchange of the load generator's conversation, an
// agent's line and the customer's answer.
const (
	demoCalls    = 24
	demoDuration = 8 * time.Second
)

func runDemo(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := newFlagSet("demo", demoSummary, stdout)
	cfg.register(fs)
	cfg.Access.register(fs)
	fs.Lookup("data-dir").DefValue, cfg.DataDir = "./earshot-demo", "./earshot-demo"
	fs.Lookup("log-level").DefValue, cfg.LogLevel = "WARN", slog.LevelWarn
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if err := cfg.validate(env); err != nil {
		return err
	}
	if err := cfg.Access.validate(env); err != nil {
		return err
	}
	if _, port, _ := net.SplitHostPort(cfg.HTTPListen); port == "0" {
		return usageError{"invalid --http-listen for the demo: give a port, not 0, so it can print the address"}
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "earshot.db")); err == nil {
		return usageError{fmt.Sprintf("a demo already ran in %s: run \"earshot serve --data-dir %s\" "+
			"to see it again, or remove the folder", cfg.DataDir, cfg.DataDir)}
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	ctx, stop := withShutdownSignals(ctx, log)
	defer stop()

	password := qa.GeneratePassword()
	demoEnv := func(k string) string {
		if k == adminPasswordEnv {
			return password
		}
		return env(k)
	}
	served := make(chan error, 1)
	go func() { served <- serve(ctx, cfg, demoEnv, log, io.Discard) }()
	d := newDemo(loopbackURL("http", cfg.HTTPListen), stdout, stderr)
	if err := d.waitReady(ctx, served); err != nil {
		return err
	}
	if err := d.populate(ctx, password, loopbackAddr(cfg.SIPListen)); err != nil {
		stop()
		<-served
		return fmt.Errorf("demo: %w", err)
	}
	return <-served
}

// loopbackAddr turns a listen address into one to reach it on this
// machine.
func loopbackAddr(listen string) string {
	host, port, _ := net.SplitHostPort(listen)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func loopbackURL(scheme, listen string) string { return scheme + "://" + loopbackAddr(listen) }

// waitReady waits for the server to answer /readyz, or to fail.
func (d *demo) waitReady(ctx context.Context, served <-chan error) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-served:
			if err == nil {
				err = errors.New("stopped before it was ready")
			}
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if resp, err := http.Get(d.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("earshot was not ready within 60s; run earshot serve to see why")
}

// placeCalls runs the load generator against the demo's own SIP port,
// with a progress bar.
func (d *demo) placeCalls(ctx context.Context, sipAddr string) error {
	fmt.Fprintf(d.stdout, "Placing %d SIPREC calls of %s each through %s...\n", demoCalls, demoDuration, sipAddr)
	r, err := loadgen.New(loadgen.Config{
		Target: sipAddr, Calls: demoCalls, Concurrency: 8, Rate: 4, Duration: demoDuration,
		Dialect: "mix", Audio: loadgen.AudioSpeech, API: d.base, Token: d.token,
	})
	if err != nil {
		return err
	}
	bar := progressbar.NewOptions(demoCalls, progressbar.OptionSetWriter(d.stderr),
		progressbar.OptionSetDescription("calls"), progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish())
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(250 * time.Millisecond):
				_ = bar.Set(int(r.Progress().Done))
			}
		}
	}()
	report, err := r.Run(ctx)
	close(done)
	_ = bar.Finish()
	if err != nil {
		return err
	}
	if err := report.Err(); err != nil {
		return fmt.Errorf("the demo calls: %w", err)
	}
	return nil
}
