-- The other publications of the open budget (issue 6, OB-1; rules of order No. 176-НҚ pp. 4–7):
-- budget reports, consolidated financial statements (by 5 July), the citizen's budget and the
-- results of state audit (within 15 working days of receipt), each registered with its due day
-- and published with its file; and the materials that confirm investment projects attached to
-- an implementation report (p. 10). Keep in step with ../sqlite/0027_open_budget_publications.sql.
CREATE TABLE ob_publications (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    title_ru TEXT NOT NULL,
    title_kk TEXT NOT NULL,
    received_on DATE,
    due_on DATE,
    registered_by TEXT NOT NULL,
    published_on DATE,
    published_by TEXT,
    file_name TEXT,
    content BYTEA
);
CREATE TABLE ob_materials (
    id BIGINT PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES ob_documents(id),
    file_name TEXT NOT NULL,
    content BYTEA NOT NULL
);
