-- Generated network for scripts/bench-peer.sh (PostgreSQL only), the same on every run:
-- 1 umbrella, 50 clusters, 5,000 groups (100 per cluster), 100,000 members (20 per group,
-- member 0 facilitates), 200,000 weekly meetings (40 per group: 25 HELD, 15 SCHEDULED) and
-- 1,000,000 attendance rows (8 of the 20 members at each held meeting, one in five ABSENT).
-- Ids are md5 hashes of each row's place in the series, so a rerun yields the same rows.
-- Loaded through Canopy's own tables and triggers, after its migrations ran.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO organisations (id, slug, name, sort_name, kind, version, created_at, updated_at)
VALUES (md5('peer:org')::uuid, 'peer-bench', 'Peer Bench', 'peer bench', 'UMBRELLA', 1,
        now() - interval '400 days', now());

INSERT INTO clusters (id, organisation_id, parent_id, name, sort_name, path, depth, version, created_at, updated_at)
SELECT md5('peer:cluster:' || c)::uuid, md5('peer:org')::uuid, NULL, 'Cluster ' || lpad(c::text, 2, '0'),
       'cluster ' || lpad(c::text, 2, '0'), '/' || md5('peer:cluster:' || c)::uuid || '/', 0, 1,
       now() - interval '400 days', now()
FROM generate_series(1, 50) AS c;

CREATE TEMP TABLE bench_groups AS
SELECT md5('peer:group:' || n)::uuid AS id, n, md5('peer:cluster:' || (1 + n % 50))::uuid AS cluster_id
FROM generate_series(1, 5000) AS n;

INSERT INTO groups (id, organisation_id, cluster_id, slug, name, sort_name, search_text, purpose, format, modality,
                    cadence_frequency, cadence_weekday, cadence_local_start_time, cadence_duration_minutes, timezone,
                    capacity_min, capacity_max, venue_approximate, conference_url, status, admission, visibility,
                    membership_source, active_member_count, version, created_at, updated_at,
                    rotation_period_weeks, rotation_max_consecutive_blocks)
SELECT id, md5('peer:org')::uuid, cluster_id, 'peer-' || n, 'Peer group ' || lpad(n::text, 4, '0'),
       'peer group ' || lpad(n::text, 4, '0'), 'peer group ' || n, 'Peer support', 'TOPIC_CIRCLE', 'ONLINE',
       'WEEKLY', 'TUESDAY', '18:30', 60, 'UTC', 6, 24, false, 'https://meet.example.org/peer',
       'ACTIVE', 'OPEN', 'NETWORK', 'COMMUNITY', 20, 1, now() - interval '400 days', now(), 2, 1
FROM bench_groups;

CREATE TEMP TABLE bench_people AS
SELECT md5('peer:person:' || g.n || ':' || k)::uuid AS id,
       md5('peer:membership:' || g.n || ':' || k)::uuid AS membership_id, g.id AS group_id, g.n, k
FROM bench_groups g, generate_series(0, 19) AS k;

INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
SELECT id, 'peer-' || n || '-' || k || '@example.org', 'Member ' || k, 'not-a-login', 'UTC', 'en', 1,
       now() - interval '400 days', now()
FROM bench_people;

INSERT INTO memberships (id, person_id, group_id, role, status, joined_at, created_at, updated_at)
SELECT membership_id, id, group_id, CASE WHEN k = 0 THEN 'FACILITATOR' ELSE 'MEMBER' END,
       'ACTIVE', now() - interval '400 days', now() - interval '400 days', now()
FROM bench_people;

-- Week w of each group: w < 25 are past and HELD, the rest SCHEDULED.
CREATE TEMP TABLE bench_meetings AS
SELECT md5('peer:meeting:' || g.n || ':' || w)::uuid AS id, g.id AS group_id, g.n, w,
       date_trunc('day', now()) - interval '25 weeks' + (w || ' weeks')::interval + interval '18 hours' AS starts
FROM bench_groups g, generate_series(0, 39) AS w;

INSERT INTO meetings (id, group_id, starts_at, ends_at, timezone, status, theme, facilitator_id,
                      facilitator_assigned_by, agenda, from_cadence, version, created_at, updated_at)
SELECT m.id, m.group_id, m.starts, m.starts + interval '60 minutes', 'UTC',
       CASE WHEN m.w < 25 THEN 'HELD' ELSE 'SCHEDULED' END, 'EXPERIENCE_SHARING',
       md5('peer:membership:' || m.n || ':0')::uuid, 'ROTATION', '[]', true, 1,
       now() - interval '400 days', now()
FROM bench_meetings m;

-- Members k with (k + w) mod 20 < 8 came to the held meeting of week w.
INSERT INTO attendance (id, meeting_id, membership_id, status, recorded_by, recorded_at)
SELECT md5('peer:attendance:' || m.n || ':' || m.w || ':' || p.k)::uuid, m.id, p.membership_id,
       CASE WHEN (p.k + m.w) % 5 = 0 THEN 'ABSENT' ELSE 'PRESENT' END, NULL, m.starts + interval '2 hours'
FROM bench_meetings m JOIN bench_people p ON p.group_id = m.group_id AND (p.k + m.w) % 20 < 8
WHERE m.w < 25;

-- The umbrella's administrator reads the dashboard.
INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
VALUES (md5('peer:admin')::uuid, 'peer-admin@example.org', 'Peer Admin', 'not-a-login', 'UTC', 'en', 1,
        now() - interval '400 days', now());
INSERT INTO role_grants (id, person_id, role, organisation_id, cluster_id, scope_id, granted_by, created_at)
VALUES (md5('peer:admin-grant')::uuid, md5('peer:admin')::uuid, 'ADMIN', md5('peer:org')::uuid, NULL,
        md5('peer:org')::uuid, NULL, now() - interval '400 days');
COMMIT;
VACUUM ANALYZE;
