-- Requests to open or close codes of the budget classification (P-15, issue 23): an
-- administrator asks for a program or subprogram under its administrator code, for a year,
-- with the reason; the budget-planning body of its budget approves (the order: number and
-- date; the codes a closed program took with it, as JSON) or refuses with its reason.
-- Keep in step with ../sqlite/0049_ebk_code_requests.sql.
CREATE TABLE ebk_code_requests (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    reviewer_org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_kk TEXT,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    decision_reason TEXT,
    order_number BIGINT,
    order_date DATE,
    closed_with TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMPTZ
);
CREATE INDEX ebk_code_requests_code ON ebk_code_requests(year, code);
