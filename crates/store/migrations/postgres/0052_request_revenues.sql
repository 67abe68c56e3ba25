-- The revenues of a state enterprise's budget request (issue 23, P-2, BP-13): its paid
-- services, and the state order or subsidy of its administrator, each with its counterparty
-- and amount by year of the request. Keep in step with ../sqlite/0052_request_revenues.sql.
CREATE TABLE request_revenues (
    request_id BIGINT NOT NULL REFERENCES budget_requests(id),
    source TEXT NOT NULL,
    counterparty TEXT NOT NULL,
    year BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (request_id, source, counterparty, year)
);
