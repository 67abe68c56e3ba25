-- The contracts of the development budget from Treasury form 4-09 (issue 25; DB-1, DB-3), the
-- units of the portal's contracts and the expense identifier of a plan point (DB-2, P-14). Keep
-- in step with the other engine's 0059.
--
-- Each contract registered with the Treasury for an organisation in a year: its codes
-- (administrator, program, subprogram, specific), number, date, supplier, amount, the
-- obligation of the year and what was paid to the form's date (tiyn), and the investment
-- project it builds. A contract is one per organisation, year, administrator and number: the
-- same form loaded again changes nothing.
CREATE TABLE treasury_contracts (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    abp TEXT NOT NULL,
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    number TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    supplier_bin TEXT NOT NULL,
    amount BIGINT NOT NULL,
    year_amount BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    paid_as_of TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES investment_projects(id),
    UNIQUE (org_id, year, abp, number)
);
CREATE INDEX treasury_contracts_project ON treasury_contracts (project_id);
-- The units (lines) of a portal contract: what each buys, for how much (tiyn, with and without
-- VAT, executed with VAT) and under which procurement plan point. A contract's units are
-- replaced whole when the contract is loaded again with its units.
CREATE TABLE procurement_contract_units (
    id BIGINT PRIMARY KEY,
    contract_id BIGINT NOT NULL REFERENCES procurement_contracts(id),
    plan_point_id BIGINT NOT NULL,
    quantity TEXT NOT NULL,
    total_sum BIGINT NOT NULL,
    total_sum_with_vat BIGINT NOT NULL,
    fact_sum_with_vat BIGINT NOT NULL,
    deleted BOOLEAN NOT NULL
);
CREATE INDEX procurement_contract_units_contract ON procurement_contract_units (contract_id);
CREATE INDEX procurement_contract_units_point ON procurement_contract_units (plan_point_id);
-- The expense identifier (P-14) of the request line a plan point buys for; none until linked.
ALTER TABLE procurement_plan_points ADD COLUMN expense_id BIGINT;
