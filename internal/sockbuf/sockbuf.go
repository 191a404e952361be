// Package sockbuf raises the receive buffers of UDP sockets, which by
// default (about 200 KiB on Linux) overflow under a burst, so that the
// kernel drops datagrams before the program can read them.
package sockbuf

import (
	"net"
	"syscall"
)

// Grow raises conn's receive buffer to bytes, past the system's rmem_max
// when the process may (root or CAP_NET_ADMIN), else as far as the system
// allows. Failure costs only resilience to bursts, so it is not reported.
// The size is a limit, not memory taken up front.
func Grow(conn *net.UDPConn, bytes int) {
	raw, err := conn.SyscallConn()
	if err == nil {
		cerr := raw.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, bytes)
		})
		if cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		_ = conn.SetReadBuffer(bytes)
	}
}
