-- The dashboard as one plain statement: 50 clusters, 5 groups each, their 3 latest held
-- meetings and how many were present.
SELECT c.id, c.name, g.id, g.name, m.id, m.starts_at,
       (SELECT count(*) FROM attendance a WHERE a.meeting_id = m.id AND a.status = 'PRESENT')
FROM organisations o
JOIN LATERAL (SELECT id, name, sort_name FROM clusters WHERE organisation_id = o.id
              ORDER BY sort_name, id LIMIT 50) c ON TRUE
JOIN LATERAL (SELECT id, name FROM groups WHERE cluster_id = c.id ORDER BY sort_name, id LIMIT 5) g ON TRUE
JOIN LATERAL (SELECT id, starts_at FROM meetings WHERE group_id = g.id AND status = 'HELD'
              ORDER BY starts_at DESC, id DESC LIMIT 3) m ON TRUE
WHERE o.slug = 'peer-bench';
