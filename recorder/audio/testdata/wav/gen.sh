#!/bin/sh
# Makes the WAV files in this folder with sox and ffmpeg; see README.md.
# Run by hand from this folder; the tests never run it.
set -eu
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }

sox -D -n -r 8000 -c 1 -b 16 -e signed-integer tone.tmp.wav synth 0.05 sine 300 sine 1100
ff -i tone.tmp.wav -ac 2 -c:a pcm_mulaw ffmpeg-ulaw.wav
ff -i tone.tmp.wav -ac 2 -c:a pcm_alaw ffmpeg-alaw.wav
ff -i tone.tmp.wav -ac 2 -ar 16000 -c:a pcm_s16le ffmpeg-pcm16.wav
ff -i tone.tmp.wav -ac 4 -c:a pcm_s16le ffmpeg-pcm16-4ch.wav
ff -i ffmpeg-ulaw.wav -f s16le -c:a pcm_s16le ffmpeg-ulaw.s16le
ff -i ffmpeg-alaw.wav -f s16le -c:a pcm_s16le ffmpeg-alaw.s16le
sox -D -n -r 8000 -c 2 -e u-law sox-ulaw.wav synth 0.01 sine 440
sox -D -n -r 8000 -c 1 -e a-law sox-alaw-odd.wav synth 0.000375 sine 440
rm tone.tmp.wav
