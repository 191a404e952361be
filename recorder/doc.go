// Package recorder receives the RTP streams of recorded calls, spools them
// to local disk as they arrive, and turns each finished call into one stereo
// WAV with both parties on a single timeline, handed to storage with its
// sidecar.
//
// The spool is the record of truth while a call runs: every packet is
// appended to a per-stream log with its arrival time, and everything else
// (alignment, decoding, loss and jitter statistics, DTMF, talk metrics) is
// computed from that log when the call ends. A recorder killed mid-call
// therefore loses only what was not yet flushed, and the next start
// finalizes the call from the same log by the same code path.
package recorder
