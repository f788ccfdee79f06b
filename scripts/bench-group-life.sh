#!/usr/bin/env bash
# Group-life figures on PostgreSQL (not part of CI; reported in the README):
#   - a generated network of 5,000 groups (12 members each) and 200,000 meetings;
#   - recordAttendance for 12 members, 8 concurrent clients;
#   - the nested meetings query of issue 3's statement-count test, latency percentiles.
# Needs psql, wrk, and a PostgreSQL server (PG, default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg=${PG:-postgres://postgres@127.0.0.1:5432}
db=canopy_bench
port=18098
duration=${1:-15}
dir=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT

cargo build --release --locked --bin canopy >/dev/null
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export CANOPY_DATABASE_URL="$pg/$db" CANOPY_BIND="127.0.0.1:$port" RUST_LOG=warn
export CANOPY_JWT_SECRET=bench-secret-that-is-long-enough-to-sign CANOPY_MAX_COMPLEXITY=100000
export CANOPY_DATABASE_MAX_CONNECTIONS=${CANOPY_DATABASE_MAX_CONNECTIONS:-16} CANOPY_AUTO_MIGRATE=true
./target/release/canopy serve >"$dir/server.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done

gql() { curl -s "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' "$@"; }
start=$(date +%s)
psql -q "$pg/$db" -f scripts/bench-data.sql
echo "generated the network in $(( $(date +%s) - start )) s:" \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM groups') groups," \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM meetings') meetings"

# One recordAttendance body per group (its latest held meeting, its 12 memberships), sent by
# that group's facilitator: "<person id> <body>" per line, tokens minted below.
psql -Atq -F ' ' "$pg/$db" >"$dir/raw.txt" <<'SQL'
WITH latest AS (
  SELECT DISTINCT ON (group_id) id, group_id FROM meetings WHERE status = 'HELD'
  ORDER BY group_id, starts_at DESC)
SELECT (SELECT person_id FROM memberships f WHERE f.group_id = l.group_id AND f.role = 'FACILITATOR'),
  json_build_object(
  'query', 'mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendance { status } } }',
  'variables', json_build_object('input', json_build_object(
     'meetingId', rtrim(translate(encode(convert_to('Meeting:' || l.id, 'UTF8'), 'base64'), '+/', '-_'), '='),
     'entries', (SELECT json_agg(json_build_object(
         'membershipId', rtrim(translate(encode(convert_to('Membership:' || m.id, 'UTF8'), 'base64'), '+/', '-_'), '='),
         'status', CASE WHEN random() < 0.8 THEN 'PRESENT' ELSE 'ABSENT' END))
       FROM memberships m WHERE m.group_id = l.group_id))))
FROM latest l;
SQL
python3 scripts/bench_tokens.py --bodies "$dir/raw.txt" "$dir/bodies.txt"
psql -q "$pg/$db" -f "$dir/bodies.txt.sessions.sql"
cat >"$dir/attendance.lua" <<LUA
local tokens, bodies = {}, {}
for line in io.lines("$dir/bodies.txt") do
  local token, body = line:match("^(%S+)\t(.*)$")
  tokens[#tokens + 1] = token
  bodies[#bodies + 1] = body
end
local i = math.random(#bodies)
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[i]}, bodies[i])
end
LUA
token=$(python3 scripts/bench_tokens.py "$(psql -Atq "$pg/$db" -c "SELECT person_id FROM memberships m JOIN groups g ON g.id = m.group_id WHERE g.slug = 'bench-42' AND m.role = 'FACILITATOR'")" "$dir/nested.sessions.sql")
psql -q "$pg/$db" -f "$dir/nested.sessions.sql"
cat >"$dir/nested.lua" <<LUA
local q = [[{"query":"query { group(slug: \"bench-42\") { meetings(first: 20) { edges { node { facilitator { person { displayName } } attendanceSummary { present } commitments(first: 10) { edges { node { status } } } } } } } }"}]]
request = function()
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, q)
end
LUA

# Sanity: one of each answers without errors.
if head -1 "$dir/bodies.txt" | cut -f2 | gql -H "authorization: Bearer $(head -1 "$dir/bodies.txt" | cut -f1)" -d @- | grep -q '"errors"'; then
  echo "recordAttendance failed"; exit 1
fi
echo "== recordAttendance, 12 members, 8 connections, ${duration}s"
wrk -t2 -c8 -d"${duration}s" --latency -s "$dir/attendance.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
echo "== nested meetings query (group → 20 meetings → facilitator, summary, commitments), 8 connections"
wrk -t2 -c8 -d"${duration}s" --latency -s "$dir/nested.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "== the same, one connection (latency without queueing)"
wrk -t1 -c1 -d"${duration}s" --latency -s "$dir/nested.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%"
