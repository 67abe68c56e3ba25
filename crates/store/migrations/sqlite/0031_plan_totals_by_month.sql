-- Kept plan totals with the twelve months as columns (issue 7): obligations o1…o12 and payments
-- p1…p12 of one administrator and codes in one row. A consolidated plan is answered by
-- administrator × program × specific with its months across, so a region's answer is one row
-- per codes instead of twelve, and the republic's is 12 times smaller to read.
-- Keep in step with ../postgres/0031_plan_totals_by_month.sql.
CREATE TABLE plan_totals_by_month (
    node_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    admin_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    specific TEXT NOT NULL,
    o1 BIGINT NOT NULL,
    o2 BIGINT NOT NULL,
    o3 BIGINT NOT NULL,
    o4 BIGINT NOT NULL,
    o5 BIGINT NOT NULL,
    o6 BIGINT NOT NULL,
    o7 BIGINT NOT NULL,
    o8 BIGINT NOT NULL,
    o9 BIGINT NOT NULL,
    o10 BIGINT NOT NULL,
    o11 BIGINT NOT NULL,
    o12 BIGINT NOT NULL,
    p1 BIGINT NOT NULL,
    p2 BIGINT NOT NULL,
    p3 BIGINT NOT NULL,
    p4 BIGINT NOT NULL,
    p5 BIGINT NOT NULL,
    p6 BIGINT NOT NULL,
    p7 BIGINT NOT NULL,
    p8 BIGINT NOT NULL,
    p9 BIGINT NOT NULL,
    p10 BIGINT NOT NULL,
    p11 BIGINT NOT NULL,
    p12 BIGINT NOT NULL,
    PRIMARY KEY (node_id, year, admin_id, program, subprogram, specific)
) WITHOUT ROWID;
-- In key order, so that (on PostgreSQL too) a node's rows start out side by side on disk.
INSERT INTO plan_totals_by_month (node_id, year, admin_id, program, subprogram, specific,
    o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12)
SELECT node_id, year, admin_id, program, subprogram, specific,
    SUM(CASE WHEN month = 1 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 2 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 3 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 4 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 5 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 6 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 7 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 8 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 9 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 10 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 11 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 12 THEN obligations ELSE 0 END),
    SUM(CASE WHEN month = 1 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 2 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 3 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 4 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 5 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 6 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 7 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 8 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 9 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 10 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 11 THEN payments ELSE 0 END),
    SUM(CASE WHEN month = 12 THEN payments ELSE 0 END)
FROM plan_totals
GROUP BY node_id, year, admin_id, program, subprogram, specific
ORDER BY node_id, year, admin_id, program, subprogram, specific;
DROP TABLE plan_totals;
ALTER TABLE plan_totals_by_month RENAME TO plan_totals;
