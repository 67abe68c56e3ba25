-- Budget requests carry a number per organisation and year (issue 20: lists show БЗ-2027-0042,
-- never an internal id): the year is the campaign's first planning year, the numbers 1, 2, 3 …
-- in the order the organisation created its requests for it (a refinement or correction is a
-- new document with its own number). Keep in step with ../sqlite/0036_request_numbers.sql.
ALTER TABLE budget_requests ADD COLUMN number BIGINT NOT NULL DEFAULT 0;
UPDATE budget_requests SET number = numbered.n
FROM (
    SELECT r.id, ROW_NUMBER() OVER (PARTITION BY r.org_id, c.first_year ORDER BY r.created_at, r.id) AS n
    FROM budget_requests r JOIN limit_campaigns c ON c.id = r.campaign_id
) AS numbered
WHERE numbered.id = budget_requests.id;
CREATE INDEX budget_requests_number ON budget_requests(org_id, number);
