-- The queue of documents sent to the Treasury through ShEP (issue 5, EX-4, I-6). Keep in step
-- with ../sqlite/0013_treasury_outbox.sql.
-- An approved plan (change_number 0) or one of its change documents is queued in the same
-- transaction that approves or adds it; the exchange moves it through queued → sent
-- (registered, awaiting the decision) → accepted | rejected, or to failed after its attempts.
CREATE TABLE treasury_outbox (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES financing_plans(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    change_number BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error TEXT,
    reference TEXT,
    reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (plan_id, change_number)
);
CREATE INDEX treasury_outbox_due ON treasury_outbox (status, next_attempt_at);
