-- name: ingest_health
-- question: Is ingestion healthy: which errors, at which stage, for which feed, how often and since when?
SELECT
  stage,
  COALESCE(feed_url, '') AS feed,
  error,
  COUNT(*) AS errors,
  COUNT(DISTINCT url) AS urls,
  MIN(COALESCE(first_at, `at`)) AS first_seen,
  MAX(`at`) AS last_seen
FROM ingest_errors
GROUP BY stage, feed, error
ORDER BY errors DESC, last_seen DESC, stage, feed, error
