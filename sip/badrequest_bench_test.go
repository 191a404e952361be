package siprec

import (
	"os"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// BenchmarkBadRequestFilter is the filter's cost on a valid SIPREC INVITE
// (it parses every UDP datagram once before sipgo does), beside the
// parse sipgo makes of it anyway, the baseline.
func BenchmarkBadRequestFilter(b *testing.B) {
	invite, err := os.ReadFile("testdata/invites/cisco-cube.sip")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline=sipgo parse", func(b *testing.B) {
		p := sip.NewParser()
		b.SetBytes(int64(len(invite)))
		for b.Loop() {
			if _, err := p.ParseSIP(invite); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("filter", func(b *testing.B) {
		f := newBadRequests(nil)
		props := sip.TransportReadProps{Transport: "UDP"}
		b.SetBytes(int64(len(invite)))
		for b.Loop() {
			if out, _ := f.filter(props, invite); len(out) == 0 {
				b.Fatal("the filter dropped a valid INVITE")
			}
		}
	})
}
