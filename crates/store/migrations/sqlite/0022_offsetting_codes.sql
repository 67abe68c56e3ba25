-- Mutually offsetting codes (issue 5, EX-R 30, "контроль взаимопогашаемых кодов"): pairs of an
-- expense of a paying budget (administrator, program, optionally subprogram: the transfer it
-- pays) and the receipts code under which the receiving budgets plan that money. The
-- authorized body keeps the list for a year; the control report sets the two plans side by
-- side month by month. Keep in step with ../postgres/0022_offsetting_codes.sql.
CREATE TABLE offsetting_codes (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    abp TEXT NOT NULL,
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    receipt_code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, year, abp, program, subprogram, receipt_code)
);
