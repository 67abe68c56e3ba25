-- Ad-hoc forms (P-16, issue 23): a body designs a table (columns with types, formulas and
-- checks as JSON; fixed row labels as JSON, empty for free rows) and sends it to a subtree
-- with a deadline; each organisation's copy holds its rows as JSON.
-- Keep in step with ../postgres/0050_adhoc_forms.sql.
CREATE TABLE adhoc_forms (
    id BIGINT PRIMARY KEY,
    owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
    root_org_id BIGINT NOT NULL REFERENCES orgs(id),
    title_ru TEXT NOT NULL,
    title_kk TEXT NOT NULL,
    columns_json TEXT NOT NULL,
    row_labels_json TEXT NOT NULL,
    deadline DATE NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE TABLE adhoc_responses (
    form_id BIGINT NOT NULL REFERENCES adhoc_forms(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    rows_json TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by TEXT,
    updated_at TEXT,
    PRIMARY KEY (form_id, org_id)
);
