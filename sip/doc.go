// Package siprec answers recording sessions: SIPREC sessions that an SBC or
// PBX opens to Earshot as a session recording server (RFC 7866, with the
// recording metadata of RFC 7865), and plain forked INVITEs that carry only
// an SDP offer.
//
// The package is named siprec, not sip, so that it can be imported beside
// sipgo's package sip without an alias.
//
// This part of the package reads what a session recording client sends:
// [ParseBody] splits an INVITE body into its SDP offer, its recording
// metadata and any other parts, and [ParseMetadata] reads the metadata in
// the dialects that SBCs and PBXs actually send. Both take untrusted input:
// they are size-capped, never panic, and report what they could not
// understand as warnings rather than refusing a call, because a call that is
// not recorded is worse than a call recorded with odd metadata.
package siprec
