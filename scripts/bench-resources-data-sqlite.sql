-- Generated resource library for scripts/bench-resources.sh --sqlite (the SQLite twin of
-- scripts/bench-resources-data.sql; for the sqlite3 CLI, after the server has migrated the file).
-- 1 umbrella, 5 clusters, 50 groups of 10 people (a facilitator, a co-facilitator, 8 members),
-- and 10,000 resources (version 1 of each, and their tags): 70% PUBLISHED, 10% DRAFT,
-- 10% IN_REVIEW, 10% ARCHIVED; 60% PUBLIC, 30% NETWORK, 10% GROUP. Bodies are 1–3 KB of
-- Markdown (a lead paragraph, then 2–4 sections) made of ~220 peer-support words, frequent ones
-- far more often; "breathing" is in ~3% of titles and ~5% of bodies (and no other word stems to
-- "breath"), so `search: "breathing"` matches ~780 resources. The INSERT trigger of migration
-- 000049 fills the FTS5 table. As the service stores them: UUIDs as 16-byte BLOBs, times as
-- RFC 3339 text. The viewer of the benchmark is 00000000-0000-7000-8000-000000000007, a MEMBER
-- of group 1. Nobody here can sign in.
.bail on
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE bench_now AS
SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') AS now,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-400 days') AS joined;

INSERT INTO organisations (id, slug, name, sort_name, kind, version, created_at, updated_at)
SELECT X'00000000000070008000000000000006', 'resources-bench', 'Resources Bench', 'resources bench', 'UMBRELLA', 1, now, now
FROM bench_now;

CREATE TEMP TABLE bench_clusters AS
SELECT randomblob(16) AS id, value AS n FROM generate_series(1, 5);
INSERT INTO clusters (id, organisation_id, parent_id, name, sort_name, path, depth, version, created_at, updated_at)
SELECT c.id, X'00000000000070008000000000000006', NULL, 'Cluster ' || c.n, 'cluster ' || c.n,
       '/' || lower(substr(hex(c.id), 1, 8) || '-' || substr(hex(c.id), 9, 4) || '-' || substr(hex(c.id), 13, 4) || '-'
                    || substr(hex(c.id), 17, 4) || '-' || substr(hex(c.id), 21, 12)) || '/',
       0, 1, now, now
FROM bench_clusters c, bench_now;

CREATE TEMP TABLE bench_groups AS
SELECT randomblob(16) AS id, g.value AS n, c.id AS cluster_id
FROM generate_series(1, 50) g JOIN bench_clusters c ON c.n = 1 + g.value % 5;

INSERT INTO groups (id, organisation_id, cluster_id, slug, name, sort_name, search_text, purpose, format, modality,
                    cadence_frequency, cadence_weekday, cadence_local_start_time, cadence_duration_minutes, timezone,
                    capacity_min, capacity_max, venue_approximate, conference_url, status, admission, visibility,
                    membership_source, active_member_count, version, created_at, updated_at,
                    rotation_period_weeks, rotation_max_consecutive_blocks)
SELECT id, X'00000000000070008000000000000006', cluster_id, 'lib-' || n, 'Library group ' || n,
       'library group ' || substr('00' || n, -3), 'library group ' || n, 'Peer support', 'TOPIC_CIRCLE', 'ONLINE',
       'WEEKLY', 'TUESDAY', '18:30', 60, 'Europe/London', 4, 12, false, NULL,
       'ACTIVE', 'OPEN', 'NETWORK', 'COMMUNITY', 10, 1, now, now, 2, 1
FROM bench_groups, bench_now;

CREATE TEMP TABLE bench_people AS
SELECT CASE WHEN g.n = 1 AND k.value = 2 THEN X'00000000000070008000000000000007' ELSE randomblob(16) END AS id,
       g.id AS group_id, g.n, k.value AS k
FROM bench_groups g, generate_series(0, 9) k;

INSERT INTO people (id, email, display_name, password_hash, timezone, locale, version, created_at, updated_at)
SELECT id, 'lib-' || n || '-' || k || '@example.org', 'Person ' || n || '.' || k, 'not-a-login', 'UTC', 'en', 1, now, now
FROM bench_people, bench_now;

INSERT INTO memberships (id, person_id, group_id, role, status, joined_at, created_at, updated_at)
SELECT randomblob(16), id, group_id,
       CASE k WHEN 0 THEN 'FACILITATOR' WHEN 1 THEN 'CO_FACILITATOR' ELSE 'MEMBER' END,
       'ACTIVE', joined, now, now
FROM bench_people, bench_now;

-- The vocabulary, most frequent first (word i is picked with probability ~ 1/sqrt(i)).
CREATE TEMP TABLE bench_words AS
SELECT key + 1 AS i, value AS w FROM json_each('[
  "coping","stress","carers","support","group","feelings","calm","sleep","burnout","grounding",
  "boundaries","anxiety","peer","listening","emotions","wellbeing","rest","routine","worry","connection",
  "safety","kindness","compassion","resilience","mindfulness","journaling","gratitude","grief","loss","loneliness",
  "isolation","trust","shame","guilt","anger","conflict","repair","apology","conversation","reflection",
  "sharing","circle","facilitator","facilitation","agenda","meeting","session","welcome","opening","closing",
  "round","pause","silence","body","muscles","tension","relaxation","posture","movement","walking",
  "stretching","exercise","nature","garden","music","drawing","writing","notebook","prompts","questions",
  "values","goals","habits","triggers","warning","signs","crisis","plan","helpline","referral",
  "professional","therapist","doctor","medication","recovery","relapse","setbacks","progress","hope","confidence",
  "esteem","identity","parents","children","teenagers","family","partners","friends","colleagues","workplace",
  "caring","dementia","disability","illness","pain","fatigue","energy","pacing","overwhelm","rumination",
  "thoughts","beliefs","reframing","acceptance","commitment","problem","solving","decisions","choices","assertiveness",
  "saying","limits","respite","holiday","evening","morning","bedtime","insomnia","dreams","nightmares",
  "screens","phone","social","media","news","money","debt","housing","benefits","forms",
  "appointments","letters","advocacy","rights","confidentiality","consent","ground","rules","agreements","roles",
  "rotation","volunteers","training","debrief","supervision","handover","notes","feedback","evaluation","worksheet",
  "checklist","script","toolkit","flowchart","template","handout","visualisation","senses","counting","noticing",
  "sounds","smells","touch","feet","hands","shoulders","jaw","tea","water","food",
  "meals","cooking","laughter","play","creativity","hobbies","volunteering","community","belonging","inclusion",
  "language","culture","faith","rituals","anniversaries","bereavement","trauma","flashbacks","dissociation","validation",
  "empathy","patience","humour","courage","gentle","slow","steady","practical","everyday","small",
  "steps","daily","weekly","together","alone","quiet","space","time","change","transition"]');
CREATE TEMP TABLE bench_glue AS
SELECT key + 1 AS i, value AS w FROM json_each('["and","with","for","the","your","when","after","before","during","a",
  "to","of","in","on","can","helps","try","each","one","more"]');
CREATE TEMP TABLE bench_breathing AS
SELECT key + 1 AS i, value AS text FROM json_each('[
  "Slow breathing before the opening round helps everyone arrive.",
  "Try box breathing: in for four, hold for four, out for four, hold for four.",
  "Breathing out for longer than you breathe in can settle panic.",
  "Notice your breathing without trying to change it.",
  "Carers told us that a minute of breathing between appointments helped.",
  "Use paced breathing when the conversation gets heated.",
  "Belly breathing works best with one hand on the chest and one on the stomach.",
  "Count each breathing cycle up to ten, then start again.",
  "Offer breathing as an invitation, never an instruction.",
  "Some people find breathing exercises stressful; grounding through the feet is an alternative.",
  "Breathing with a slow count of five suits the closing round.",
  "Pair the breathing practice with a short body scan."]');
CREATE TEMP TABLE bench_kinds AS
SELECT key + 1 AS i, json_extract(value, '$[0]') AS kind, json_extract(value, '$[1]') AS noun FROM json_each('[
  ["CHECKLIST","checklist"],["GUIDED_SCRIPT","guided script"],["CONFLICT_FLOWCHART","flowchart"],["WORKSHEET","worksheet"],
  ["FACILITATOR_TOOLKIT","toolkit"],["LINK","reading"],["OTHER","notes"]]');
CREATE TEMP TABLE bench_audiences AS
SELECT key AS i, value AS w FROM json_each('["carers","parents","facilitators","newcomers","teenagers","colleagues","volunteers","families"]');
CREATE TEMP TABLE bench_licences AS
SELECT key AS i, value AS id FROM json_each('["CC-BY-4.0","CC-BY-4.0","CC-BY-SA-4.0","CC-BY-NC-4.0","CC-BY-NC-SA-4.0","CC0-1.0","ALL-RIGHTS-RESERVED"]');

-- 20,000 sentences of 7–16 words, about a third of them glue words.
CREATE TEMP TABLE bench_sentence_picks AS
SELECT s.value AS s, k.value AS k, (random() & 4294967295) / 4294967296.0 < 0.3 AS glue,
       (random() & 4294967295) / 4294967296.0 AS r
FROM generate_series(1, 20000) s, generate_series(1, 7 + s.value % 10) k;
CREATE TEMP TABLE bench_sentences AS
SELECT s, upper(substr(t, 1, 1)) || substr(t, 2) || '.' AS text
FROM (SELECT s, group_concat(w, ' ') AS t
      FROM (SELECT p.s, coalesce(g.w, v.w) AS w
            FROM bench_sentence_picks p
            LEFT JOIN bench_glue g ON p.glue AND g.i = 1 + cast(p.r * 20 AS int)
            LEFT JOIN bench_words v ON NOT p.glue AND v.i = 1 + cast(220 * p.r * p.r AS int)
            ORDER BY p.s, p.k)
      GROUP BY s);
CREATE INDEX temp.bench_sentences_s ON bench_sentences (s);

-- 5,000 sections (a heading, a paragraph and three bullets: ~650 characters), and 200 more
-- with a breathing sentence in their paragraph (sections 5001–5200).
CREATE TEMP TABLE bench_section_picks AS
SELECT sec.value AS sec, k.value AS k, 1 + abs(random()) % 20000 AS s
FROM generate_series(1, 5200) sec, generate_series(1, 7) k;
CREATE TEMP TABLE bench_sections AS
SELECT x.sec,
       '## ' || CASE WHEN x.sec > 5000 THEN 'Breathing and ' ELSE '' END
             || CASE WHEN x.sec > 5000 THEN h1.w ELSE upper(substr(h1.w, 1, 1)) || substr(h1.w, 2) END || ' ' || h2.w || char(10) || char(10)
             || x.a1 || ' ' || CASE WHEN x.sec > 5000 THEN b.text ELSE x.a2 END || ' ' || x.a3 || ' ' || x.a4
             || char(10) || char(10) || '- ' || x.a5 || char(10) || '- ' || x.a6 || char(10) || '- ' || x.a7 AS text
FROM (SELECT p.sec, max(CASE p.k WHEN 1 THEN t.text END) AS a1, max(CASE p.k WHEN 2 THEN t.text END) AS a2,
             max(CASE p.k WHEN 3 THEN t.text END) AS a3, max(CASE p.k WHEN 4 THEN t.text END) AS a4,
             max(CASE p.k WHEN 5 THEN t.text END) AS a5, max(CASE p.k WHEN 6 THEN t.text END) AS a6,
             max(CASE p.k WHEN 7 THEN t.text END) AS a7
      FROM bench_section_picks p JOIN bench_sentences t ON t.s = p.s GROUP BY p.sec) x
JOIN bench_words h1 ON h1.i = 1 + (x.sec * 7) % 220
JOIN bench_words h2 ON h2.i = 1 + (x.sec * 13) % 220
LEFT JOIN bench_breathing b ON b.i = 1 + x.sec % 12;
CREATE INDEX temp.bench_sections_sec ON bench_sections (sec);

-- Every draw is stored before it is used: SQLite copies a subquery's expression (and so calls
-- random() again) wherever the outer query names its column.
CREATE TEMP TABLE bench_draws AS
SELECT value AS n, (random() & 4294967295) / 4294967296.0 AS st, (random() & 4294967295) / 4294967296.0 AS vis,
       (random() & 4294967295) / 4294967296.0 AS rg, 1 + abs(random()) % 50 AS g, abs(random()) % 10 AS pk,
       1 + abs(random()) % 7 AS kd, (random() & 4294967295) / 4294967296.0 < 0.03 AS title_breathing,
       (random() & 4294967295) / 4294967296.0 < 0.05 AS body_breathing, 2 + abs(random()) % 3 AS sections,
       (random() & 4294967295) / 4294967296.0 AS r1, (random() & 4294967295) / 4294967296.0 AS r2,
       (random() & 4294967295) / 4294967296.0 AS r3, 1 + abs(random()) % 20000 AS summary_s,
       1 + abs(random()) % 20000 AS intro_s1, 1 + abs(random()) % 20000 AS intro_s2,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-' || (abs(random()) % (730 * 86400)) || ' seconds') AS created
FROM generate_series(1, 10000);
CREATE TEMP TABLE bench_resources AS
SELECT n, randomblob(16) AS id,
       CASE WHEN st < 0.7 THEN 'PUBLISHED' WHEN st < 0.8 THEN 'DRAFT' WHEN st < 0.9 THEN 'IN_REVIEW' ELSE 'ARCHIVED' END AS status,
       CASE WHEN vis < 0.6 THEN 'PUBLIC' WHEN vis < 0.9 THEN 'NETWORK' ELSE 'GROUP' END AS visibility,
       CASE WHEN vis >= 0.9 OR rg < 0.8 THEN g END AS g, pk, kd, title_breathing, body_breathing, sections,
       cast(200 * r1 * r1 * r1 AS int) AS adoptions,
       CASE WHEN r2 < 0.4 THEN 0 ELSE 1 + cast(50 * r3 * r3 AS int) END AS ratings,
       summary_s, intro_s1, intro_s2, created
FROM bench_draws;
CREATE TEMP TABLE bench_body_picks AS
SELECT r.n, j.value AS j,
       CASE WHEN r.body_breathing AND j.value = 1 + (r.n % r.sections) THEN 5001 + abs(random()) % 200
            ELSE 1 + abs(random()) % 5000 END AS sec
FROM bench_resources r, generate_series(1, r.sections) j;
CREATE TEMP TABLE bench_bodies AS
SELECT n, group_concat(text, char(10) || char(10)) AS body
FROM (SELECT p.n, s.text FROM bench_body_picks p JOIN bench_sections s ON s.sec = p.sec ORDER BY p.n, p.j)
GROUP BY n;
CREATE INDEX temp.bench_bodies_n ON bench_bodies (n);
-- 1–4 tags from the 30 most frequent words (the breathing titles also get "breathing").
CREATE TEMP TABLE bench_tag_picks AS
SELECT r.n, 1 + cast(30 * ((random() & 4294967295) / 4294967296.0) * ((random() & 4294967295) / 4294967296.0) AS int) AS i
FROM bench_resources r, generate_series(0, r.n % 4) k;
CREATE TEMP TABLE bench_tags AS
SELECT t.n, w.w AS tag FROM bench_tag_picks t JOIN bench_words w ON w.i = t.i
UNION SELECT n, 'breathing' FROM bench_resources WHERE title_breathing;
CREATE TEMP TABLE bench_tag_lists AS
SELECT n, '[' || group_concat('"' || tag || '"', ',') || ']' AS tags
FROM (SELECT n, tag FROM bench_tags ORDER BY n, tag) GROUP BY n;
CREATE INDEX temp.bench_tag_lists_n ON bench_tag_lists (n);

INSERT INTO resources (id, organisation_id, group_id, slug, kind, visibility, status, author_id, derived_from_id,
                       derived_from_version, version_number, title, summary, body, url, language, tags, audience,
                       duration_minutes, licence, attribution, agenda_items, adoption_count, rating_count, rating_sum,
                       rating_score, created_at, updated_at, published_at)
SELECT r.id, X'00000000000070008000000000000006', gr.id, 'res-' || r.n, k.kind, r.visibility, r.status,
       coalesce(p.id, pa.id), NULL, NULL, 1,
       CASE WHEN r.title_breathing THEN 'Breathing and ' || t1.w ELSE upper(substr(t1.w, 1, 1)) || substr(t1.w, 2) || ' and ' || t2.w END
         || ' ' || k.noun || ' for ' || au.w,
       CASE WHEN r.title_breathing THEN b.text || ' ' ELSE '' END || su.text,
       i1.text || ' ' || i2.text || char(10) || char(10) || bo.body, CASE WHEN k.kind = 'LINK' THEN 'https://example.org/library/' || r.n END, 'en', tl.tags,
       'Peer support groups', 5 + (r.n % 18) * 5, li.id, NULL, NULL, r.adoptions, r.ratings, r.ratings * (2 + r.n % 4),
       CASE WHEN r.ratings = 0 THEN 0 ELSE (r.ratings * (2 + r.n % 4) * 1000 / r.ratings) * 1000000 + r.ratings END,
       r.created, strftime('%Y-%m-%dT%H:%M:%S+00:00', r.created, '+2 days'),
       CASE WHEN r.status IN ('PUBLISHED', 'ARCHIVED') THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', r.created, '+1 day') END
FROM bench_resources r
JOIN bench_kinds k ON k.i = r.kd
LEFT JOIN bench_groups gr ON gr.n = r.g
LEFT JOIN bench_people p ON p.n = r.g AND p.k = r.pk
JOIN bench_people pa ON pa.n = 1 + (r.n * 7) % 50 AND pa.k = r.pk
JOIN bench_words t1 ON t1.i = 1 + (r.n * 11) % 220
JOIN bench_words t2 ON t2.i = 1 + (r.n * 17) % 220
JOIN bench_audiences au ON au.i = r.n % 8
JOIN bench_licences li ON li.i = r.n % 7
LEFT JOIN bench_breathing b ON b.i = 1 + r.n % 12
JOIN bench_sentences su ON su.s = r.summary_s
JOIN bench_sentences i1 ON i1.s = r.intro_s1
JOIN bench_sentences i2 ON i2.s = r.intro_s2
JOIN bench_bodies bo ON bo.n = r.n
JOIN bench_tag_lists tl ON tl.n = r.n;

INSERT INTO resource_versions (id, resource_id, number, title, summary, body, url, language, tags, audience,
                               duration_minutes, licence, attribution, agenda_items, change_note, author_id, created_at)
SELECT randomblob(16), id, 1, title, summary, body, url, language, tags, audience, duration_minutes, licence,
       attribution, agenda_items, NULL, author_id, created_at
FROM resources WHERE organisation_id = X'00000000000070008000000000000006';

INSERT INTO resource_tags (resource_id, tag)
SELECT r.id, t.tag FROM bench_tags t JOIN bench_resources r ON r.n = t.n;
-- Version 1 of every resource that is or was published is a release (what its audience reads).
INSERT INTO resource_releases (resource_id, version_number, released_by, released_at)
SELECT id, 1, author_id, coalesce(published_at, created_at)
FROM resources WHERE organisation_id = X'00000000000070008000000000000006' AND status IN ('PUBLISHED', 'ARCHIVED');
COMMIT;
