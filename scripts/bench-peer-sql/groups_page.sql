-- A cluster's first page of groups, for a random cluster.
\set c random(1, 50)
SELECT id, slug, name, status FROM groups
WHERE cluster_id = md5('peer:cluster:' || :c)::uuid
ORDER BY sort_name, id LIMIT 21;
