package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
)

// RFC 3261 timers (section 17.1.1.1 and table 4): T1 is the first
// retransmission interval over UDP, T2 its cap for non-INVITE requests,
// and a transaction gives up after 64*T1.
const (
	timerT1      = 500 * time.Millisecond
	timerT2      = 4 * time.Second
	transTimeout = 64 * timerT1
)

// CallResult is what happened to one call.
type CallResult struct {
	Index     int
	SIPCallID string
	Dialect   string
	// InviteSent is when the INVITE first went out, Answered when its 200
	// came; ByeSent and ByeAnswered likewise for the BYE. Times not
	// reached are zero.
	InviteSent, Answered, ByeSent, ByeAnswered time.Time
	// Failure says why the call failed, "" if it did not: the INVITE's
	// final status ("503 Service Unavailable"), or a step that went wrong
	// ("INVITE timeout", "BYE 481 Call/Transaction Does Not Exist").
	Failure string
	// Sent and Unsent count the packets of both streams: sent, and not
	// sent (deliberate loss, or a send the kernel refused).
	Sent, Unsent int64
	// Check is the recording as the recorder's API lists it; nil when no
	// API was given or the call failed.
	Check *Check
}

// Setup is the time from the INVITE to its 200.
func (r *CallResult) Setup() time.Duration { return r.Answered.Sub(r.InviteSent) }

// call runs one call on a run's shared signalling and media.
type call struct {
	run    *Runner
	res    *CallResult
	in     <-chan *message
	dlg    dialog
	invite []byte
	branch string
	snd    *sender
	// onAnswer is called once the 200 has come, when set.
	onAnswer func()
}

// place runs the call from INVITE to BYE. Cancelling ctx ends a call in
// progress early (its BYE is still sent); a call not yet answered is
// abandoned.
func (c *call) place(ctx context.Context) {
	defer c.run.sip.unregister(c.res.SIPCallID)
	ok, err := c.inviteTransaction(ctx)
	if err != nil {
		c.res.Failure = err.Error()
		return
	}
	streams, err := c.startMedia(ok)
	if err != nil {
		c.res.Failure = err.Error()
		c.bye()
		return
	}
	failure := c.talk(ctx, streams)
	for _, st := range streams {
		c.res.Sent += st.sent
		c.res.Unsent += st.unsent
	}
	if err := c.bye(); err != nil && failure == "" {
		failure = err.Error()
	}
	c.res.Failure = failure
}

// inviteTransaction sends the INVITE until a final response (RFC 3261
// section 17.1.1), ACKs it, and returns the 200.
func (c *call) inviteTransaction(ctx context.Context) (*message, error) {
	c.res.InviteSent = time.Now()
	if err := c.run.sip.send(c.invite); err != nil {
		return nil, fmt.Errorf("send INVITE: %w", unwrapNet(err))
	}
	interval, provisional := timerT1, false
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case m := <-c.in:
			if _, method := m.cseq(); m.method != "" || method != "INVITE" {
				c.answerRequest(m)
				continue
			}
			if m.code < 200 {
				provisional = true
				continue
			}
			return c.final(m)
		case <-timer.C:
			if !provisional && c.run.sip.refusedSince(c.res.InviteSent) {
				return nil, fmt.Errorf("send INVITE: %w", errRefused)
			}
			if time.Since(c.res.InviteSent) >= transTimeout {
				return nil, fmt.Errorf("INVITE timeout")
			}
			if c.run.sip.udp && !provisional {
				if err := c.run.sip.send(c.invite); err != nil {
					return nil, fmt.Errorf("send INVITE: %w", unwrapNet(err))
				}
			}
			interval *= 2
			timer.Reset(min(interval, transTimeout-time.Since(c.res.InviteSent)))
		case <-c.run.sip.dead:
			return nil, errClosed
		case <-ctx.Done():
			return nil, fmt.Errorf("not answered before the run stopped")
		}
	}
}

// final ACKs a final response to the INVITE: a 2xx in the new dialog, any
// other on the INVITE's own transaction (RFC 3261 section 17.1.1.3).
func (c *call) final(m *message) (*message, error) {
	c.dlg.to = m.get("to")
	if m.code >= 300 {
		ack := c.dlg
		ack.target = c.run.requestURI
		_ = c.run.sip.send(ack.request("ACK", 1, c.branch))
		return nil, fmt.Errorf("%s", m.status())
	}
	c.res.Answered = time.Now()
	if c.onAnswer != nil {
		c.onAnswer()
	}
	if uri := m.contactURI(); uri != "" {
		c.dlg.target = uri
	}
	if err := c.run.sip.send(c.dlg.request("ACK", 1, c.branch+"-ack")); err != nil {
		return nil, fmt.Errorf("send ACK: %w", unwrapNet(err))
	}
	return m, nil
}

// startMedia reads the recorder's ports from its answer and hands both
// streams to the call's sender. Media goes to the target's address
// whatever the answer's c= line says.
func (c *call) startMedia(ok *message) ([]*rtpStream, error) {
	ports := audioPorts(ok.body)
	if len(ports) != 2 || ports[0] == 0 || ports[1] == 0 {
		return nil, fmt.Errorf("answer takes audio ports %v, want two", ports)
	}
	start := time.Now()
	streams := make([]*rtpStream, 2)
	for i, port := range ports {
		st := &rtpStream{
			dst:   &net.UDPAddr{IP: c.run.cfg.target.Addr().AsSlice(), Port: port},
			start: start, total: int(c.run.cfg.Duration / packetTime),
			audio: c.run.audio[i], from: c.run.audioFrom(c.res.Index), pt: c.run.cfg.pt,
			seq: uint16(rand.Uint32()), ts: rand.Uint32(), ssrc: rand.Uint32(),
			done: make(chan struct{}),
		}
		streams[i] = st
		c.snd.add(st)
	}
	return streams, nil
}

// talk waits for both streams to be sent, answering what the recorder
// asks meanwhile. It returns why the call failed, or "".
func (c *call) talk(ctx context.Context, streams []*rtpStream) string {
	failure := ""
	stop := func(why string) {
		if failure == "" {
			failure = why
		}
		for _, st := range streams {
			st.stop.Store(true)
		}
	}
	stopping := ctx.Done()
	for _, st := range streams {
		for waiting := true; waiting; {
			select {
			case <-st.done:
				waiting = false
			case m := <-c.in:
				if c.answerRequest(m) == "BYE" {
					stop("ended early by the recorder's BYE")
				}
			case <-stopping:
				stopping = nil
				stop("cut short when the run stopped")
			}
		}
	}
	return failure
}

// answerRequest answers a request from the recorder within the call, and
// ACKs a retransmitted 200 for the INVITE (its ACK was lost). It returns
// the request's method, or "" for a response.
func (c *call) answerRequest(m *message) string {
	if m.method == "" {
		if _, method := m.cseq(); method == "INVITE" && m.code/100 == 2 {
			_ = c.run.sip.send(c.dlg.request("ACK", 1, c.branch+"-ack"))
		}
		return ""
	}
	switch m.method {
	case "ACK":
	case "BYE", "OPTIONS", "INFO", "UPDATE":
		_ = c.run.sip.send(response(m, 200, "OK", "", nil, nil))
	default:
		_ = c.run.sip.send(response(m, 501, "Not Implemented", "", nil, nil))
	}
	return m.method
}

// bye ends the dialog (RFC 3261 section 15.1.1), retransmitting over UDP
// until a final response or timer F.
func (c *call) bye() error {
	c.res.ByeSent = time.Now()
	req := c.dlg.request("BYE", 2, c.branch+"-bye")
	if err := c.run.sip.send(req); err != nil {
		return fmt.Errorf("send BYE: %w", unwrapNet(err))
	}
	interval := timerT1
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case m := <-c.in:
			if _, method := m.cseq(); m.method != "" || method != "BYE" {
				c.answerRequest(m)
				continue
			}
			if m.code < 200 {
				continue
			}
			c.res.ByeAnswered = time.Now()
			if m.code >= 300 {
				return fmt.Errorf("BYE %s", m.status())
			}
			return nil
		case <-timer.C:
			if time.Since(c.res.ByeSent) >= transTimeout {
				return fmt.Errorf("BYE timeout")
			}
			if c.run.sip.udp {
				_ = c.run.sip.send(req)
			}
			interval = min(2*interval, timerT2)
			timer.Reset(min(interval, transTimeout-time.Since(c.res.ByeSent)))
		case <-c.run.sip.dead:
			return errClosed
		}
	}
}

// audioPorts returns the port of each m=audio line of an SDP answer.
func audioPorts(sdp []byte) []int {
	var ports []int
	for _, line := range strings.Split(string(sdp), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "m=audio ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		port, _ := strconv.Atoi(f[0])
		ports = append(ports, port)
	}
	return ports
}

// unwrapNet drops the *net.OpError wrapping that repeats our addresses.
func unwrapNet(err error) error {
	if oe, ok := err.(*net.OpError); ok {
		return oe.Err
	}
	return err
}
