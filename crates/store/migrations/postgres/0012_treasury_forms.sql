-- Treasury forms imported from e-Minfin (issue 5, EX-5). Keep in step with
-- ../sqlite/0012_treasury_forms.sql.
-- One form of one organisation at one report date; its rows as the JSON of the domain type
-- (codes and amounts in tiyn). Importing the same form, organisation and date replaces it.
CREATE TABLE treasury_reports (
    id BIGINT PRIMARY KEY,
    form TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    report_date DATE NOT NULL,
    file_name TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    rows_json TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    UNIQUE (form, org_id, report_date)
);
