-- name: latest_calls
-- question: What are the latest calls, with their status, date, sources and how many outlets reported them?
-- sources: the sides the reports attribute the news to (us = White House, russia = Kremlin,
-- other = media); outlets: who reported it.
WITH sources AS (
  SELECT
    call_id,
    COUNTIF(source_side = 'us') AS us_sourced,
    COUNTIF(source_side = 'russia') AS russia_sourced,
    COUNTIF(source_side = 'other' OR source_side IS NULL) AS other_sourced,
    STRING_AGG(DISTINCT source_side, ', ' ORDER BY source_side) AS source_sides
  FROM call_reports
  GROUP BY call_id
)
SELECT
  c.call_date,
  c.us_leader,
  c.russian_leader,
  c.call_status,
  s.source_sides,
  s.us_sourced,
  s.russia_sourced,
  s.other_sourced,
  c.outlet_count,
  c.report_count,
  ARRAY_TO_STRING(c.outlets, ', ') AS outlets,
  c.first_reported_at,
  c.call_id
FROM calls AS c
LEFT JOIN sources AS s ON s.call_id = c.call_id
ORDER BY COALESCE(c.call_date, DATE(c.first_reported_at)) DESC, c.first_reported_at DESC, c.call_id
LIMIT 50
