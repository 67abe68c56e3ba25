-- Audit rows waiting for the chain: see ../postgres/0035_audit_pending.sql, keep in step.
--
-- On SQLite the table stays empty: a write transaction already holds the database's only write
-- lock, so it appends its audit rows to the chain itself (Tx::commit) at no cost to other
-- writers. The table exists so that both engines keep one schema.
CREATE TABLE audit_pending (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    login TEXT NOT NULL,
    iin TEXT NOT NULL,
    org_id BIGINT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);
CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending
BEGIN SELECT RAISE(ABORT, 'audit_pending rows are only inserted and sealed'); END;
