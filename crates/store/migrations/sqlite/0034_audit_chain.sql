-- The audit log cannot be rewritten (P-4; issue 19 point 5). Keep in step with
-- ../postgres/0034_audit_chain.sql.
--
-- Every row is a link of a hash chain: seq numbers the rows 1, 2, 3 … in chain order,
-- prev_hash is the hash of the row at seq - 1 (64 zeros for the first), and
-- hash = SHA-256(prev_hash ‖ the row's fields), lowercase hex; the encoding of the fields is
-- jospar_store::audit::row_hash. audit_chain keeps the chain's head (the last seq and hash) in
-- one row; a writer takes it with UPDATE … RETURNING in the transaction that appends, so that
-- appends are serialised (Tx::commit appends the transaction's audit rows last).
--
-- Rows written before this migration are chained at the first start after it, in id order
-- (Db::migrate runs jospar_store::audit::chain_unchained): filling seq, prev_hash and hash of
-- a row that has none is the one UPDATE the log allows, its other fields unchanged.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log(seq);

CREATE TABLE audit_chain (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- INSERT OR REPLACE / REPLACE INTO would delete the row of the same id (or seq, or rowid) and
-- write another in its place; the delete of REPLACE does not fire the delete trigger (unless
-- recursive_triggers is on), so the insert itself is refused.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR seq = NEW.seq OR rowid = NEW.rowid)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: a row with this id exists'); END;
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
WHEN NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL
BEGIN SELECT RAISE(ABORT, 'audit_log rows are chained: seq, prev_hash and hash are required'); END;

DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
    AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
    AND NEW.rowid = OLD.rowid AND NEW.id = OLD.id AND NEW.at IS OLD.at
    AND NEW.user_id IS OLD.user_id AND NEW.login IS OLD.login AND NEW.iin IS OLD.iin
    AND NEW.org_id IS OLD.org_id AND NEW.entity IS OLD.entity AND NEW.entity_id IS OLD.entity_id
    AND NEW.action IS OLD.action AND NEW.old_value IS OLD.old_value
    AND NEW.new_value IS OLD.new_value AND NEW.reason IS OLD.reason)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The head only moves forward and is never removed.
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN SELECT RAISE(ABORT, 'audit_chain is kept'); END;
CREATE TRIGGER audit_chain_forward BEFORE UPDATE ON audit_chain
WHEN NEW.id IS NOT OLD.id OR NEW.seq < OLD.seq
BEGIN SELECT RAISE(ABORT, 'audit_chain only moves forward'); END;
