#!/usr/bin/env bash
# burst.sh: N SIPREC INVITEs at once (--rate 0) against a fresh earshot on
# loopback, as docs/benchmarks.md reports them. Usage:
#   bash docs/bench/burst.sh [calls]          (default 1000)
# It builds earshot, starts it on 127.0.0.1 with its data in a temporary
# folder, runs the load generator, and stops earshot by its pid.
set -euo pipefail
calls=${1:-1000}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
go build -o "$work/earshot" ./cmd/earshot
export EARSHOT_ADMIN_PASSWORD=burst-bench-$$
"$work/earshot" serve --data-dir "$work/data" --http-listen 127.0.0.1:18080 \
  --sip-listen 127.0.0.1:15060 --rtp-bind 127.0.0.1 --rtp-ports 30000-39999 \
  --log-level warn >"$work/earshot.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  curl -fs http://127.0.0.1:18080/readyz >/dev/null && break
  sleep 0.2
done
"$work/earshot" loadgen --target 127.0.0.1:15060 --calls "$calls" --concurrency "$calls" \
  --rate 0 --duration 1s --rtp-ip 127.0.0.1
