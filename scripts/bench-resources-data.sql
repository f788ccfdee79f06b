-- Generated resource library for scripts/bench-resources.sh (PostgreSQL; the SQLite twin is
-- scripts/bench-resources-data-sqlite.sql). 1 umbrella, 5 clusters, 50 groups of 10 people
-- (a facilitator, a co-facilitator, 8 members), and 100,000 resources (version 1 of each, and
-- their tags): 70% PUBLISHED, 10% DRAFT, 10% IN_REVIEW, 10% ARCHIVED; 60% PUBLIC, 30% NETWORK,
-- 10% GROUP. Bodies are 1–3 KB of Markdown (a lead paragraph, then 2–4 sections) made of ~220
-- peer-support words, frequent ones far more often; "breathing" is in ~3% of titles and ~5% of
-- bodies (and no other word stems to "breath"), so `search: "breathing"` matches ~7,800
-- resources. The viewer of the benchmark is 00000000-0000-7000-8000-000000000007, a MEMBER of
-- group 1. Nobody here can sign in.
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.2026) \g /dev/null

INSERT INTO organisations (id, slug, name, sort_name, kind, version, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000006', 'resources-bench', 'Resources Bench', 'resources bench', 'UMBRELLA', 1, now(), now());

INSERT INTO clusters (id, organisation_id, parent_id, name, sort_name, path, depth, version, created_at, updated_at)
SELECT c.id, '00000000-0000-7000-8000-000000000006', NULL, 'Cluster ' || c.n, 'cluster ' || c.n,
       '/' || c.id || '/', 0, 1, now(), now()
FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 5) AS n) c;

CREATE TEMP TABLE bench_groups AS
SELECT gen_random_uuid() AS id, n,
       (SELECT id FROM clusters WHERE organisation_id = '00000000-0000-7000-8000-000000000006'
        ORDER BY id OFFSET (n % 5) LIMIT 1) AS cluster_id
FROM generate_series(1, 50) AS n;

INSERT INTO groups (id, organisation_id, cluster_id, slug, name, sort_name, search_text, purpose, format, modality,
                    cadence_frequency, cadence_weekday, cadence_local_start_time, cadence_duration_minutes, timezone,
                    capacity_min, capacity_max, venue_approximate, conference_url, status, admission, visibility,
                    membership_source, active_member_count, version, created_at, updated_at,
                    rotation_period_weeks, rotation_max_consecutive_blocks)
SELECT id, '00000000-0000-7000-8000-000000000006', cluster_id, 'lib-' || n, 'Library group ' || n,
       'library group ' || lpad(n::text, 3, '0'), 'library group ' || n, 'Peer support', 'TOPIC_CIRCLE', 'ONLINE',
       'WEEKLY', 'TUESDAY', '18:30', 60, 'Europe/London', 4, 12, false, NULL,
       'ACTIVE', 'OPEN', 'NETWORK', 'COMMUNITY', 10, 1, now(), now(), 2, 1
FROM bench_groups;

CREATE TEMP TABLE bench_people AS
SELECT CASE WHEN g.n = 1 AND k = 2 THEN '00000000-0000-7000-8000-000000000007'::uuid ELSE gen_random_uuid() END AS id,
       g.id AS group_id, g.n, k
FROM bench_groups g, generate_series(0, 9) AS k;

INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
SELECT id, 'lib-' || n || '-' || k || '@example.org', 'Person ' || n || '.' || k, 'not-a-login', 'UTC', 'en', 1, now(), now()
FROM bench_people;

INSERT INTO memberships (id, person_id, group_id, role, status, joined_at, created_at, updated_at)
SELECT gen_random_uuid(), id, group_id,
       CASE k WHEN 0 THEN 'FACILITATOR' WHEN 1 THEN 'CO_FACILITATOR' ELSE 'MEMBER' END,
       'ACTIVE', now() - interval '400 days', now(), now()
FROM bench_people;

-- The vocabulary, most frequent first (word i is picked with probability ~ 1/sqrt(i)).
CREATE TEMP TABLE bench_words AS
SELECT i::int, w FROM unnest(ARRAY[
  'coping','stress','carers','support','group','feelings','calm','sleep','burnout','grounding',
  'boundaries','anxiety','peer','listening','emotions','wellbeing','rest','routine','worry','connection',
  'safety','kindness','compassion','resilience','mindfulness','journaling','gratitude','grief','loss','loneliness',
  'isolation','trust','shame','guilt','anger','conflict','repair','apology','conversation','reflection',
  'sharing','circle','facilitator','facilitation','agenda','meeting','session','welcome','opening','closing',
  'round','pause','silence','body','muscles','tension','relaxation','posture','movement','walking',
  'stretching','exercise','nature','garden','music','drawing','writing','notebook','prompts','questions',
  'values','goals','habits','triggers','warning','signs','crisis','plan','helpline','referral',
  'professional','therapist','doctor','medication','recovery','relapse','setbacks','progress','hope','confidence',
  'esteem','identity','parents','children','teenagers','family','partners','friends','colleagues','workplace',
  'caring','dementia','disability','illness','pain','fatigue','energy','pacing','overwhelm','rumination',
  'thoughts','beliefs','reframing','acceptance','commitment','problem','solving','decisions','choices','assertiveness',
  'saying','limits','respite','holiday','evening','morning','bedtime','insomnia','dreams','nightmares',
  'screens','phone','social','media','news','money','debt','housing','benefits','forms',
  'appointments','letters','advocacy','rights','confidentiality','consent','ground','rules','agreements','roles',
  'rotation','volunteers','training','debrief','supervision','handover','notes','feedback','evaluation','worksheet',
  'checklist','script','toolkit','flowchart','template','handout','visualisation','senses','counting','noticing',
  'sounds','smells','touch','feet','hands','shoulders','jaw','tea','water','food',
  'meals','cooking','laughter','play','creativity','hobbies','volunteering','community','belonging','inclusion',
  'language','culture','faith','rituals','anniversaries','bereavement','trauma','flashbacks','dissociation','validation',
  'empathy','patience','humour','courage','gentle','slow','steady','practical','everyday','small',
  'steps','daily','weekly','together','alone','quiet','space','time','change','transition'
]) WITH ORDINALITY AS t(w, i);
CREATE TEMP TABLE bench_glue AS
SELECT i::int, w FROM unnest(ARRAY['and','with','for','the','your','when','after','before','during','a',
                                   'to','of','in','on','can','helps','try','each','one','more'])
WITH ORDINALITY AS t(w, i);

-- 20,000 sentences of 7–16 words, about a third of them glue words.
CREATE TEMP TABLE bench_sentence_picks AS
SELECT s, k, random() < 0.3 AS glue, random() AS r FROM generate_series(1, 20000) s, generate_series(1, 7 + s % 10) k;
CREATE TEMP TABLE bench_sentences AS
SELECT s, upper(left(t, 1)) || substr(t, 2) || '.' AS text
FROM (SELECT p.s, string_agg(coalesce(g.w, v.w), ' ' ORDER BY p.k) AS t
      FROM bench_sentence_picks p
      LEFT JOIN bench_glue g ON p.glue AND g.i = 1 + floor(p.r * 20)::int
      LEFT JOIN bench_words v ON NOT p.glue AND v.i = 1 + floor(220 * p.r * p.r)::int
      GROUP BY p.s) x;
CREATE TEMP TABLE bench_breathing AS
SELECT i::int, text FROM unnest(ARRAY[
  'Slow breathing before the opening round helps everyone arrive.',
  'Try box breathing: in for four, hold for four, out for four, hold for four.',
  'Breathing out for longer than you breathe in can settle panic.',
  'Notice your breathing without trying to change it.',
  'Carers told us that a minute of breathing between appointments helped.',
  'Use paced breathing when the conversation gets heated.',
  'Belly breathing works best with one hand on the chest and one on the stomach.',
  'Count each breathing cycle up to ten, then start again.',
  'Offer breathing as an invitation, never an instruction.',
  'Some people find breathing exercises stressful; grounding through the feet is an alternative.',
  'Breathing with a slow count of five suits the closing round.',
  'Pair the breathing practice with a short body scan.'
]) WITH ORDINALITY AS t(text, i);

-- 5,000 sections (a heading, a paragraph and three bullets: ~650 characters), and 200 more
-- with a breathing sentence in their paragraph (sections 5001–5200).
CREATE TEMP TABLE bench_section_picks AS
SELECT sec, k, 1 + floor(random() * 20000)::int AS s FROM generate_series(1, 5200) sec, generate_series(1, 7) k;
CREATE TEMP TABLE bench_sections AS
SELECT x.sec,
       '## ' || CASE WHEN x.sec > 5000 THEN 'Breathing and ' ELSE '' END
             || CASE WHEN x.sec > 5000 THEN h1.w ELSE upper(left(h1.w, 1)) || substr(h1.w, 2) END || ' ' || h2.w || E'\n\n'
             || x.a[1] || ' ' || CASE WHEN x.sec > 5000 THEN b.text ELSE x.a[2] END || ' ' || x.a[3] || ' ' || x.a[4]
             || E'\n\n- ' || x.a[5] || E'\n- ' || x.a[6] || E'\n- ' || x.a[7] AS text
FROM (SELECT p.sec, array_agg(t.text ORDER BY p.k) AS a
      FROM bench_section_picks p JOIN bench_sentences t ON t.s = p.s GROUP BY p.sec) x
JOIN bench_words h1 ON h1.i = 1 + (x.sec * 7) % 220
JOIN bench_words h2 ON h2.i = 1 + (x.sec * 13) % 220
LEFT JOIN bench_breathing b ON b.i = 1 + x.sec % 12;

CREATE TEMP TABLE bench_resources AS
SELECT n, gen_random_uuid() AS id, random() AS st, random() AS vis, random() AS rg, 1 + floor(random() * 50)::int AS g,
       floor(random() * 10)::int AS pk, 1 + floor(random() * 7)::int AS kd, random() < 0.03 AS title_breathing,
       random() < 0.05 AS body_breathing, 2 + floor(random() * 3)::int AS sections, random() AS r1, random() AS r2,
       random() AS r3, 1 + floor(random() * 20000)::int AS summary_s, 1 + floor(random() * 20000)::int AS intro_s1,
       1 + floor(random() * 20000)::int AS intro_s2, now() - random() * interval '730 days' AS created
FROM generate_series(1, 100000) n;
CREATE TEMP TABLE bench_body_picks AS
SELECT r.n, j, CASE WHEN r.body_breathing AND j = 1 + (r.n % r.sections) THEN 5001 + floor(random() * 200)::int
                    ELSE 1 + floor(random() * 5000)::int END AS sec
FROM bench_resources r, generate_series(1, r.sections) j;
CREATE TEMP TABLE bench_bodies AS
SELECT p.n, string_agg(s.text, E'\n\n' ORDER BY p.j) AS body
FROM bench_body_picks p JOIN bench_sections s ON s.sec = p.sec GROUP BY p.n;
-- 1–4 tags from the 30 most frequent words (the breathing titles also get "breathing").
CREATE TEMP TABLE bench_tags AS
SELECT DISTINCT t.n, w.w AS tag
FROM (SELECT r.n, 1 + floor(30 * random() * random())::int AS i
      FROM bench_resources r, generate_series(0, (r.n % 4)) k) t JOIN bench_words w ON w.i = t.i
UNION SELECT n, 'breathing' FROM bench_resources WHERE title_breathing;
CREATE TEMP TABLE bench_tag_lists AS
SELECT n, '[' || string_agg('"' || tag || '"', ',' ORDER BY tag) || ']' AS tags FROM bench_tags GROUP BY n;

INSERT INTO resources (id, organisation_id, group_id, slug, kind, visibility, status, author_id, derived_from_id,
                       derived_from_version, version_number, title, summary, body, url, language, tags, audience,
                       duration_minutes, licence, attribution, agenda_items, adoption_count, rating_count, rating_sum,
                       rating_score, created_at, updated_at, published_at)
SELECT r.id, '00000000-0000-7000-8000-000000000006', x.group_id, 'res-' || r.n, x.kind, x.visibility, x.status,
       coalesce(p.id, pa.id), NULL, NULL, 1,
       CASE WHEN r.title_breathing THEN 'Breathing and ' || t1.w ELSE upper(left(t1.w, 1)) || substr(t1.w, 2) || ' and ' || t2.w END
         || ' ' || x.noun || ' for ' || (ARRAY['carers','parents','facilitators','newcomers','teenagers','colleagues','volunteers','families'])[1 + r.n % 8],
       CASE WHEN r.title_breathing THEN b.text || ' ' ELSE '' END || su.text,
       i1.text || ' ' || i2.text || E'\n\n' || bo.body, CASE WHEN x.kind = 'LINK' THEN 'https://example.org/library/' || r.n END, 'en', tl.tags,
       'Peer support groups', 5 + (r.n % 18) * 5,
       (ARRAY['CC-BY-4.0','CC-BY-4.0','CC-BY-SA-4.0','CC-BY-NC-4.0','CC-BY-NC-SA-4.0','CC0-1.0','ALL-RIGHTS-RESERVED'])[1 + r.n % 7],
       NULL, NULL, x.adoptions, x.ratings, x.rating_sum,
       CASE WHEN x.ratings = 0 THEN 0 ELSE (x.rating_sum::bigint * 1000 / x.ratings) * 1000000 + x.ratings END,
       r.created, r.created + interval '2 days',
       CASE WHEN x.status IN ('PUBLISHED', 'ARCHIVED') THEN r.created + interval '1 day' END
FROM bench_resources r
CROSS JOIN LATERAL (
  SELECT CASE WHEN r.st < 0.7 THEN 'PUBLISHED' WHEN r.st < 0.8 THEN 'DRAFT' WHEN r.st < 0.9 THEN 'IN_REVIEW' ELSE 'ARCHIVED' END AS status,
         CASE WHEN r.vis < 0.6 THEN 'PUBLIC' WHEN r.vis < 0.9 THEN 'NETWORK' ELSE 'GROUP' END AS visibility,
         CASE WHEN r.vis >= 0.9 OR r.rg < 0.8 THEN (SELECT id FROM bench_groups WHERE n = r.g) END AS group_id,
         (ARRAY['CHECKLIST','GUIDED_SCRIPT','CONFLICT_FLOWCHART','WORKSHEET','FACILITATOR_TOOLKIT','LINK','OTHER'])[r.kd] AS kind,
         (ARRAY['checklist','guided script','flowchart','worksheet','toolkit','reading','notes'])[r.kd] AS noun,
         floor(200 * r.r1 * r.r1 * r.r1)::int AS adoptions,
         CASE WHEN r.r2 < 0.4 THEN 0 ELSE 1 + floor(50 * r.r3 * r.r3)::int END AS ratings,
         CASE WHEN r.r2 < 0.4 THEN 0 ELSE 1 + floor(50 * r.r3 * r.r3)::int END * (2 + r.n % 4) AS rating_sum
) x
LEFT JOIN bench_people p ON x.group_id IS NOT NULL AND p.n = r.g AND p.k = r.pk
LEFT JOIN bench_people pa ON pa.n = 1 + (r.n * 7) % 50 AND pa.k = r.pk
JOIN bench_words t1 ON t1.i = 1 + (r.n * 11) % 220
JOIN bench_words t2 ON t2.i = 1 + (r.n * 17) % 220
LEFT JOIN bench_breathing b ON b.i = 1 + r.n % 12
JOIN bench_sentences su ON su.s = r.summary_s
JOIN bench_sentences i1 ON i1.s = r.intro_s1
JOIN bench_sentences i2 ON i2.s = r.intro_s2
JOIN bench_bodies bo ON bo.n = r.n
JOIN bench_tag_lists tl ON tl.n = r.n;

INSERT INTO resource_versions (id, resource_id, number, title, summary, body, url, language, tags, audience,
                               duration_minutes, licence, attribution, agenda_items, change_note, author_id, created_at)
SELECT gen_random_uuid(), id, 1, title, summary, body, url, language, tags, audience, duration_minutes, licence,
       attribution, agenda_items, NULL, author_id, created_at
FROM resources WHERE organisation_id = '00000000-0000-7000-8000-000000000006';

INSERT INTO resource_tags (resource_id, tag)
SELECT r.id, t.tag FROM bench_tags t JOIN bench_resources r ON r.n = t.n;
-- Version 1 of every resource that is or was published is a release (what its audience reads).
INSERT INTO resource_releases (resource_id, version_number, released_by, released_at)
SELECT id, 1, author_id, coalesce(published_at, created_at)
FROM resources WHERE organisation_id = '00000000-0000-7000-8000-000000000006' AND status IN ('PUBLISHED', 'ARCHIVED');
COMMIT;
