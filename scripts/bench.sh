#!/usr/bin/env bash
# Small benchmark for the figures in the README (not part of CI):
#   1. release binary: time from exec to the first 200 on /readyz (fresh SQLite file);
#   2. `{ viewer { person { id } } }` on a warm server, 8 concurrent clients, with wrk;
#   3. resident memory after the load.
# Needs wrk (Debian package `wrk`). Usage: scripts/bench.sh [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=${1:-10}
port=18099
dir=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT

cargo build --release --locked --bin canopy >/dev/null
cat >"$dir/viewer.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"query":"{ viewer { person { id } } }"}'
wrk.headers["Content-Type"] = "application/json"
LUA

export CANOPY_DATABASE_URL="sqlite://$dir/bench.db?mode=rwc" CANOPY_BIND="127.0.0.1:$port"
export RUST_LOG=${RUST_LOG:-warn}
start=$(date +%s%N)
./target/release/canopy serve >"$dir/server.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
ready=$(date +%s%N)
echo "exec → 200 on /readyz: $(( (ready - start) / 1000000 )) ms"

wrk -t2 -c8 -d2s -s "$dir/viewer.lua" "http://127.0.0.1:$port/graphql" >/dev/null # warm-up
wrk -t2 -c8 -d"${duration}s" --latency -s "$dir/viewer.lua" "http://127.0.0.1:$port/graphql"
echo "resident memory after the run: $(awk '/VmRSS/ {print $2 " " $3}' "/proc/$pid/status")"
