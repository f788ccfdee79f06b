-- Generated member-care data for scripts/bench-care.sh (PostgreSQL only).
-- 1 umbrella, 50 clusters, 5,000 groups of 20 active members (100,000 members), and
-- 2,000,000 check-ins: 20 per member on distinct days of the last 26 weeks. Every member is
-- established (docs/privacy.md): accounts and memberships 400 days old, and two HELD meetings
-- of each group 300 and 293 days ago with everyone PRESENT, so the weeks release (with noise)
-- as in a real network. Nobody here can sign in: the benchmark mints access tokens with the
-- server's secret.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO organisations (id, slug, name, sort_name, kind, version, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000002', 'care-bench', 'Care Bench', 'care bench', 'UMBRELLA', 1, now(), now());

INSERT INTO clusters (id, organisation_id, parent_id, name, sort_name, path, depth, version, created_at, updated_at)
SELECT c.id, '00000000-0000-7000-8000-000000000002', NULL, 'Cluster ' || c.n, 'cluster ' || c.n,
       '/' || c.id || '/', 0, 1, now(), now()
FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 50) AS n) c;

CREATE TEMP TABLE bench_groups AS
SELECT gen_random_uuid() AS id, n,
       (SELECT id FROM clusters ORDER BY id OFFSET (n % 50) LIMIT 1) AS cluster_id
FROM generate_series(1, 5000) AS n;

INSERT INTO groups (id, organisation_id, cluster_id, slug, name, sort_name, search_text, purpose, format, modality,
                    cadence_frequency, cadence_weekday, cadence_local_start_time, cadence_duration_minutes, timezone,
                    capacity_min, capacity_max, venue_approximate, conference_url, status, admission, visibility,
                    membership_source, active_member_count, version, created_at, updated_at,
                    rotation_period_weeks, rotation_max_consecutive_blocks)
SELECT id, '00000000-0000-7000-8000-000000000002', cluster_id, 'care-' || n, 'Care group ' || n,
       'care group ' || n, 'care group ' || n, 'Peer support', 'TOPIC_CIRCLE', 'ONLINE',
       'WEEKLY', 'TUESDAY', '18:30', 60, 'UTC', 6, 24, false, 'https://meet.example.org/care',
       'ACTIVE', 'OPEN', 'NETWORK', 'COMMUNITY', 20, 1, now() - interval '400 days', now(), 2, 1
FROM bench_groups;

CREATE TEMP TABLE bench_people AS
SELECT gen_random_uuid() AS id, g.id AS group_id, g.n, k
FROM bench_groups g, generate_series(0, 19) AS k;

INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
SELECT id, 'care-' || n || '-' || k || '@example.org', 'Member ' || k, 'not-a-login', 'UTC', 'en', 1,
       now() - interval '400 days', now()
FROM bench_people;

-- Person 0 of each group facilitates it.
INSERT INTO memberships (id, person_id, group_id, role, status, joined_at, created_at, updated_at)
SELECT gen_random_uuid(), id, group_id, CASE WHEN k = 0 THEN 'FACILITATOR' ELSE 'MEMBER' END,
       'ACTIVE', now() - interval '400 days', now(), now()
FROM bench_people;

-- Two held meetings per group, everyone present.
INSERT INTO meetings (id, group_id, starts_at, ends_at, timezone, status, theme, agenda, from_cadence,
                      version, created_at, updated_at)
SELECT gen_random_uuid(), g.id, now() - (d || ' days')::interval,
       now() - (d || ' days')::interval + interval '60 minutes', 'UTC', 'HELD', 'EXPERIENCE_SHARING',
       '[]', false, 1, now() - interval '301 days', now() - interval '290 days'
FROM bench_groups g, (VALUES (300), (293)) AS ago(d);
INSERT INTO attendance (id, meeting_id, membership_id, status, recorded_by, recorded_at)
SELECT gen_random_uuid(), mt.id, m.id, 'PRESENT', NULL, mt.ends_at
FROM meetings mt JOIN memberships m ON m.group_id = mt.group_id;

-- Day d of member k: 20 distinct days in the last 182, spread differently for each member.
INSERT INTO check_ins (id, person_id, group_id, local_date, rating, note, created_at, updated_at)
SELECT gen_random_uuid(), p.id, p.group_id,
       current_date - (1 + d * 9 + (p.k * 7 + p.n) % 9),
       1 + (p.k + d + p.n) % 5, NULL, now(), now()
FROM bench_people p, generate_series(0, 19) AS d;
COMMIT;
ANALYZE;
