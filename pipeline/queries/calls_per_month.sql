-- name: calls_per_month
-- question: How many calls per month and leader pair, how many of them held, from how many reports?
-- An undated call counts in the month it was first reported.
SELECT
  FORMAT_DATE('%Y-%m', COALESCE(call_date, DATE(first_reported_at))) AS month,
  us_leader,
  russian_leader,
  COUNT(*) AS calls,
  COUNTIF(call_status = 'held') AS held,
  SUM(report_count) AS reports
FROM calls
GROUP BY month, us_leader, russian_leader
ORDER BY month DESC, us_leader, russian_leader
