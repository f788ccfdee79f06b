#!/usr/bin/env bash
# Resource library search figures (not part of CI; issue 6 asks for p50 < 20 ms on both):
#   query { resources(search: "breathing", first: 20) { edges { node { author { displayName }
#           owner { name } adoptionCount rating { average } } } } }
#   - PostgreSQL (default): 100,000 resources (scripts/bench-resources-data.sql), plus
#     EXPLAIN (ANALYZE, BUFFERS) of the search statement as `search::page` builds it;
#   - SQLite (--sqlite): 10,000 resources in a fresh file (scripts/bench-resources-data-sqlite.sql),
#     plus EXPLAIN QUERY PLAN and the statement's time in the sqlite3 CLI;
#   asked by an active MEMBER of one of the organisation's 50 groups (so NETWORK and GROUP
#   resources count, and authors are shown), 1 and 4 connections, latency percentiles.
# Needs psql (PostgreSQL part: a server at PG, default postgres://postgres@127.0.0.1:5432),
# sqlite3 (SQLite part), wrk, python3. Usage: scripts/bench-resources.sh [--sqlite] [seconds]
# The binary is ${CARGO_TARGET_DIR:-target}/release/canopy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=postgres
if [[ ${1:-} == --sqlite ]]; then mode=sqlite; shift; fi
pg=${PG:-postgres://postgres@127.0.0.1:5432}
db=canopy_resources_bench
sqlite_file=/tmp/canopy-resources-bench.db
port=18097
duration=${1:-15}
bin=${CARGO_TARGET_DIR:-target}/release/canopy
org=00000000-0000-7000-8000-000000000006
viewer=00000000-0000-7000-8000-000000000007
dir=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT

cargo build --release --locked --bin canopy >/dev/null
export CANOPY_BIND="127.0.0.1:$port" RUST_LOG=warn
export CANOPY_JWT_SECRET=bench-secret-that-is-long-enough-to-sign
export CANOPY_DATABASE_MAX_CONNECTIONS=${CANOPY_DATABASE_MAX_CONNECTIONS:-16} CANOPY_AUTO_MIGRATE=true
serve() {
  "$bin" serve >>"$dir/server.log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log"; exit 1; }
    sleep 0.1
  done
}

if [[ $mode == postgres ]]; then
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  export CANOPY_DATABASE_URL="$pg/$db"
  serve # migrates
  start=$(date +%s)
  psql -q "$pg/$db" -f scripts/bench-resources-data.sql
  # What autovacuum would do after a bulk load: fresh statistics and visibility map.
  psql -q "$pg/$db" -c "VACUUM ANALYZE"
  count() { psql -Atq "$pg/$db" -c "$1"; }
else
  rm -f "$sqlite_file" "$sqlite_file-wal" "$sqlite_file-shm"
  export CANOPY_DATABASE_URL="sqlite://$sqlite_file?mode=rwc"
  serve # migrates
  kill "$pid"; wait "$pid" 2>/dev/null || true
  start=$(date +%s)
  sqlite3 "$sqlite_file" <scripts/bench-resources-data-sqlite.sql
  sqlite3 "$sqlite_file" "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  count() { sqlite3 "$sqlite_file" "$1"; }
  serve # a fresh server reads the new statistics
fi
echo "generated in $(( $(date +%s) - start )) s ($mode):" \
  "$(count 'SELECT count(*) FROM resources') resources," \
  "$(count "SELECT count(*) FROM resources WHERE status = 'PUBLISHED'") published," \
  "$(count 'SELECT count(*) FROM resource_versions') versions," \
  "$(count 'SELECT count(*) FROM resource_tags') tags," \
  "$(count "SELECT count(*) FROM resources WHERE title LIKE '%reathing%' OR body LIKE '%reathing%'") mention breathing," \
  "bodies of $(count "SELECT min(length(body)) || '–' || max(length(body)) || ' chars (average ' || cast(avg(length(body)) AS int) || ')' FROM resources")"

query='query { resources(search: \"breathing\", first: 20) { edges { node { author { displayName } owner { name } adoptionCount rating { average } } } } }'
echo "$viewer {\"query\": \"$query\"}" >"$dir/raw.txt"
if [[ $mode == postgres ]]; then
  python3 scripts/bench_tokens.py --bodies "$dir/raw.txt" "$dir/search.txt"
  psql -q "$pg/$db" -f "$dir/search.txt.sessions.sql"
else
  python3 scripts/bench_tokens.py --sqlite --bodies "$dir/raw.txt" "$dir/search.txt"
  sqlite3 "$sqlite_file" <"$dir/search.txt.sessions.sql"
fi
token=$(cut -f1 "$dir/search.txt")
body=$(cut -f2 "$dir/search.txt")
ask() { curl -s -w '\n%{time_total}' "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$body"; }
answer=$(ask)
edges=$(grep -o '"node"' <<<"$answer" | wc -l)
if grep -q '"errors"' <<<"$answer" || [[ $edges -ne 20 ]]; then echo "query failed ($edges edges): $answer"; exit 1; fi
echo "first answer: $edges edges, $(grep -o '"displayName"' <<<"$answer" | wc -l) authors shown," \
  "$(grep -o '"author":null' <<<"$answer" | wc -l) hidden; first read $(tail -1 <<<"$answer") s"

# The statement `search::page` sends for this viewer (an active MEMBER of group lib-1, no grants).
if [[ $mode == postgres ]]; then
  group=$(psql -Atq "$pg/$db" -c "SELECT id FROM groups WHERE slug = 'lib-1'")
  columns='"resources"."id", "resources"."organisation_id", "resources"."group_id", "resources"."slug", "resources"."kind", "resources"."visibility", "resources"."status", "resources"."author_id", "resources"."derived_from_id", "resources"."derived_from_version", "resources"."version_number", "resources"."title", "resources"."summary", "resources"."body", "resources"."url", "resources"."language", "resources"."tags", "resources"."audience", "resources"."duration_minutes", "resources"."licence", "resources"."attribution", "resources"."agenda_items", "resources"."adoption_count", "resources"."rating_count", "resources"."rating_sum", "resources"."rating_score", "resources"."created_at", "resources"."updated_at", "resources"."published_at"'
  search="SELECT * FROM (SELECT $columns, ts_rank(\"resources\".\"search_head\", (SELECT to_tsquery('english', \$1)))::float8 AS \"relevance\"
    FROM \"resources\"
    WHERE ((\"resources\".\"status\" = 'PUBLISHED'
            AND (\"resources\".\"visibility\" = 'PUBLIC'
                 OR (\"resources\".\"visibility\" = 'NETWORK' AND \"resources\".\"organisation_id\" = ANY(\$2))
                 OR (\"resources\".\"visibility\" = 'GROUP' AND \"resources\".\"group_id\" = ANY(\$3))))
           OR \"resources\".\"author_id\" = \$4)
      AND \"resources\".\"status\" IN ('PUBLISHED')
      AND \"resources\".\"search_document\" @@ (SELECT to_tsquery('english', \$1))) AS \"ranked\"
  ORDER BY \"ranked\".\"relevance\" DESC, \"ranked\".\"id\" DESC LIMIT 21"
  args="'(breathing)', '{$org}'::uuid[], '{$group}'::uuid[], '$viewer'::uuid"
  echo "matching: $(psql -Atq "$pg/$db" -c "PREPARE s(text, uuid[], uuid[], uuid) AS SELECT count(*) FROM ($search) x;" \
    -c "EXECUTE s($args)") of 21 asked; all matches, visible and published:" \
    "$(psql -Atq "$pg/$db" -c "SELECT count(*) FROM resources WHERE status = 'PUBLISHED' AND search_document @@ to_tsquery('english', '(breathing)')")"
  echo "== EXPLAIN (ANALYZE, BUFFERS), custom plan (the first five executions of a prepared statement)"
  psql -q "$pg/$db" <<SQL
PREPARE s(text, uuid[], uuid[], uuid) AS $search;
\\o /dev/null
EXECUTE s($args);
\\o
EXPLAIN (ANALYZE, BUFFERS) EXECUTE s($args);
SQL
  echo "== EXPLAIN (ANALYZE, BUFFERS), generic plan (what the server's cached statement may switch to)"
  psql -q "$pg/$db" -c "SET plan_cache_mode = force_generic_plan" -c "PREPARE s(text, uuid[], uuid[], uuid) AS $search" \
    -c "EXPLAIN (ANALYZE, BUFFERS) EXECUTE s($args)"
else
  group=$(sqlite3 "$sqlite_file" "SELECT hex(id) FROM groups WHERE slug = 'lib-1'")
  search="SELECT * FROM (SELECT resources.*, -bm25(resource_search, 10.0, 4.0, 4.0, 1.0) AS relevance
    FROM resources
    INNER JOIN resource_search_keys ON resource_search_keys.resource_id = resources.id
    INNER JOIN resource_search ON resource_search.rowid = resource_search_keys.id
    WHERE ((resources.status = 'PUBLISHED'
            AND (resources.visibility = 'PUBLIC'
                 OR (resources.visibility = 'NETWORK' AND resources.organisation_id IN (X'${org//-/}'))
                 OR (resources.visibility = 'GROUP' AND resources.group_id IN (X'$group'))))
           OR resources.author_id = X'${viewer//-/}')
      AND resources.status IN ('PUBLISHED')
      AND resource_search MATCH '(\"breathing\")') AS ranked
  ORDER BY ranked.relevance DESC, ranked.id DESC LIMIT 21"
  echo "== EXPLAIN QUERY PLAN of the search statement"
  sqlite3 "$sqlite_file" "EXPLAIN QUERY PLAN $search"
  echo "== the statement in the sqlite3 CLI (second run), and how many match"
  sqlite3 "$sqlite_file" "$search" >/dev/null
  printf '.timer on\n%s;\n' "$search" | sqlite3 "$sqlite_file" | grep '^Run Time'
  sqlite3 "$sqlite_file" "SELECT count(*) FROM ($search)" | sed 's/$/ of 21 asked/'
  sqlite3 "$sqlite_file" "SELECT count(*) FROM resource_search WHERE resource_search MATCH '\"breathing\"'" | sed 's/$/ match in FTS5/'
fi

cat >"$dir/one.lua" <<'LUA'
local line = io.lines(os.getenv("BODIES"))()
local token, body = line:match("^(%S+)\t(.*)$")
request = function()
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
LUA
BODIES="$dir/search.txt" wrk -t1 -c1 -d3s -s "$dir/one.lua" "http://127.0.0.1:$port/graphql" >/dev/null # warm-up
echo "== resources(search: \"breathing\", first: 20), $mode, 1 connection"
BODIES="$dir/search.txt" wrk -t1 -c1 -d"${duration}s" --latency -s "$dir/one.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "== resources(search: \"breathing\", first: 20), $mode, 4 connections"
BODIES="$dir/search.txt" wrk -t2 -c4 -d"${duration}s" --latency -s "$dir/one.lua" "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
