-- name: outlet_speed
-- question: How fast does each outlet report a call after it happens?
-- Over held calls: an outlet's first report of each call, compared with the call's date
-- (days_after_call: 0 = same day) and with the first report of any outlet (hours_behind_first).
WITH firsts AS (
  SELECT outlet, call_id, MIN(published_at) AS published_at
  FROM call_reports
  WHERE outlet IS NOT NULL AND published_at IS NOT NULL AND call_id IS NOT NULL
  GROUP BY outlet, call_id
)
SELECT
  f.outlet,
  COUNT(*) AS calls,
  COUNTIF(f.published_at = c.first_reported_at) AS first_to_report,
  COUNTIF(DATE(f.published_at) = c.call_date) AS same_day,
  ROUND(AVG(DATE_DIFF(DATE(f.published_at), c.call_date, DAY)), 2) AS avg_days_after_call,
  ROUND(AVG(TIMESTAMP_DIFF(f.published_at, c.first_reported_at, SECOND)) / 3600, 1) AS avg_hours_behind_first,
  ROUND(MAX(TIMESTAMP_DIFF(f.published_at, c.first_reported_at, SECOND)) / 3600, 1) AS max_hours_behind_first
FROM firsts AS f
JOIN calls AS c ON c.call_id = f.call_id
WHERE c.call_status = 'held'
GROUP BY f.outlet
ORDER BY avg_hours_behind_first, calls DESC, f.outlet
