package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/storage"
	"earshot/storage/catalog"
)

// The helpers below drive the earshot binary the way an SBC and a reviewer
// do: SIP and RTP on loopback in, the HTTP API and the stored files out.

// freeSIPPort returns a loopback port that is free for both UDP and TCP, for
// EARSHOT_SIP_LISTEN: the SIP peer must know it before earshot starts.
func freeSIPPort(t *testing.T) int {
	t.Helper()
	for range 20 {
		udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		port := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		udp.Close()
		if err == nil {
			tcp.Close()
			return port
		}
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return 0
}

// rtpSenders opens n loopback sockets to send a call's streams from. Their
// ports go into the SDP offer: the recorder takes a stream's packets only
// from the address the offer gives.
func rtpSenders(t *testing.T, n int) ([]*net.UDPConn, []int) {
	t.Helper()
	conns := make([]*net.UDPConn, n)
	ports := make([]int, n)
	for i := range conns {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i], ports[i] = c, c.LocalAddr().(*net.UDPAddr).Port
	}
	return conns, ports
}

// sendStreams sends pkts[i] from senders[i] to the answered port dst[i] on
// loopback, every packet at start plus its time, and waits until all are
// sent.
func sendStreams(
	t *testing.T,
	senders []*net.UDPConn,
	dst []int,
	start time.Time,
	pkts [][]rtpgen.Packet,
) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range senders {
		to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(dst[i]))
		wg.Go(func() {
			if err := rtpgen.Send(t.Context(), senders[i], to, start, pkts[i]); err != nil {
				t.Errorf("send rtp to %s: %v", to, err)
			}
		})
	}
	wg.Wait()
}

// waitForCall polls the call list by SIP Call-ID until the recording is
// listed, which happens once it is stored and indexed.
func waitForCall(t *testing.T, p *earshotProcess, sipCallID string, within time.Duration) catalog.Call {
	t.Helper()
	u := "/api/v1/calls?sip_call_id=" + url.QueryEscape(sipCallID)
	for deadline := time.Now().Add(within); time.Now().Before(deadline); {
		resp, body := p.apiGet(t, u, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200: %s", u, resp.StatusCode, body)
		}
		var list struct {
			Calls []catalog.Call `json:"calls"`
		}
		decodeJSON(t, "GET calls", body, &list)
		switch len(list.Calls) {
		case 0:
			time.Sleep(100 * time.Millisecond)
		case 1:
			return list.Calls[0]
		default:
			t.Fatalf("GET %s lists %d calls, want 1", u, len(list.Calls))
		}
	}
	t.Fatalf("call %s not listed within %s", sipCallID, within)
	return catalog.Call{}
}

// get fetches url with the given request headers and returns the response
// with its whole body read. Every request of these tests goes through it;
// API requests through apiGet, which adds the admin's token.
func get(t *testing.T, u string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if header != nil {
		req.Header = header
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", u, err)
	}
	return resp, body
}

// fetchAudio downloads a call's audio as the web player does and decodes
// its two channels; it returns the WAV bytes too.
func fetchAudio(t *testing.T, p *earshotProcess, id string) ([2][]int16, []byte) {
	t.Helper()
	resp, wav := p.apiGet(t, "/api/v1/calls/"+id+"/audio", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET audio of %s = %d: %s", id, resp.StatusCode, wav)
	}
	ch, rate, err := rtpgen.DecodeStereo(wav)
	if err != nil {
		t.Fatalf("audio of %s is not a stereo WAV: %v", id, err)
	}
	if rate != 8000 {
		t.Fatalf("audio of %s at %d Hz, want 8000 for a PCMU call", id, rate)
	}
	return ch, wav
}

// readSidecar reads a recording's sidecar from the default folder store,
// where an operator finds it: DATA-DIR/recordings/recordings/YYYY/MM/DD.
func readSidecar(t *testing.T, dataDir, id string) *storage.Sidecar {
	t.Helper()
	pattern := filepath.Join(dataDir, "recordings", "recordings", "*", "*", "*", id+".json")
	found, err := filepath.Glob(pattern)
	if err != nil || len(found) != 1 {
		t.Fatalf("sidecars matching %s: %v (%v), want one", pattern, found, err)
	}
	data, err := os.ReadFile(found[0])
	if err != nil {
		t.Fatal(err)
	}
	sc, err := storage.UnmarshalSidecar(data)
	if err != nil {
		t.Fatalf("sidecar %s: %v", found[0], err)
	}
	return sc
}

// toneSeconds returns how much of x carries the tone want rather than the
// tone other, in 20 ms frames: a channel holding the wrong party or
// silence scores nothing.
func toneSeconds(x []int16, want, other float64) float64 {
	const frame = 160 // 20 ms at 8 kHz
	// A 6000-amplitude tone scores about 2e11 in a frame; silence and
	// G.711 noise stay orders of magnitude below 1e10.
	n := 0
	for i := 0; i+frame <= len(x); i += frame {
		f := x[i : i+frame]
		w, o := rtpgen.ToneLevel(f, want, 8000), rtpgen.ToneLevel(f, other, 8000)
		if w > 1e10 && w > 10*o {
			n++
		}
	}
	return float64(n) * 0.020
}

// stopEarshot sends SIGTERM and requires a clean exit (code 0) within 30s.
func stopEarshot(t *testing.T, p *earshotProcess) {
	t.Helper()
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("earshot exited with %v after SIGTERM, want 0; stderr:\n%s", err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("earshot did not stop within 30s of SIGTERM")
	}
}

// decodeJSON is json.Unmarshal that fails the test.
func decodeJSON(t *testing.T, what string, data []byte, into any) {
	t.Helper()
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: decode %s: %v", what, data, err)
	}
}
