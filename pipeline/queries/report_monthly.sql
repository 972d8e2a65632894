-- name: report_monthly
-- question: How many calls were there each month, per leader pair and status?
-- An undated call counts in the month it was first reported.
SELECT
  FORMAT_DATE('%Y-%m', COALESCE(call_date, DATE(first_reported_at))) AS month,
  us_leader,
  russian_leader,
  call_status,
  COUNT(*) AS calls
FROM calls
GROUP BY month, us_leader, russian_leader, call_status
ORDER BY month, us_leader, russian_leader, call_status
