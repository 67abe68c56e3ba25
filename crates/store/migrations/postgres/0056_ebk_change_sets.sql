-- Change sets of the ЕБК service (issue 24, seed 004 integration 3): the codes the national
-- service opened, closed and renamed in a year, kept as received (status pending) until the
-- system administrator applies them (applied) or rejects them with a reason (rejected). The id
-- is the service's. Keep in step with the other engine's 0056.
CREATE TABLE ebk_change_sets (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    issued_at TEXT NOT NULL,
    basis TEXT NOT NULL,
    changes_json TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMPTZ,
    reason TEXT
);
CREATE INDEX ebk_change_sets_status ON ebk_change_sets (status, received_at);
