-- name: errors
-- question: What failed during ingestion, by stage, newest first?
SELECT stage, error, url, detail, `at`
FROM ingest_errors
ORDER BY `at` DESC, stage, url
