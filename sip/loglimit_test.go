package siprec

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestParseGuardCountsAndThinsGarbage(t *testing.T) {
	var out bytes.Buffer
	dropped := prometheus.NewCounter(prometheus.CounterOpts{Name: "x"})
	log := slog.New(newParseGuard(slog.NewTextHandler(&out, nil), dropped))
	for range 1000 {
		log.Error("failed to parse", "data", "GARBAGE-BYTES", "error", "bad start line")
	}
	log.Info("something else")
	if got := testutil.ToFloat64(dropped); got != 1000 {
		t.Errorf("counted %v unparseable messages, want 1000", got)
	}
	text := out.String()
	if strings.Count(text, "unparseable sip messages dropped") != 1 || strings.Contains(text, "GARBAGE-BYTES") {
		t.Errorf("log:\n%s\nwant one notice, without the datagrams", text)
	}
	if !strings.Contains(text, "something else") {
		t.Errorf("other records were swallowed")
	}
}
