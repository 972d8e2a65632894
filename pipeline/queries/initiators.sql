-- name: initiators
-- question: Who initiates the calls, the US or Russia, per leader pair?
-- initiated_by comes from requested_by: only set when a report says who asked or called.
SELECT
  us_leader,
  russian_leader,
  COALESCE(requested_by, 'unknown') AS initiated_by,
  COUNT(*) AS calls,
  COUNTIF(call_status = 'held') AS held,
  ROUND(100 * COUNT(*) / SUM(COUNT(*)) OVER (PARTITION BY us_leader, russian_leader), 1) AS share_pct
FROM calls
GROUP BY us_leader, russian_leader, initiated_by
ORDER BY us_leader, russian_leader, calls DESC, initiated_by
