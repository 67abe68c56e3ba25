-- Execution reports imported from the open-budgets portal (issue 5, EX-R 18). Keep in step
-- with ../sqlite/0010_portal_execution.sql.
-- One imported file: a budget's execution tree, month by month, kept under the organisation
-- that imported it (its readers read it). Importing the same title again replaces it.
CREATE TABLE portal_imports (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    first_month TEXT NOT NULL,
    last_month TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, title)
);
-- A month's tree as the JSON of the domain type (nodes with amounts in tiyn).
CREATE TABLE portal_months (
    import_id BIGINT NOT NULL REFERENCES portal_imports(id),
    month TEXT NOT NULL,
    nodes_json TEXT NOT NULL,
    PRIMARY KEY (import_id, month)
);
