-- Budget programs are versioned with the budget (issue 22): when a version of the budget (the
-- maslikhat's approval, a refinement, a correction) is adopted, the passport of each program
-- of its campaign is kept as it stood — purpose and indicators — beside the act, whose lines
-- hold the program's amounts in that version. Keep in step with
-- ../postgres/0048_budget_program_versions.sql.
CREATE TABLE budget_program_versions (
    act_id BIGINT NOT NULL REFERENCES budget_acts(id),
    abp TEXT NOT NULL,
    program TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- The indicators as the passport held them (JSON array of kind, name, unit, plan, fact).
    indicators_json TEXT NOT NULL,
    PRIMARY KEY (act_id, abp, program)
);
