-- The report (fact) year of a budget request (issue 23): for each program, subprogram and
-- specific of the request, the executed amount of the year before the current one — filled
-- from the Treasury's form of cash execution where the system has it ('execution', with the
-- form and date in basis), typed otherwise ('typed'). Keep in step with
-- ../sqlite/0051_request_report_year.sql.
CREATE TABLE request_report_year (
    request_id BIGINT NOT NULL REFERENCES budget_requests(id),
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    amount BIGINT NOT NULL,
    source TEXT NOT NULL,
    basis TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, program, subprogram, specific)
);
