-- The budget program as a document of its administrator for the planning period (issue 22):
-- its purpose and its indicators of direct and final results, each with a unit, a plan by
-- year and, once the year has ended, the fact. Quantities are kept in hundredths (exact).
-- Keep in step with ../postgres/0046_budget_programs.sql.
CREATE TABLE budget_programs (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES limit_campaigns(id),
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    first_year BIGINT NOT NULL,
    abp TEXT NOT NULL,
    program TEXT NOT NULL,
    purpose TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX budget_programs_code ON budget_programs(campaign_id, abp, program);

CREATE TABLE program_indicators (
    program_id BIGINT NOT NULL REFERENCES budget_programs(id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    plan1 BIGINT NOT NULL,
    plan2 BIGINT NOT NULL,
    plan3 BIGINT NOT NULL,
    fact1 BIGINT,
    fact2 BIGINT,
    fact3 BIGINT,
    PRIMARY KEY (program_id, position)
);
