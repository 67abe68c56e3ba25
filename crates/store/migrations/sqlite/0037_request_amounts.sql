-- The amount of a budget request for its campaign's first planning year, kept with the request
-- (issue 20: the requests list shows and sorts by it; summing the line years of a region's
-- requests on every page took most of the page's time). jospar_planning::repo keeps it in the
-- transaction that writes the request's line years (refresh_amount). Keep in step with
-- ../postgres/0037_request_amounts.sql.
ALTER TABLE budget_requests ADD COLUMN amount BIGINT NOT NULL DEFAULT 0;
UPDATE budget_requests SET amount = totals.amount
FROM (
    SELECT y.request_id, CAST(SUM(y.amount) AS BIGINT) AS amount
    FROM request_line_years y
    JOIN budget_requests r ON r.id = y.request_id
    JOIN limit_campaigns c ON c.id = r.campaign_id
    WHERE y.year = c.first_year
    GROUP BY y.request_id
) AS totals
WHERE totals.request_id = budget_requests.id;
