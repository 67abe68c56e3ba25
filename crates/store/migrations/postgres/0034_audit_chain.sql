-- The audit log cannot be rewritten (P-4; issue 19 point 5). Keep in step with
-- ../sqlite/0034_audit_chain.sql.
--
-- Every row is a link of a hash chain: seq numbers the rows 1, 2, 3 … in chain order,
-- prev_hash is the hash of the row at seq - 1 (64 zeros for the first), and
-- hash = SHA-256(prev_hash ‖ the row's fields), lowercase hex; the encoding of the fields is
-- jospar_store::audit::row_hash. audit_chain keeps the chain's head (the last seq and hash) in
-- one row; a writer takes it with UPDATE … RETURNING in the transaction that appends, so that
-- concurrent appends are serialised on its row lock until commit (Tx::commit appends the
-- transaction's audit rows last, so the lock is the last one a transaction takes).
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

-- TRUNCATE fires no row trigger: a statement trigger refuses it. An INSERT of an existing id is
-- refused by the primary key, and INSERT … ON CONFLICT DO UPDATE fires the update trigger.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE FUNCTION audit_log_chained() RETURNS trigger AS $$
BEGIN
    IF NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL THEN
        RAISE EXCEPTION 'audit_log rows are chained: seq, prev_hash and hash are required';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_chained();

CREATE FUNCTION audit_log_fill_chain() RETURNS trigger AS $$
BEGIN
    IF OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
       AND ROW(NEW.id, NEW.at, NEW.user_id, NEW.login, NEW.iin, NEW.org_id, NEW.entity,
               NEW.entity_id, NEW.action, NEW.old_value, NEW.new_value, NEW.reason)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.at, OLD.user_id, OLD.login, OLD.iin, OLD.org_id, OLD.entity,
               OLD.entity_id, OLD.action, OLD.old_value, OLD.new_value, OLD.reason) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_fill_chain();

-- The head only moves forward and is never removed.
CREATE FUNCTION audit_chain_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.id IS DISTINCT FROM OLD.id OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'audit_chain only moves forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chain_forward BEFORE UPDATE OR DELETE ON audit_chain
FOR EACH ROW EXECUTE FUNCTION audit_chain_forward();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
