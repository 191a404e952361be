// Package rtpgen makes and sends the RTP streams of test calls: a tone per
// leg, clicks at known instants, RFC 4733 DTMF, and the network's faults
// (loss, reordering, jitter, an SSRC change, a hold), so that tests and the
// load generator can check a recording against what was sent.
package rtpgen

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"sort"
	"time"

	"earshot/recorder/audio"
)

// PacketTime is the audio carried by one packet.
const PacketTime = 20 * time.Millisecond

const (
	rate            = 8000
	samplesPerPkt   = rate * 20 / 1000 // PacketTime of samples
	toneAmplitude   = 6000
	clickAmplitude  = 24000
	clickLength     = 40 // samples: 5 ms
	telephoneEvent  = 101
	payloadTypePCMU = 0
)

// DTMF is a digit pressed during the call.
type DTMF struct {
	Digit    byte // 0-9, 10 for *, 11 for #
	At       time.Duration
	Duration time.Duration
}

// Leg describes one direction of a call as its sender produces it.
type Leg struct {
	ToneHz float64
	Clicks []time.Duration
	SSRC   uint32
	// SSRCChangeAt, when set, switches to SSRC+1 with a new random
	// sequence and timestamp base, as a sender restart or transfer does.
	SSRCChangeAt time.Duration
	// HoldFrom and HoldTo bound a span in which nothing is sent.
	HoldFrom, HoldTo time.Duration
	// HoldFreezesTimestamp stops the RTP clock during the hold, as some
	// senders do, instead of letting it run with the wall clock.
	HoldFreezesTimestamp bool
	DTMF                 []DTMF

	// Loss is the share of packets dropped; Reorder the share swapped with
	// their successor; Jitter the largest extra delay of a packet.
	Loss, Reorder float64
	Jitter        time.Duration
	Seed          uint64
}

// Packet is one datagram and when to send it, from the start of the call.
type Packet struct {
	At   time.Duration
	Data []byte
}

// Packets renders the leg as the datagrams of a call lasting d, in the
// order and at the times they are to be sent.
func (l *Leg) Packets(d time.Duration) []Packet {
	rng := rand.New(rand.NewPCG(l.Seed, l.Seed^0x9e3779b97f4a7c15))
	ssrc, seq, ts := l.SSRC, uint16(rng.IntN(1<<16)), rng.Uint32()
	var out []Packet
	pcm := make([]int16, samplesPerPkt)
	for i := 0; time.Duration(i)*PacketTime < d; i++ {
		at := time.Duration(i) * PacketTime
		if l.SSRCChangeAt > 0 && at == l.SSRCChangeAt.Truncate(PacketTime) {
			ssrc, seq, ts = ssrc+1, uint16(rng.IntN(1<<16)), rng.Uint32()
		}
		held := at >= l.HoldFrom && at < l.HoldTo
		if !held {
			l.render(pcm, i*samplesPerPkt)
			out = append(out, Packet{At: at, Data: rtpPacket(payloadTypePCMU, seq, ts, ssrc, audio.EncodeULaw(nil, pcm))})
			seq++
			out = append(out, l.dtmfPackets(at, &seq, ts, ssrc)...)
		}
		if !held || !l.HoldFreezesTimestamp {
			ts += samplesPerPkt
		}
	}
	return l.impair(out, rng)
}

// render writes the leg's audio for samples starting at sample n.
func (l *Leg) render(pcm []int16, n int) {
	for i := range pcm {
		t := float64(n+i) / rate
		v := toneAmplitude * math.Sin(2*math.Pi*l.ToneHz*t)
		for _, c := range l.Clicks {
			start := int(c.Seconds() * rate)
			if k := n + i - start; k >= 0 && k < clickLength {
				v = clickAmplitude
			}
		}
		pcm[i] = int16(v)
	}
}

// dtmfPackets returns the RFC 4733 packets of any digit sounding at at:
// one per packet time, all with the timestamp of the digit's start, the
// last three with the end bit (section 2.5.1.4).
func (l *Leg) dtmfPackets(at time.Duration, seq *uint16, ts, ssrc uint32) []Packet {
	var out []Packet
	for _, d := range l.DTMF {
		if at < d.At.Truncate(PacketTime) || at > d.At+d.Duration {
			continue
		}
		startTS := ts - uint32((at-d.At.Truncate(PacketTime))/PacketTime)*samplesPerPkt
		dur := uint16((at - d.At.Truncate(PacketTime) + PacketTime).Seconds() * rate)
		end := at+PacketTime > d.At+d.Duration
		repeats := 1
		if end {
			repeats = 3
		}
		for range repeats {
			payload := []byte{d.Digit, 10, 0, 0}
			if end {
				payload[1] |= 0x80
			}
			binary.BigEndian.PutUint16(payload[2:], dur)
			out = append(out, Packet{At: at, Data: rtpPacket(telephoneEvent, *seq, startTS, ssrc, payload)})
			*seq++
		}
	}
	return out
}

func rtpPacket(pt uint8, seq uint16, ts, ssrc uint32, payload []byte) []byte {
	b := make([]byte, 12, 12+len(payload))
	b[0] = 0x80
	b[1] = pt
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], ts)
	binary.BigEndian.PutUint32(b[8:], ssrc)
	return append(b, payload...)
}

// impair applies loss, reordering and jitter, and sorts by send time.
func (l *Leg) impair(pkts []Packet, rng *rand.Rand) []Packet {
	out := pkts[:0]
	for _, p := range pkts {
		if rng.Float64() < l.Loss {
			continue
		}
		if l.Jitter > 0 {
			p.At += time.Duration(rng.Int64N(int64(l.Jitter)))
		}
		out = append(out, p)
	}
	for i := 0; i+1 < len(out); i++ {
		if rng.Float64() < l.Reorder {
			out[i].At, out[i+1].At = out[i+1].At, out[i].At
			i++
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

// Send sends pkts from conn to dst, each at start plus its time, until
// done or ctx ends.
func Send(ctx context.Context, conn *net.UDPConn, dst netip.AddrPort, start time.Time, pkts []Packet) error {
	for _, p := range pkts {
		if wait := time.Until(start.Add(p.At)); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		if _, err := conn.WriteToUDPAddrPort(p.Data, dst); err != nil {
			return err
		}
	}
	return nil
}
