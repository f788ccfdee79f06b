-- A random group and its 20 latest meetings.
\set n random(1, 5000)
SELECT id, slug, name, purpose, status FROM groups WHERE slug = 'peer-' || :n;
SELECT id, starts_at, ends_at, status, theme FROM meetings
WHERE group_id = md5('peer:group:' || :n)::uuid ORDER BY starts_at DESC, id DESC LIMIT 20;
