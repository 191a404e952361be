// Package audio decodes the payloads Earshot records and writes and reads
// the WAV files it stores.
//
// It holds the G.711 mu-law and A-law codecs (ITU-T G.711), a G.722
// decoder (ITU-T G.722, 64 kbit/s mode), a 2x upsampler that lets a
// narrowband leg share a 16 kHz file with a wideband one, a RIFF WAVE
// header writer and reader, and a view that presents a stored G.711 or
// PCM WAV as 16-bit PCM for the web player, with random access so that
// HTTP range requests work.
//
// The package does no logging and keeps no global state beyond read-only
// tables built when it is loaded. G722Decoder, Upsampler and Writer carry
// the state of one stream or file and are not safe for concurrent use; the
// functions and PCM16View are.
package audio
