#!/usr/bin/env bash
# Training figures on PostgreSQL (not part of CI; reported in the README):
#   organisation { groupsAtRisk(first: 50) { … succession { risk activeCertifiedFacilitators } } }
#   over 5,000 groups and 20,000 certifications (scripts/bench-training-data.sql), 1 and 4
#   connections, latency percentiles.
# Needs psql, wrk, and a PostgreSQL server (PG, default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg=${PG:-postgres://postgres@127.0.0.1:5432}
db=canopy_training_bench
port=18098
duration=${1:-15}
dir=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT

cargo build --release --locked --bin canopy >/dev/null
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export CANOPY_DATABASE_URL="$pg/$db" CANOPY_BIND="127.0.0.1:$port" RUST_LOG=warn
export CANOPY_JWT_SECRET=bench-secret-that-is-long-enough-to-sign
export CANOPY_DATABASE_MAX_CONNECTIONS=${CANOPY_DATABASE_MAX_CONNECTIONS:-16} CANOPY_AUTO_MIGRATE=true
./target/release/canopy serve >"$dir/server.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done

start=$(date +%s)
psql -q "$pg/$db" -f scripts/bench-training-data.sql
# What autovacuum would do after a bulk load: fresh statistics, dead rows of the bulk triggers gone.
psql -q "$pg/$db" -c "VACUUM ANALYZE"
echo "generated in $(( $(date +%s) - start )) s:" \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM groups') groups," \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM certifications') certifications," \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM meetings') meetings"

query='query { organisation(slug: \"training-bench\") { groupsAtRisk(first: 50) { totalCount edges { node { slug succession { risk activeCertifiedFacilitators } } } } } }'
echo "00000000-0000-7000-8000-000000000005 {\"query\": \"$query\"}" >"$dir/raw.txt"
python3 scripts/bench_tokens.py --bodies "$dir/raw.txt" "$dir/at-risk.txt"
psql -q "$pg/$db" -f "$dir/at-risk.txt.sessions.sql"
token=$(cut -f1 "$dir/at-risk.txt")
body=$(cut -f2 "$dir/at-risk.txt")
ask() { curl -s -w '\n%{time_total}' "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$body"; }
# The first read computes every group's stored risk; later ones recompute only what changed.
answer=$(ask)
if grep -q '"errors"' <<<"$answer"; then echo "query failed: $answer"; exit 1; fi
echo "at risk: $(grep -o '"totalCount":[0-9]*' <<<"$answer"); first read (computes all) $(tail -1 <<<"$answer") s"

cat >"$dir/one.lua" <<'LUA'
local line = io.lines(os.getenv("BODIES"))()
local token, body = line:match("^(%S+)\t(.*)$")
request = function()
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
LUA
echo "== groupsAtRisk(first: 50) with succession, 1 connection"
BODIES="$dir/at-risk.txt" wrk -t1 -c1 -d"${duration}s" --latency -s "$dir/one.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "== groupsAtRisk(first: 50) with succession, 4 connections"
BODIES="$dir/at-risk.txt" wrk -t2 -c4 -d"${duration}s" --latency -s "$dir/one.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
