-- Module "Limits" (SPEC L-1…L-4). Keep in step with ../sqlite/0002_limits.sql.
CREATE TABLE limit_campaigns (
    id BIGINT PRIMARY KEY,
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    authority_org_id BIGINT NOT NULL REFERENCES orgs(id),
    first_year BIGINT NOT NULL,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    inflation2_bp BIGINT NOT NULL,
    inflation3_bp BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- One amount per campaign, receiving organisation, program ('' = the organisation's total),
-- year and kind of limit; the campaign leads the key (distribution key for Citus later).
CREATE TABLE limit_amounts (
    campaign_id BIGINT NOT NULL REFERENCES limit_campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    program TEXT NOT NULL,
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (campaign_id, org_id, program, year, kind)
);
