#!/usr/bin/env bash
# What the group_succession upkeep costs a bulk load (PostgreSQL; not part of CI; figures go
# in docs/data-layer.md and issue notes).
#
#   scripts/bench-succession.sh
#   CANOPY_BIN=/path/to/canopy scripts/bench-succession.sh   (that binary's migrations)
#
# Loads scripts/bench-peer-data.sql (5,000 groups, 100,000 memberships, 200,000 meetings,
# 1,000,000 attendance rows) into three fresh databases migrated by Canopy:
#   plain      the succession triggers disabled (what the same rows cost without upkeep);
#   row        the row-level triggers of migration 000045 (the migrations stepped back to
#              before 000070, which replaced them);
#   statement  the statement-level triggers of 000070 (what Canopy runs).
# Then 2,000 memberships inserted one statement each (what joinGroup does). Reports the time
# of each bulk statement, µs per membership and meeting row, the whole seed against plain, and
# how many times group_succession rows were rewritten (n_tup_upd) and its heap size.
# Needs psql and a PostgreSQL server (PG, default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg=${PG:-postgres://postgres@127.0.0.1:5432}
bin=${CANOPY_BIN:-./target/release/canopy}
[ -n "${CANOPY_BIN:-}" ] || cargo build --release --locked --bin canopy >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CANOPY_JWT_SECRET=bench-secret-that-is-long-enough-to-sign RUST_LOG=warn

# The tables whose rows the succession risk is computed from (and `groups`, which also adds
# each group's row).
sources="groups memberships meetings facilitator_load_reports certifications"

prepare() { # mode database
  local mode=$1 db=$2
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  CANOPY_DATABASE_URL="$pg/$db" "$bin" migrate up >/dev/null
  case $mode in
    plain)
      for t in $sources; do psql -q "$pg/$db" -c "ALTER TABLE \"$t\" DISABLE TRIGGER USER"; done ;;
    row)
      # Step back over every migration from 000070 on (all empty in a fresh database).
      local applied steps
      applied=$(CANOPY_DATABASE_URL="$pg/$db" "$bin" migrate status | awk '/^applied/ { print $2 }')
      steps=$(awk '/_000070_/ { found = 1 } found { n++ } END { print n }' <<<"$applied")
      CANOPY_DATABASE_URL="$pg/$db" "$bin" migrate down --steps "$steps" >/dev/null ;;
  esac
}

# ms of each INSERT of the seed, by table (psql echoes each statement before its timing).
seed() { # database
  psql -a "$pg/$1" -v ON_ERROR_STOP=1 -c '\timing on' -f scripts/bench-peer-data.sql 2>&1 |
    awk '/^INSERT INTO/ { table = $3 }
         /^Time:/ && table != "" { ms[table] += $2; total += $2; table = "" }
         /^Time:/ { all += $2 }
         END { for (t in ms) printf "%s %.1f\n", t, ms[t]; printf "TOTAL %.1f\n", all }'
}

# ms for 2,000 memberships inserted one statement each, in one transaction.
single_rows() { # database
  psql -Atq "$pg/$1" -v ON_ERROR_STOP=1 <<'SQL' | awk '/^Time:/ { print $2 }'
INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
SELECT md5('single:' || i)::uuid, 'single-' || i || '@example.org', 'Single', 'x', 'UTC', 'en', 1, now(), now()
FROM generate_series(1, 2000) AS i;
\timing on
DO $$
BEGIN
  FOR i IN 1..2000 LOOP
    INSERT INTO memberships (id, person_id, group_id, role, status, joined_at, created_at, updated_at)
    VALUES (md5('single-membership:' || i)::uuid, md5('single:' || i)::uuid,
            md5('peer:group:' || (1 + i % 5000))::uuid, 'MEMBER', 'ACTIVE', now(), now(), now());
  END LOOP;
END $$;
SQL
}

declare -A result
for mode in plain row statement; do
  db=canopy_succession_$mode
  prepare "$mode" "$db"
  seed "$db" >"$dir/$mode"
  for t in memberships meetings groups attendance TOTAL; do
    result[$mode,$t]=$(awk -v t="$t" '$1 == t { print $2 }' "$dir/$mode")
  done
  result[$mode,single]=$(single_rows "$db")
  result[$mode,updates]=$(psql -Atq "$pg/$db" -c \
    "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'group_succession'")
  result[$mode,heap]=$(psql -Atq "$pg/$db" -c \
    "SELECT pg_size_pretty(pg_relation_size('group_succession'))")
  psql -q "$pg/postgres" -c "DROP DATABASE $db WITH (FORCE)"
done

per_row() { awk -v ms="$1" -v rows="$2" 'BEGIN { printf "%.2f", ms * 1000 / rows }'; }
over() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %14s %14s %14s\n' "" plain row-level statement-level
for t in groups memberships meetings attendance; do
  printf '%-34s %14s %14s %14s\n' "$t (ms, bulk)" \
    "${result[plain,$t]}" "${result[row,$t]}" "${result[statement,$t]}"
done
for pair in memberships:100000 meetings:200000; do
  t=${pair%:*} n=${pair#*:}
  printf '%-34s %14s %14s %14s\n' "$t: µs per row, bulk" \
    "$(per_row "${result[plain,$t]}" "$n")" "$(per_row "${result[row,$t]}" "$n")" \
    "$(per_row "${result[statement,$t]}" "$n")"
done
for pair in memberships:100000 meetings:200000; do
  t=${pair%:*} n=${pair#*:}
  plain=${result[plain,$t]}
  printf '%-34s %14s %14s %14s\n' "$t: upkeep µs per row, bulk" "0" \
    "$(per_row "$(awk -v a="${result[row,$t]}" -v b="$plain" 'BEGIN { print a - b }')" "$n")" \
    "$(per_row "$(awk -v a="${result[statement,$t]}" -v b="$plain" 'BEGIN { print a - b }')" "$n")"
done
printf '%-34s %14s %14s %14s\n' "membership, one per statement: µs" \
  "$(per_row "${result[plain,single]}" 2000)" "$(per_row "${result[row,single]}" 2000)" \
  "$(per_row "${result[statement,single]}" 2000)"
printf '%-34s %14s %14s %14s\n' "whole seed (ms)" \
  "${result[plain,TOTAL]}" "${result[row,TOTAL]}" "${result[statement,TOTAL]}"
printf '%-34s %14s %14s %14s\n' "whole seed against plain" "1.00×" \
  "$(over "${result[row,TOTAL]}" "${result[plain,TOTAL]}")" \
  "$(over "${result[statement,TOTAL]}" "${result[plain,TOTAL]}")"
printf '%-34s %14s %14s %14s\n' "group_succession rows rewritten" \
  "${result[plain,updates]}" "${result[row,updates]}" "${result[statement,updates]}"
printf '%-34s %14s %14s %14s\n' "group_succession heap" \
  "${result[plain,heap]}" "${result[row,heap]}" "${result[statement,heap]}"
