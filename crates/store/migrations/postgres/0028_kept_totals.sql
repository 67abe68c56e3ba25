-- Consolidated totals kept up to date as data changes (issue 7; TS "real-time consolidation").
-- Keep in step with ../sqlite/0028_kept_totals.sql.
--
-- plan_cells: the approved financing plans in force (every change document applied) as one row
-- per institution, year, codes and month: the detail a SQL report would group.
CREATE TABLE plan_cells (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    month BIGINT NOT NULL,
    obligations BIGINT NOT NULL,
    payments BIGINT NOT NULL,
    PRIMARY KEY (org_id, year, program, subprogram, specific, month)
);
-- plan_totals: for every organisation (node) the sum of plan_cells over its whole subtree, by
-- the administrator above each institution (admin_id 0: none), codes and month. Written in the
-- transaction that changes the plan, so a consolidated plan is read, not computed.
CREATE TABLE plan_totals (
    node_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    admin_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    month BIGINT NOT NULL,
    obligations BIGINT NOT NULL,
    payments BIGINT NOT NULL,
    PRIMARY KEY (node_id, year, admin_id, program, subprogram, specific, month)
);
-- request_totals: for every node the approved budget requests of its subtree (of each
-- organisation, the newest approved request of the campaign), by administrator, codes and year.
CREATE TABLE request_totals (
    node_id BIGINT NOT NULL REFERENCES orgs(id),
    campaign_id BIGINT NOT NULL,
    admin_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    year BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (node_id, campaign_id, admin_id, program, subprogram, specific, year)
);
-- The request of each organisation and campaign that request_totals counts.
CREATE TABLE request_counted (
    campaign_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    request_id BIGINT NOT NULL REFERENCES budget_requests(id),
    PRIMARY KEY (campaign_id, org_id)
);
-- Lines of one request are read on every page of it.
CREATE INDEX request_lines_request ON request_lines(request_id);
-- Which institutions have an approved plan of a year, without reading the plans' lines.
CREATE INDEX financing_plans_year_status ON financing_plans(year, status, org_id);
