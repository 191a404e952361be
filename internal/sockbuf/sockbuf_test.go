package sockbuf

import (
	"net"
	"syscall"
	"testing"
)

// TestGrow: the buffer grows past the default, to the size asked when the
// test runs as root (Linux reports twice the size set, for bookkeeping).
func TestGrow(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before := readBuffer(t, conn)
	Grow(conn, 4<<20)
	after := readBuffer(t, conn)
	if after <= before {
		t.Errorf("receive buffer %d bytes after Grow, %d before", after, before)
	}
	if syscall.Geteuid() == 0 && after < 4<<20 {
		t.Errorf("as root the buffer is %d bytes, want at least 4 MiB", after)
	}
}

func readBuffer(t *testing.T, conn *net.UDPConn) int {
	t.Helper()
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		n, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	}); err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	return n
}
