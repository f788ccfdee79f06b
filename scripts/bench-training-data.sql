-- Generated training data for scripts/bench-training.sh (PostgreSQL only).
-- 1 umbrella, 50 clusters, 5,000 groups of 4 (a facilitator, a co-facilitator, 2 members),
-- 20,000 certifications (one per person, in every status), 16 weeks of bi-weekly held
-- meetings whose facilitation alternates (a tenth of the groups have one facilitator doing
-- everything), and an ADMIN. Nobody here can sign in: the benchmark mints access tokens.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO organisations (id, slug, name, sort_name, kind, version, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000003', 'training-bench', 'Training Bench', 'training bench', 'UMBRELLA', 1, now(), now());

INSERT INTO clusters (id, organisation_id, parent_id, name, sort_name, path, depth, version, created_at, updated_at)
SELECT c.id, '00000000-0000-7000-8000-000000000003', NULL, 'Cluster ' || c.n, 'cluster ' || c.n,
       '/' || c.id || '/', 0, 1, now(), now()
FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 50) AS n) c;

CREATE TEMP TABLE bench_groups AS
SELECT gen_random_uuid() AS id, n,
       (SELECT id FROM clusters WHERE organisation_id = '00000000-0000-7000-8000-000000000003'
        ORDER BY id OFFSET (n % 50) LIMIT 1) AS cluster_id
FROM generate_series(1, 5000) AS n;

INSERT INTO groups (id, organisation_id, cluster_id, slug, name, sort_name, search_text, purpose, format, modality,
                    cadence_frequency, cadence_weekday, cadence_local_start_time, cadence_duration_minutes, timezone,
                    capacity_min, capacity_max, venue_approximate, conference_url, status, admission, visibility,
                    membership_source, active_member_count, version, created_at, updated_at,
                    rotation_period_weeks, rotation_max_consecutive_blocks)
SELECT id, '00000000-0000-7000-8000-000000000003', cluster_id, 'train-' || n, 'Training group ' || n,
       'training group ' || lpad(n::text, 5, '0'), 'training group ' || n, 'Peer support', 'TOPIC_CIRCLE', 'ONLINE',
       'BIWEEKLY', 'TUESDAY', '18:30', 60, 'Europe/London', 4, 12, false, NULL,
       'ACTIVE', 'OPEN', 'NETWORK', 'COMMUNITY', 4, 1, now(), now(), 2, 1
FROM bench_groups;

CREATE TEMP TABLE bench_people AS
SELECT gen_random_uuid() AS id, gen_random_uuid() AS membership_id, g.id AS group_id, g.n, k
FROM bench_groups g, generate_series(0, 3) AS k;

INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
SELECT id, 'train-' || n || '-' || k || '@example.org', 'Person ' || k, 'not-a-login', 'UTC', 'en', 1, now(), now()
FROM bench_people;

INSERT INTO memberships (id, person_id, group_id, role, status, joined_at, created_at, updated_at)
SELECT membership_id, id, group_id,
       CASE k WHEN 0 THEN 'FACILITATOR' WHEN 1 THEN 'CO_FACILITATOR' ELSE 'MEMBER' END,
       'ACTIVE', now() - interval '400 days', now(), now()
FROM bench_people;

INSERT INTO training_programs (id, organisation_id, slug, name, sort_name, description,
                               practicum_meetings_required, certification_validity_months,
                               is_trainer_program, created_by, created_at)
VALUES ('00000000-0000-7000-8000-000000000004', '00000000-0000-7000-8000-000000000003',
        'bench-facilitation', 'Bench Facilitation', 'bench facilitation', NULL, 3, 24, false, NULL, now());

-- One certification per person. Facilitators: mostly valid, every 7th expiring within 60 days,
-- every 11th expired, every 13th revoked; members: valid for a third of them.
INSERT INTO certifications (id, program_id, organisation_id, person_id, workshop_id, issued_by,
                            issued_at, valid_until, renewed_at, revoked_at, revoked_by, revoked_reason, badge_salt)
SELECT gen_random_uuid(), '00000000-0000-7000-8000-000000000004', '00000000-0000-7000-8000-000000000003',
       p.id, NULL, NULL, now() - interval '300 days',
       CASE WHEN p.k < 2 AND p.n % 7 = 0 THEN now() + interval '30 days'
            WHEN p.k < 2 AND p.n % 11 = 0 THEN now() - interval '10 days'
            WHEN p.k >= 2 AND p.n % 3 <> 0 THEN now() - interval '20 days'
            ELSE now() + interval '400 days' END,
       NULL,
       CASE WHEN p.k = 1 AND p.n % 13 = 0 THEN now() - interval '5 days' END,
       NULL, NULL, md5(p.id::text)
FROM bench_people p;

-- Eight bi-weekly held meetings in the last 16 weeks; the lead alternates with the
-- co-facilitator by two-week block, except in every tenth group, where the lead does them all.
INSERT INTO meetings (id, group_id, starts_at, ends_at, timezone, status, facilitator_id, co_facilitator_id,
                      facilitator_assigned_by, agenda, from_cadence, version, created_at, updated_at)
SELECT gen_random_uuid(), g.id, now() - (w * 14 + 1) * interval '1 day',
       now() - (w * 14 + 1) * interval '1 day' + interval '1 hour', 'Europe/London', 'HELD',
       CASE WHEN g.n % 10 = 0 OR w % 2 = 0 THEN f.membership_id ELSE c.membership_id END,
       CASE WHEN g.n % 10 = 0 OR w % 2 = 0 THEN c.membership_id ELSE f.membership_id END,
       'ROTATION', '[]', false, 1, now(), now()
FROM bench_groups g
JOIN bench_people f ON f.group_id = g.id AND f.k = 0
JOIN bench_people c ON c.group_id = g.id AND c.k = 1,
generate_series(0, 7) AS w;

-- The admin who reads the list.
INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000005', 'training-admin@example.org', 'Admin', 'not-a-login', 'UTC', 'en', 1, now(), now());
INSERT INTO role_grants (id, person_id, role, organisation_id, cluster_id, scope_id, granted_by, created_at)
VALUES (gen_random_uuid(), '00000000-0000-7000-8000-000000000005', 'ADMIN',
        '00000000-0000-7000-8000-000000000003', NULL, '00000000-0000-7000-8000-000000000003', NULL, now());
COMMIT;
ANALYZE;
