-- name: report_evidence
-- question: Which articles reported each call, in which outlet and at which link, with which Arabic sentences as evidence?
SELECT
  call_id,
  report_id,
  outlet,
  url,
  title,
  published_at,
  call_status,
  requested_by,
  source_side,
  source_text,
  confidence,
  evidence
FROM call_reports
WHERE call_id IS NOT NULL
ORDER BY call_id, published_at, report_id
