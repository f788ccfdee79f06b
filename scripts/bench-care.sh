#!/usr/bin/env bash
# Member-care figures on PostgreSQL (not part of CI; reported in the README):
#   - 100,000 members in 5,000 groups and 2,000,000 check-ins (scripts/bench-care-data.sql);
#   - Group.wellbeing over 12 weekly buckets: the first read of each group (which freezes its
#     closed weeks) and repeated reads, latency percentiles;
#   - submitCheckIn by 20,000 different members, 8 concurrent clients.
# Needs psql, wrk, and a PostgreSQL server (PG, default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg=${PG:-postgres://postgres@127.0.0.1:5432}
db=canopy_care_bench
port=18099
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

gql() { curl -s "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' "$@"; }
start=$(date +%s)
psql -q "$pg/$db" -f scripts/bench-care-data.sql
echo "generated in $(( $(date +%s) - start )) s:" \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM memberships') members," \
  "$(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM check_ins') check-ins"

from=$(date -u -d '12 weeks ago' +%F)
to=$(date -u -d '7 days ago' +%F)
# One wellbeing body per group, sent by its facilitator.
psql -Atq -F ' ' "$pg/$db" >"$dir/raw-wellbeing.txt" <<SQL
SELECT m.person_id, json_build_object(
  'query', 'query(\$slug: String!, \$from: Date!, \$to: Date!) { group(slug: \$slug) { wellbeing(from: \$from, to: \$to) { start contributors averageRating distribution { rating checkIns } suppressed } } }',
  'variables', json_build_object('slug', g.slug, 'from', '$from', 'to', '$to'))
FROM groups g JOIN memberships m ON m.group_id = g.id AND m.role = 'FACILITATOR'
ORDER BY g.slug;
SQL
python3 scripts/bench_tokens.py --bodies "$dir/raw-wellbeing.txt" "$dir/wellbeing.txt"
psql -q "$pg/$db" -f "$dir/wellbeing.txt.sessions.sql"
# One submitCheckIn body per member, for 20,000 members.
psql -Atq -F ' ' "$pg/$db" >"$dir/raw-checkin.txt" <<'SQL'
SELECT m.person_id, json_build_object(
  'query', 'mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { id } } }',
  'variables', json_build_object('input', json_build_object(
     'groupId', rtrim(translate(encode(convert_to('Group:' || m.group_id, 'UTF8'), 'base64'), '+/', '-_'), '='),
     'rating', 1 + (random() * 4)::int)))
FROM memberships m ORDER BY random() LIMIT 20000;
SQL
python3 scripts/bench_tokens.py --bodies "$dir/raw-checkin.txt" "$dir/checkin.txt"
psql -q "$pg/$db" -f "$dir/checkin.txt.sessions.sql"

cat >"$dir/rotate.lua" <<'LUA'
local tokens, bodies = {}, {}
for line in io.lines(os.getenv("BODIES")) do
  local token, body = line:match("^(%S+)\t(.*)$")
  tokens[#tokens + 1] = token
  bodies[#bodies + 1] = body
end
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("offset", counter * 997) end
request = function()
  offset = offset % #bodies + 1
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[offset]}, bodies[offset])
end
LUA
cat >"$dir/one.lua" <<'LUA'
local line = io.lines(os.getenv("BODIES"))()
local token, body = line:match("^(%S+)\t(.*)$")
request = function()
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
LUA

# Sanity: one of each answers without errors.
for f in wellbeing checkin; do
  if head -1 "$dir/$f.txt" | cut -f2 | gql -H "authorization: Bearer $(head -1 "$dir/$f.txt" | cut -f1)" -d @- | grep -q '"errors"'; then
    echo "$f failed"; exit 1
  fi
done
echo "== wellbeing, 12 weekly buckets, one group read repeatedly (frozen weeks), 1 connection"
BODIES="$dir/wellbeing.txt" wrk -t1 -c1 -d"${duration}s" --latency -s "$dir/one.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "== wellbeing, first read of each group (computes and freezes 12 weeks), 1 connection"
BODIES="$dir/wellbeing.txt" wrk -t1 -c1 -d"${duration}s" --latency -s "$dir/rotate.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "== wellbeing, 8 connections across all groups"
BODIES="$dir/wellbeing.txt" wrk -t2 -c8 -d"${duration}s" --latency -s "$dir/rotate.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "== submitCheckIn, 20,000 members, 8 connections"
BODIES="$dir/checkin.txt" wrk -t2 -c8 -d"${duration}s" --latency -s "$dir/rotate.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
echo "frozen weeks: $(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM wellbeing_weeks'), check-ins now: $(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM check_ins')"
