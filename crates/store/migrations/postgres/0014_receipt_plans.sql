-- Plans of receipts (issue 5, EX-1). Keep in step with ../sqlite/0014_receipt_plans.sql.
-- One plan per organisation (the budget's authorized body) and fiscal year: the monthly
-- receipts by receipts classification code, as the JSON of the domain type (amounts in tiyn).
-- A draft is edited; the approved plan is frozen, with who approved it and when.
CREATE TABLE receipt_plans (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    status TEXT NOT NULL,
    lines_json TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    approved_by TEXT,
    approved_at TIMESTAMPTZ,
    UNIQUE (org_id, year)
);
