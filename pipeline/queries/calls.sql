-- name: calls
-- question: Which White House-Kremlin calls were reported, newest first?
SELECT
  call_date,
  us_leader,
  russian_leader,
  call_status,
  medium,
  requested_by,
  report_count,
  outlet_count,
  call_id
FROM calls
ORDER BY call_date DESC NULLS LAST, first_reported_at DESC, call_id
