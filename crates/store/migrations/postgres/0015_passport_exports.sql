-- Reports sent to the "Region passport" portal (issue 5, EX-R 22-23). Keep in step with
-- ../sqlite/0015_passport_exports.sql.
-- One row per attempt: what was sent (kind, the Treasury forms it was built from, its totals)
-- and how it ended: the portal's id, or its reason for refusing, or why it was not reached.
CREATE TABLE passport_exports (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    report_date DATE NOT NULL,
    sources TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    executed BIGINT NOT NULL,
    status TEXT NOT NULL,
    remote_id TEXT,
    error TEXT,
    sent_by TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL
);
