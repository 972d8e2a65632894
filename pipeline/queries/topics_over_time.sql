-- name: topics_over_time
-- question: Which topics came up in the calls, month by month?
SELECT
  FORMAT_DATE('%Y-%m', COALESCE(c.call_date, DATE(c.first_reported_at))) AS month,
  topic,
  COUNT(*) AS calls,
  COUNTIF(c.call_status = 'held') AS held
FROM calls AS c, UNNEST(c.topics) AS topic
GROUP BY month, topic
ORDER BY month DESC, calls DESC, topic
