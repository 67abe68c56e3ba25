-- Individual financing plans by obligations and payments (issue 5, EX-1, EX-2). Keep in step
-- with ../sqlite/0011_financing_plans.sql.
-- One plan per institution and fiscal year, made from its approved budget request. While a
-- draft, lines_json holds the lines being shaped; once approved, the lines as approved, and
-- every later change is a dated document in plan_changes.
CREATE TABLE financing_plans (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    request_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    status TEXT NOT NULL,
    lines_json TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, year)
);
-- A change document (справка, refinement, correction) as the JSON of the domain type.
CREATE TABLE plan_changes (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES financing_plans(id),
    number BIGINT NOT NULL,
    doc_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (plan_id, number)
);
-- The EDS of the person who approved a plan (EX-6, P-9): the exact bytes signed, the CMS as
-- received (base64) and who the verified certificate names.
CREATE TABLE plan_signatures (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES financing_plans(id),
    plan_version BIGINT NOT NULL,
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
