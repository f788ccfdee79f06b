-- The latest held meeting of a random group: its eight attendees' entries, upserted.
\set n random(1, 5000)
INSERT INTO attendance (id, meeting_id, membership_id, status, recorded_by, recorded_at)
SELECT gen_random_uuid(), md5('peer:meeting:' || :n || ':24')::uuid,
       md5('peer:membership:' || :n || ':' || k)::uuid,
       CASE WHEN (k + :n) % 4 = 0 THEN 'ABSENT' ELSE 'PRESENT' END, NULL, now()
FROM unnest(ARRAY[16, 17, 18, 19, 0, 1, 2, 3]) AS k ORDER BY 3
ON CONFLICT (meeting_id, membership_id)
DO UPDATE SET status = excluded.status, recorded_at = excluded.recorded_at;
