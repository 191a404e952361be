package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// withShutdownSignals returns a context that ends at the first SIGINT or
// SIGTERM, so that the server drains. A second signal exits at once: an
// operator who asks twice does not want to wait for the drain.
func withShutdownSignals(ctx context.Context, log *slog.Logger) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			log.Info("shutting down, finishing work in flight; signal again to stop at once",
				"signal", sig.String())
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-ch:
			log.Warn("second signal, stopping now", "signal", sig.String())
			os.Exit(1)
		case <-done:
		}
	}()
	stop := func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
	return ctx, stop
}
