#!/bin/sh
# Regenerates the speech clips "earshot loadgen --audio speech" plays.
# Needs espeak-ng and sox at development time only; the clips are
# committed, so building and testing Earshot needs neither.
#
# Each clip is one turn of a short support call: the agent's turns in a
# British female voice, the customer's in an American male one. espeak-ng
# writes 22.05 kHz WAV; sox trims the silence at both ends, normalizes
# the peak to -4 dBFS and writes 8 kHz mono G.711 mu-law, headerless
# (.ul), without dither so that a rerun gives the same bytes.
set -eu
cd "$(dirname "$0")"

agent="-v en-gb+f3 -s 165 -p 55"
customer="-v en-us+m3 -s 170 -p 40"

clip() {
	name=$1 voice=$2 text=$3
	tmp=$(mktemp --suffix=.wav)
	# shellcheck disable=SC2086 # $voice is several options
	espeak-ng $voice -w "$tmp" "$text"
	sox "$tmp" -D -r 8000 -c 1 -e u-law -b 8 -t ul "$name.ul" \
		silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse gain -n -4
	rm -f "$tmp"
}

clip agent-1 "$agent" "Good morning, you're through to support. How can I help?"
clip customer-1 "$customer" "Hi. My parcel still hasn't arrived, and it's been a week."
clip agent-2 "$agent" "I'm sorry to hear that. Could I have the order number, please?"
clip customer-2 "$customer" "Yes, it's four seven two nine."
clip agent-3 "$agent" "Thank you. It's out for delivery, and should reach you on Thursday."
clip customer-3 "$customer" "Great, that's all I needed. Thanks for your help."
