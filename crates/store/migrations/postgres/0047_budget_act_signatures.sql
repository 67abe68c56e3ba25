-- Budget acts are adopted with the electronic signature of the person of the authorized body
-- who adopts them (issue 22, P-9), over the act's canonical bytes (its number, date and every
-- line), and a draft has a deadline in working days that the start page shows.
-- Keep in step with ../sqlite/0047_budget_act_signatures.sql.
ALTER TABLE budget_acts ADD COLUMN due_on DATE;

CREATE TABLE budget_act_signatures (
    act_id BIGINT PRIMARY KEY REFERENCES budget_acts(id),
    act_version BIGINT NOT NULL,
    data TEXT NOT NULL,
    data_sha256 TEXT NOT NULL,
    cms TEXT NOT NULL,
    signer_iin TEXT NOT NULL,
    signer_bin TEXT,
    signer_name TEXT NOT NULL,
    cert_serial TEXT NOT NULL,
    cert_not_after TIMESTAMPTZ NOT NULL,
    signed_by TEXT NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL
);
