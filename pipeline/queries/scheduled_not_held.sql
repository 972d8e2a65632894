-- name: scheduled_not_held
-- question: Which announced (scheduled) calls never showed up as held?
-- next_held_call: a held call of the same pair within 7 days after, if any (a postponed call).
SELECT
  s.call_date,
  s.us_leader,
  s.russian_leader,
  s.report_count,
  s.outlet_count,
  s.first_reported_at,
  s.last_reported_at,
  MIN(h.call_date) AS next_held_call,
  s.call_id
FROM calls AS s
LEFT JOIN calls AS h
  ON h.us_leader = s.us_leader
  AND h.russian_leader = s.russian_leader
  AND h.call_status = 'held'
  AND h.call_date > s.call_date
  AND h.call_date <= DATE_ADD(s.call_date, INTERVAL 7 DAY)
WHERE s.call_status = 'scheduled'
GROUP BY
  s.call_date, s.us_leader, s.russian_leader, s.report_count, s.outlet_count,
  s.first_reported_at, s.last_reported_at, s.call_id
ORDER BY s.call_date DESC NULLS LAST, s.first_reported_at DESC, s.call_id
