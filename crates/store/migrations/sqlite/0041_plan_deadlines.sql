-- Deadlines of a budget year's financing plans (issue 20, P-17: control of document deadlines),
-- set by a planning body (an authorized body or administrator) for its subtree, in working days
-- one after the other from opens_on (the day the budget was approved): the plans approved within
-- plan_days, then accepted by the Treasury within treasury_days. The nearest organisation above
-- a plan's own that set the year's deadlines is the one that counts. Keep in step with
-- ../postgres/0041_plan_deadlines.sql.
CREATE TABLE plan_deadlines (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    opens_on DATE NOT NULL,
    plan_days BIGINT NOT NULL,
    treasury_days BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);
