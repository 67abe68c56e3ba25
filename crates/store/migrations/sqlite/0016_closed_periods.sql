-- Closed execution periods (issue 5, EX-5: "a form for a period already closed" is refused).
-- Keep in step with ../postgres/0016_closed_periods.sql.
-- An organisation closes a month of its subtree's execution reporting: no Treasury form whose
-- report covers that month is imported or replaced for the organisation or any below it until
-- the month is opened again (with a reason, in the audit log).
CREATE TABLE closed_periods (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    month TEXT NOT NULL,
    reason TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    PRIMARY KEY (org_id, month)
);
