-- Staffing tables (ST-1…ST-3). Keep in step with ../postgres/0009_staffing.sql.
-- Pay reference tables (ST-2): one table's value valid from a date, as JSON of the domain type
-- (base_salary, mci, minimum_wage: an amount in tiyn; grid; rates).
CREATE TABLE pay_reference (
    id BIGINT PRIMARY KEY,
    table_name TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    value_json TEXT NOT NULL,
    UNIQUE (table_name, valid_from)
);
-- The positions of an institution for one year of the planning period.
CREATE TABLE staffing_tables (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    positions_json TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, year)
);
