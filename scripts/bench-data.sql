-- Generated network for scripts/bench-group-life.sh (PostgreSQL only).
-- 1 umbrella, 50 clusters, 5,000 groups; each group has its own facilitator and 11 members;
-- 40 weekly meetings per group (200,000 in all), the past ones HELD. Nobody here can sign in:
-- the benchmark mints access tokens for the facilitators with the server's secret.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO organisations (id, slug, name, sort_name, kind, version, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'bench', 'Bench Network', 'bench network', 'UMBRELLA', 1, now(), now());

INSERT INTO clusters (id, organisation_id, parent_id, name, sort_name, path, depth, version, created_at, updated_at)
SELECT c.id, '00000000-0000-7000-8000-000000000001', NULL, 'Cluster ' || c.n, 'cluster ' || c.n,
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
SELECT id, '00000000-0000-7000-8000-000000000001', cluster_id, 'bench-' || n, 'Bench group ' || n,
       'bench group ' || n, 'bench group ' || n, 'Peer support', 'TOPIC_CIRCLE', 'ONLINE',
       'WEEKLY', 'TUESDAY', '18:30', 60, 'Europe/Berlin', 6, 12, false, 'https://meet.example.org/bench',
       'ACTIVE', 'OPEN', 'NETWORK', 'COMMUNITY', 12, 1, now(), now(), 2, 1
FROM bench_groups;

INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
SELECT gen_random_uuid(), 'bench-' || g.n || '-' || k || '@example.org', 'Member ' || k,
       'not-a-login', 'UTC', 'en', 1, now(), now()
FROM bench_groups g, generate_series(0, 11) AS k;

-- Person 0 of each group facilitates it.
INSERT INTO memberships (id, person_id, group_id, role, status, joined_at, created_at, updated_at)
SELECT gen_random_uuid(), p.id, g.id,
       CASE WHEN p.email = 'bench-' || g.n || '-0@example.org' THEN 'FACILITATOR' ELSE 'MEMBER' END,
       'ACTIVE', now() - interval '400 days', now(), now()
FROM bench_groups g
JOIN people p ON p.email LIKE 'bench-' || g.n || '-%@example.org';

INSERT INTO meetings (id, group_id, starts_at, ends_at, timezone, status, theme, facilitator_id,
                      facilitator_assigned_by, agenda, from_cadence, version, created_at, updated_at)
SELECT gen_random_uuid(), g.id, s.starts, s.starts + interval '60 minutes', 'Europe/Berlin',
       CASE WHEN s.starts < now() THEN 'HELD' ELSE 'SCHEDULED' END, 'EXPERIENCE_SHARING', f.id, 'ROTATION',
       '[{"position":1,"kind":"ICEBREAKER","title":"Two-word mood","minutes":5}]', true, 1, now(), now()
FROM bench_groups g
JOIN memberships f ON f.group_id = g.id AND f.role = 'FACILITATOR',
LATERAL (SELECT date_trunc('hour', now()) - interval '30 weeks' + (w || ' weeks')::interval AS starts
         FROM generate_series(0, 39) AS w) s;
COMMIT;
ANALYZE;
