-- Module "Budget planning" (SPEC BP-1, BP-2, BP-4, BP-8, BP-10, P-14). Keep in step with ../sqlite/0003_planning.sql.
CREATE TABLE calc_forms (
    code TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE budget_requests (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES limit_campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    stage_org_id BIGINT REFERENCES orgs(id),
    return_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX budget_requests_org ON budget_requests(campaign_id, org_id);

-- A line's id is its expense identifier (P-14): generated once, never changed.
CREATE TABLE request_lines (
    id BIGINT PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES budget_requests(id),
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    limit_kind TEXT NOT NULL,
    form_code TEXT NOT NULL,
    project TEXT NOT NULL
);

CREATE TABLE request_line_years (
    request_id BIGINT NOT NULL REFERENCES budget_requests(id),
    line_id BIGINT NOT NULL REFERENCES request_lines(id),
    year BIGINT NOT NULL,
    rows_json TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (request_id, line_id, year)
);
