package recorder

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"

	"earshot/storage"
)

// writePCAP keeps a stream losslessly as a capture file that Wireshark and
// similar tools open: every spooled packet, rebuilt as RTP (RFC 3550
// section 5.1) inside IPv4 and UDP headers, stamped with its arrival. The
// addresses are placeholders (127.0.0.1, port 0): the spool does not keep
// the sender's.
func writePCAP(path string, sl *streamLog, t0 time.Time) (storage.Attachment, error) {
	src, err := os.Open(sl.path)
	if err != nil {
		return storage.Attachment{}, fmt.Errorf("open spool log: %w", err)
	}
	defer src.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return storage.Attachment{}, fmt.Errorf("create capture: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	w := bufio.NewWriter(io.MultiWriter(f, h))
	n, err := writeCapture(w, src, sl, t0)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return storage.Attachment{}, fmt.Errorf("write capture: %w", err)
	}
	return storage.Attachment{
		ContentType: "application/vnd.tcpdump.pcap", Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil)),
	}, nil
}

// writeCapture writes the pcap global header (link type 228, raw IPv4) and
// one record per packet, returning the bytes written.
func writeCapture(w io.Writer, src io.ReaderAt, sl *streamLog, t0 time.Time) (int64, error) {
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b23c4d) // nanosecond timestamps
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 228)
	if _, err := w.Write(hdr); err != nil {
		return 0, err
	}
	total := int64(len(hdr))
	rec := make([]byte, 0, 16+28+12+1500)
	payload := make([]byte, 1500)
	for i := range sl.packets {
		p := &sl.packets[i]
		if _, err := src.ReadAt(payload[:p.n], p.off); err != nil {
			return total, err
		}
		rec = captureRecord(rec[:0], p, payload[:p.n], t0)
		if _, err := w.Write(rec); err != nil {
			return total, err
		}
		total += int64(len(rec))
	}
	return total, nil
}

func captureRecord(b []byte, p *pktRef, payload []byte, t0 time.Time) []byte {
	at := t0.Add(time.Duration(p.arrivalUS) * time.Microsecond)
	udpLen := 8 + 12 + len(payload)
	ipLen := 20 + udpLen
	b = binary.LittleEndian.AppendUint32(b, uint32(at.Unix()))
	b = binary.LittleEndian.AppendUint32(b, uint32(at.Nanosecond()))
	b = binary.LittleEndian.AppendUint32(b, uint32(ipLen))
	b = binary.LittleEndian.AppendUint32(b, uint32(ipLen))
	// IPv4 header (RFC 791), no options, checksum left zero.
	b = append(b, 0x45, 0, byte(ipLen>>8), byte(ipLen), 0, 0, 0x40, 0, 64, 17, 0, 0,
		127, 0, 0, 1, 127, 0, 0, 1)
	// UDP header (RFC 768), checksum zero: not computed.
	b = append(b, 0, 0, 0, 0, byte(udpLen>>8), byte(udpLen), 0, 0)
	b = append(b, 0x80, p.pt&0x7f)
	b = binary.BigEndian.AppendUint16(b, p.seq)
	b = binary.BigEndian.AppendUint32(b, p.ts)
	b = binary.BigEndian.AppendUint32(b, p.ssrc)
	return append(b, payload...)
}
