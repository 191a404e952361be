//go:build linux

package recorder

import (
	"net/netip"
	"syscall"
	"time"
)

// maxDrained bounds the final drain of a socket, in case a sender keeps
// sending as fast as the drain reads (a flood onto a port being closed).
const maxDrained = 20_000

// drainQueued reads, without waiting, every datagram the kernel still
// holds for the stream's socket. The timed drain before it can end with
// packets queued when the receiving goroutine was not scheduled in time (a
// deadline that has passed wins over data waiting in Go's poller); under
// load, with many calls ending together, that was the packets at the end
// of a call that the recorder never received.
func (s *stream) drainQueued(buf []byte) {
	rc, err := s.conn.SyscallConn()
	if err != nil {
		return
	}
	// A passed deadline would make the raw read fail before trying.
	_ = s.conn.SetReadDeadline(time.Time{})
	for range maxDrained {
		var (
			n    int
			from syscall.Sockaddr
			rerr error
		)
		err := rc.Read(func(fd uintptr) bool {
			n, from, rerr = syscall.Recvfrom(int(fd), buf, syscall.MSG_DONTWAIT)
			return true // never wait: EAGAIN ends the drain
		})
		if err != nil || rerr != nil {
			return
		}
		s.handle(buf[:n], sockaddrPort(from), s.now())
	}
}

func sockaddrPort(sa syscall.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *syscall.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port))
	}
	return netip.AddrPort{}
}
