-- The journal of exchanges with external systems (ShEP, NCANode, the Region passport portal, the
-- open-budgets portal; section I): one row per attempt, failures included, written by the
-- adapter kit's client through jospar_execution::journal. Keep in step with
-- ../sqlite/0033_exchange_journal.sql.
-- url never holds a user, password or secret query value; outcome is ok or error (with error).
CREATE TABLE exchange_journal (
    id BIGINT PRIMARY KEY,
    system TEXT NOT NULL,
    operation TEXT NOT NULL,
    direction TEXT NOT NULL,
    url TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    duration_ms BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    http_status BIGINT,
    bytes_sent BIGINT NOT NULL,
    bytes_received BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT
);
CREATE INDEX exchange_journal_by_system ON exchange_journal (system, started_at);
