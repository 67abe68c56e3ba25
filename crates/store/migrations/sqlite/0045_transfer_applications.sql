-- Applications for targeted transfers from the republican budget (issue 22, seed 002): the
-- authorized body of a local budget asks, with the purpose, amount, program and
-- justification; the republican authority approves (an amount up to the one asked) or
-- refuses, with its reason. Keep in step with ../postgres/0045_transfer_applications.sql.
CREATE TABLE transfer_applications (
    id BIGINT PRIMARY KEY,
    applicant_org_id BIGINT NOT NULL REFERENCES orgs(id),
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    year BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    amount BIGINT NOT NULL,
    abp TEXT NOT NULL,
    program TEXT NOT NULL,
    source_program TEXT NOT NULL,
    justification TEXT NOT NULL,
    status TEXT NOT NULL,
    reviewer_org_id BIGINT REFERENCES orgs(id),
    approved_amount BIGINT,
    decision_reason TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX transfer_applications_budget ON transfer_applications(budget_id, year);
