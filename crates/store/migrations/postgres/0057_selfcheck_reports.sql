-- The monthly self-check's reports (issue 30, specification item 15): when it ran, who ran it
-- (the server's schedule or `jospar selfcheck`), its outcome (ok, warning, failed) and each
-- check with its findings as JSON. Keep in step with the other engine's 0057.
CREATE TABLE selfcheck_reports (
    id BIGINT PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    run_by TEXT NOT NULL,
    outcome TEXT NOT NULL,
    checks_json TEXT NOT NULL
);
CREATE INDEX selfcheck_reports_started ON selfcheck_reports (started_at);
