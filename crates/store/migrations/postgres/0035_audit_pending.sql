-- Audit rows waiting for the chain (P-4; issue 19: saves keep p99 ≤ 20 ms under 100 writers).
-- Keep in step with ../sqlite/0035_audit_pending.sql.
--
-- On PostgreSQL a transaction no longer appends its audit rows to the chain itself: taking the
-- chain's head in the transaction held its row lock through the commit and so serialised every
-- audited commit of the system. Instead the transaction writes its rows here (they commit or
-- roll back with the change), and right after its commit it seals them: one sealer at a time
-- takes the head (SELECT … FOR UPDATE SKIP LOCKED), moves every waiting row into audit_log with
-- its seq and hashes, and moves the head; a writer that finds the head taken leaves its rows to
-- that sealer, which looks again after its own commit (jospar_store::audit::seal_pending).
-- audit_log itself still takes only chained rows.
--
-- Rows are only inserted and deleted (by the sealer): an UPDATE or TRUNCATE is refused.
CREATE TABLE audit_pending (
    id BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
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
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
