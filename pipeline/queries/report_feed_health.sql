-- name: report_feed_health
-- question: How healthy is each feed: last poll and status, failures in a row, articles and call reports it brought, dead letters?
-- Every feed the warehouse knows of: polled (feed_state), or seen in articles or dead letters.
WITH feeds AS (
  SELECT feed_url FROM feed_state
  UNION DISTINCT
  SELECT feed_url FROM articles WHERE feed_url IS NOT NULL
  UNION DISTINCT
  SELECT feed_url FROM ingest_errors WHERE feed_url IS NOT NULL
),
brought AS (
  SELECT
    feed_url,
    MAX(outlet) AS outlet,
    COUNT(*) AS articles,
    COUNTIF(is_call_report) AS call_reports
  FROM articles
  GROUP BY feed_url
),
letters AS (
  SELECT feed_url, COUNT(*) AS dead_letters, MAX(`at`) AS last_dead_letter_at
  FROM ingest_errors
  GROUP BY feed_url
)
SELECT
  f.feed_url,
  COALESCE(s.outlet, b.outlet) AS outlet,
  s.last_status,
  s.http_status,
  s.last_polled_at,
  s.last_success_at,
  COALESCE(s.consecutive_failures, 0) AS consecutive_failures,
  s.next_poll_after,
  COALESCE(s.last_error, s.last_warning) AS problem,
  COALESCE(b.articles, 0) AS articles,
  COALESCE(b.call_reports, 0) AS call_reports,
  COALESCE(l.dead_letters, 0) AS dead_letters,
  l.last_dead_letter_at
FROM feeds AS f
LEFT JOIN feed_state AS s ON s.feed_url = f.feed_url
LEFT JOIN brought AS b ON b.feed_url = f.feed_url
LEFT JOIN letters AS l ON l.feed_url = f.feed_url
ORDER BY consecutive_failures DESC, dead_letters DESC, f.feed_url
