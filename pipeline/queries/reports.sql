-- name: reports
-- question: Which articles reported a call, with their fields and sources?
SELECT
  published_at,
  outlet,
  us_leader,
  russian_leader,
  call_status,
  call_date,
  medium,
  requested_by,
  source_side,
  confidence,
  call_id,
  title
FROM call_reports
ORDER BY published_at DESC, report_id
