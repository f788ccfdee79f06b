#!/usr/bin/env bash
# Canopy beside PostGraphile v4 on one PostgreSQL database (not part of CI; figures go in the
# README's performance section and issue notes).
#
#   scripts/bench-peer.sh [seconds per run] [rounds]
#   CANOPY_BIN=/path/to/canopy scripts/bench-peer.sh …   (that binary instead of a fresh build)
#   BATCH_DELAYS="0 100 250 500 1000" scripts/bench-peer.sh …   (then Canopy again at each
#       loader batch delay, CANOPY_BATCH_DELAY_US, to choose it by measurement)
#
# Seeds a database through Canopy's migrations with scripts/bench-peer-data.sql (5,000 groups
# in 50 clusters, 100,000 members, 200,000 meetings, 1,000,000 attendance rows), starts Canopy
# (release) and PostGraphile (installed by scripts/bench-tools.sh, run as its documentation
# says, on the same database) and drives both with wrk on documents selecting the same rows,
# alternating Canopy and PostGraphile runs, at 1 and 8 connections. For every run: req/s, p50
# and p99, CPU ms per request of the server and of PostgreSQL, SQL statements per request (from
# pg_stat_statements, which the script enables on a local cluster), and the server's peak
# RSS; then the same shapes as plain SQL through pgbench (the floor), and an open-loop run of
# the groups page at half Canopy's best rate (oha). PostGraphile does no authorisation: every
# Canopy request here is checked against the viewer's rights, PostGraphile's are not.
# Needs psql, pgbench, cargo, npm, curl, python3 and a PostgreSQL server (PG, default
# postgres://postgres@127.0.0.1:5432) on which we may create a database.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bench-tools.sh

pg=${PG:-postgres://postgres@127.0.0.1:5432}
db=canopy_peer_bench
canopy_port=18097
graphile_port=18096
duration=${1:-10}
rounds=${2:-2}
dir=$(mktemp -d)
trap 'kill "${canopy:-0}" "${graphile:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
tick=$(getconf CLK_TCK)

# CANOPY_BIN: a release binary built before (e.g. of another commit); else this checkout's.
bin=${CANOPY_BIN:-./target/release/canopy}
[ -n "${CANOPY_BIN:-}" ] || cargo build --release --locked --bin canopy >/dev/null
if [[ "$(psql -Atq "$pg/postgres" -c 'SHOW shared_preload_libraries')" != *pg_stat_statements* ]]; then
  echo "enabling pg_stat_statements (restarts the local cluster)"
  psql -q "$pg/postgres" -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main restart
  until pg_isready -q -d "$pg/postgres"; do sleep 0.2; done
fi
psql -q "$pg/postgres" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"

# One transport for both: PostGraphile's client (node-postgres) connects without TLS unless
# told to, while Canopy's (sqlx) uses TLS whenever the server offers it, as Debian's does on
# 127.0.0.1; so Canopy is told not to here, and both pay the same for the bytes they read.
export CANOPY_DATABASE_URL="$pg/$db?sslmode=disable" CANOPY_BIND="127.0.0.1:$canopy_port" RUST_LOG=warn
export CANOPY_JWT_SECRET=bench-secret-that-is-long-enough-to-sign CANOPY_AUTO_MIGRATE=true
export CANOPY_DATABASE_MAX_CONNECTIONS=${CANOPY_DATABASE_MAX_CONNECTIONS:-16}
"$bin" serve >"$dir/canopy.log" 2>&1 &
canopy=$!
until curl -fs "http://127.0.0.1:$canopy_port/readyz" >/dev/null 2>&1; do sleep 0.1; done

start=$(date +%s)
psql -q "$pg/$db" -f scripts/bench-peer-data.sql
echo "seeded through Canopy's tables in $(( $(date +%s) - start )) s:" \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM groups') groups," \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM memberships') members," \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM meetings') meetings," \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM attendance') attendance rows"
# PostGraphile writes attendance through a function, as its documentation has custom
# mutations written; it checks nothing, Canopy checks the viewer's rights and every entry.
psql -q "$pg/$db" <<'SQL'
CREATE FUNCTION record_attendance(meeting uuid, membership_ids uuid[], statuses text[])
RETURNS SETOF attendance LANGUAGE sql VOLATILE AS $$
  INSERT INTO attendance (id, meeting_id, membership_id, status, recorded_by, recorded_at)
  SELECT gen_random_uuid(), meeting, e.m, e.s, NULL, now()
  FROM unnest(membership_ids, statuses) AS e(m, s) ORDER BY e.m
  ON CONFLICT (meeting_id, membership_id)
  DO UPDATE SET status = excluded.status, recorded_at = excluded.recorded_at
  RETURNING *
$$;
SQL

postgraphile --connection "$pg/$db" --schema public --host 127.0.0.1 --port "$graphile_port" \
  --disable-query-log --disable-graphiql --max-pool-size 16 >"$dir/graphile.log" 2>&1 &
graphile=$!
until curl -fs "http://127.0.0.1:$graphile_port/graphql" -H 'content-type: application/json' \
  -d '{"query":"{__typename}"}' >/dev/null 2>&1; do sleep 0.2; done

rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# What the resident memory is: the binary's code paged in (clean, the kernel's to reclaim) and
# the heap and stacks (anonymous).
rss_parts() {
  awk '/^Anonymous/ { a = $2 } /^Rss/ { r = $2 } END {
    printf "%.1f MiB (code and files %.1f, heap and stacks %.1f)", r / 1024, (r - a) / 1024, a / 1024 }' \
    "/proc/$1/smaps_rollup"
}
cold_rss=$(rss_parts "$canopy")
admin=$(psql -Atq "$pg/$db" -c "SELECT md5('peer:admin')::uuid")
token=$(python3 scripts/bench_tokens.py "$admin" "$dir/sessions.sql")
psql -q "$pg/$db" -f "$dir/sessions.sql"

# Bodies, one per line: "<canopy body>\t<postgraphile body>".
python3 scripts/bench_peer_bodies.py "$dir"
python3 scripts/bench_peer_bodies.py --check "$dir" "http://127.0.0.1:$canopy_port/graphql" \
  "http://127.0.0.1:$graphile_port/graphql" "$token"
# Idle once each shape has been answered (its code paged in) and the allocator has settled.
sleep 15
idle_rss=$(rss_parts "$canopy")

cat >"$dir/rotate.lua" <<'LUA'
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local token = os.getenv("TOKEN")
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("offset", counter * 97) end
request = function()
  offset = offset % #bodies + 1
  local headers = {["Content-Type"] = "application/json"}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", "/graphql", headers, bodies[offset])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("%d %d %.1f %.3f %.3f\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

ticks_of() { awk '{ s += $14 + $15 + $16 + $17 } END { print s + 0 }' "$@" 2>/dev/null || echo 0; }
pg_ticks() { ticks_of $(pgrep -u postgres | sed 's|.*|/proc/&/stat|'); }
statements() {
  psql -Atq "$pg/postgres" -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$db')"
}

printf '%-12s %-18s %3s %9s %9s %9s %10s %10s %9s %9s\n' server shape conn 'req/s' 'p50 ms' \
  'p99 ms' 'cpu ms/rq' 'pg ms/rq' 'stmt/rq' 'rss MiB'
# run SERVER PID PORT SHAPE CONNECTIONS: one wrk run, one line of figures.
run() {
  local server=$1 pid=$2 port=$3 shape=$4 conns=$5 column
  column=$([ "$server" = canopy ] && echo 1 || echo 2)
  cut -f"$column" "$dir/$shape.txt" >"$dir/bodies.txt"
  local auth=""
  [ "$server" = canopy ] && auth=$token
  local cpu0 pg0 st0 cpu1 pg1 st1 out
  cpu0=$(ticks_of "/proc/$pid/stat"); pg0=$(pg_ticks); st0=$(statements)
  out=$(BODIES="$dir/bodies.txt" TOKEN=$auth wrk -t"$(( conns > 1 ? 2 : 1 ))" -c"$conns" \
    -d"${duration}s" -s "$dir/rotate.lua" "http://127.0.0.1:$port/graphql" | tail -1)
  cpu1=$(ticks_of "/proc/$pid/stat"); pg1=$(pg_ticks); st1=$(statements)
  read -r requests errors rps p50 p99 <<<"$out"
  if [ "$errors" != 0 ]; then echo "$server $shape: $errors failed requests"; fi
  awk -v s="$server" -v sh="$shape" -v c="$conns" -v n="$requests" -v r="$rps" -v a="$p50" \
    -v b="$p99" -v cpu=$(( cpu1 - cpu0 )) -v pgc=$(( pg1 - pg0 )) -v st=$(( st1 - st0 )) \
    -v t="$tick" -v rss="$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")" 'BEGIN {
      printf "%-12s %-18s %3d %9.0f %9.2f %9.2f %10.3f %10.3f %9.2f %9.1f\n", s, sh, c, r, a, b,
        cpu * 1000 / t / n, pgc * 1000 / t / n, st / n, rss / 1024 }'
}

shapes="dashboard groups_page group_detail record_attendance"
for shape in $shapes; do # warm both servers and both caches
  for server in canopy graphile; do
    if [ $server = canopy ]; then run canopy $canopy $canopy_port "$shape" 8; else run postgraphile $graphile $graphile_port "$shape" 8; fi >/dev/null
  done
done
for round in $(seq "$rounds"); do
  echo "-- round $round ($(cut -d' ' -f1-3 /proc/loadavg) load)"
  for shape in $shapes; do
    for conns in 1 8; do
      run canopy $canopy $canopy_port "$shape" "$conns"
      run postgraphile $graphile $graphile_port "$shape" "$conns"
    done
  done
done

echo "-- the same shapes as plain SQL, pgbench, 8 clients, no TLS either (the floor)"
for shape in $shapes; do
  printf '%-12s %-18s %3d %9.0f\n' pgbench "$shape" 8 \
    "$(PGSSLMODE=disable pgbench -n -c8 -j2 -T"$duration" -f "scripts/bench-peer-sql/$shape.sql" "$pg/$db" 2>/dev/null \
      | awk '/^tps/ { print $3 }')"
done

best=$(cut -f1 "$dir/groups_page.txt" >"$dir/bodies.txt"; BODIES="$dir/bodies.txt" TOKEN=$token \
  wrk -t2 -c8 -d"${duration}s" -s "$dir/rotate.lua" "http://127.0.0.1:$canopy_port/graphql" \
  | tail -1 | cut -d' ' -f3)
rate=$(awk -v r="$best" 'BEGIN { printf "%d", r / 2 }')
echo "-- groups page open loop at $rate req/s (half of $best), Canopy, oha with latency correction"
head -1 "$dir/groups_page.txt" | cut -f1 >"$dir/one.json"
oha --no-tui -z "${duration}s" -q "$rate" --latency-correction -c 16 -m POST \
  -H "authorization: Bearer $token" -H 'content-type: application/json' -D "$dir/one.json" \
  "http://127.0.0.1:$canopy_port/graphql" | grep -E 'Requests/sec|50.00%|99.00%|\[200\]|\[[45]'
echo "Canopy RSS: $cold_rss before any request; $idle_rss idle after one request of each shape;"
echo "  $(rss_parts "$canopy") right after the load"
sleep 60
echo "Canopy RSS a minute after the load: $(rss_parts "$canopy")"
echo "PostGraphile does no authorisation; every Canopy request above was authorised."

if [ -n "${BATCH_DELAYS:-}" ]; then
  echo "-- Canopy at each loader batch delay (CANOPY_BATCH_DELAY_US), restarted for each"
  for delay in $BATCH_DELAYS; do
    kill "$canopy"; wait "$canopy" 2>/dev/null || true
    CANOPY_BATCH_DELAY_US=$delay "$bin" serve >"$dir/canopy-$delay.log" 2>&1 &
    canopy=$!
    until curl -fs "http://127.0.0.1:$canopy_port/readyz" >/dev/null 2>&1; do sleep 0.1; done
    for shape in $shapes; do run canopy $canopy $canopy_port "$shape" 8 >/dev/null; done
    for shape in dashboard groups_page group_detail; do
      for conns in 1 8; do
        printf '%6s us ' "$delay"
        run canopy $canopy $canopy_port "$shape" "$conns"
      done
    done
  done
fi
