-- The budget cycle as acts (issue 22, P-17): the working body's conclusion on one
-- administrator's requests, the budget commission's decision, the maslikhat's
-- decision approving the budget of a level for the planning period, the akimat's resolution
-- implementing it, and the later decisions refining or correcting it. Each act holds the
-- amounts of every budget program (by administrator, program and year) as that act sets them:
-- an adopted approval, refinement or correction is a version of the budget, kept whole, so
-- that any two compare line by line and the version in force on a day is one lookup.
-- Keep in step with ../sqlite/0043_budget_acts.sql.
CREATE TABLE budget_acts (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES limit_campaigns(id),
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    -- The first year of the planning period, as the campaign has it.
    first_year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- The administrator (ABP code) a conclusion is on; empty for an act on the whole budget.
    administrator TEXT NOT NULL,
    number TEXT NOT NULL,
    act_date DATE NOT NULL,
    based_on BIGINT REFERENCES budget_acts(id),
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    adopted_by TEXT,
    adopted_at TIMESTAMPTZ
);
CREATE INDEX budget_acts_campaign ON budget_acts(campaign_id);
-- A number is given once per kind of act of a budget's period.
CREATE UNIQUE INDEX budget_acts_number ON budget_acts(budget_id, first_year, kind, number);
-- A period is approved once, and a version is followed by one refinement or correction: two
-- adopted at the same moment are refused here.
CREATE UNIQUE INDEX budget_acts_one_approval ON budget_acts(campaign_id)
    WHERE kind = 'approval' AND status = 'adopted';
CREATE UNIQUE INDEX budget_acts_one_successor ON budget_acts(based_on)
    WHERE kind IN ('refinement', 'correction') AND status = 'adopted';

CREATE TABLE budget_act_lines (
    act_id BIGINT NOT NULL REFERENCES budget_acts(id),
    abp TEXT NOT NULL,
    program TEXT NOT NULL,
    year BIGINT NOT NULL,
    -- What the act started from (the requests, the commission's decision, the version in
    -- force), so an increase without a reason is refused and the report shows the change.
    base BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (act_id, abp, program, year)
);
