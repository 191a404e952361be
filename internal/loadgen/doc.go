// Package loadgen places SIPREC calls on a recorder, as an SBC forking
// calls to it would, and checks what the recorder made of them.
//
// A run places a fixed number of calls, a bounded number at a time, at a
// bounded rate. Each call is one INVITE of the embedded corpus of vendor
// dialects, rewritten for the call; once answered, both streams carry a
// tone (440 Hz on the first, 1000 Hz on the second) with a loud click at
// the same instants on both (half a second in, then every second), so
// that a recording can be checked for which party is on which channel and
// for alignment. With Config.Audio "speech" they carry instead a short
// support conversation in turns, from clips of synthetic speech embedded
// from clips/, for a recording a person can listen to. After the call's
// duration a BYE ends it.
//
// RTP goes out from a few sockets, each paced by one goroutine in 1 ms
// slots and written with sendmmsg (golang.org/x/net/ipv4 batches), not a
// goroutine and a socket per stream: on loopback the kernel bills the
// receiver's work to the sender's send call, so a cheap sender leaves the
// CPU to the recorder being measured. Every stream of a sender's calls is
// offered from that sender's one address; a recorder that takes a
// stream's packets only from its offered address accepts that.
//
// Signalling and media go only to the target's address, whatever the
// recorder's answers name. Given the recorder's API, a run then polls
// GET /api/v1/calls?sip_call_id=... for every call and checks that the
// recording is listed, lasts as long as the call did, and reports no more
// loss than the generator caused.
//
// ServeBare is the baseline the benchmarks compare the recorder with: it
// answers calls the same way and only reads and discards their packets.
package loadgen
