-- Kept request totals with the campaign's four years as columns (issue 7): y0 the current
-- (report) year, y1…y3 the three planning years (BP-1), of one administrator and codes in one
-- row. A consolidated request (appendices 58/59) shows these years across, so its answer is one
-- row per codes instead of four.
-- Keep in step with ../postgres/0032_request_totals_by_year.sql.
CREATE TABLE request_totals_by_year (
    node_id BIGINT NOT NULL REFERENCES orgs(id),
    campaign_id BIGINT NOT NULL,
    admin_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    y0 BIGINT NOT NULL,
    y1 BIGINT NOT NULL,
    y2 BIGINT NOT NULL,
    y3 BIGINT NOT NULL,
    PRIMARY KEY (node_id, campaign_id, admin_id, program, subprogram, specific)
) WITHOUT ROWID;
INSERT INTO request_totals_by_year (node_id, campaign_id, admin_id, program, subprogram, specific,
    y0, y1, y2, y3)
SELECT t.node_id, t.campaign_id, t.admin_id, t.program, t.subprogram, t.specific,
    SUM(CASE WHEN t.year = lc.first_year - 1 THEN t.amount ELSE 0 END),
    SUM(CASE WHEN t.year = lc.first_year THEN t.amount ELSE 0 END),
    SUM(CASE WHEN t.year = lc.first_year + 1 THEN t.amount ELSE 0 END),
    SUM(CASE WHEN t.year = lc.first_year + 2 THEN t.amount ELSE 0 END)
FROM request_totals t JOIN limit_campaigns lc ON lc.id = t.campaign_id
GROUP BY t.node_id, t.campaign_id, t.admin_id, t.program, t.subprogram, t.specific
ORDER BY t.node_id, t.campaign_id, t.admin_id, t.program, t.subprogram, t.specific;
DROP TABLE request_totals;
ALTER TABLE request_totals_by_year RENAME TO request_totals;
