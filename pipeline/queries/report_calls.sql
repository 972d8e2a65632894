-- name: report_calls
-- question: Which calls does the report page show, per leader pair, with date, status, initiator, topics and outlets?
-- Newest first within a pair; an undated call sorts by the day it was first reported.
SELECT
  call_id,
  us_leader,
  russian_leader,
  call_date,
  call_status,
  medium,
  requested_by,
  topics,
  outlets,
  report_count,
  outlet_count,
  first_reported_at,
  last_reported_at
FROM calls
ORDER BY
  us_leader,
  russian_leader,
  COALESCE(call_date, DATE(first_reported_at)) DESC,
  call_id
