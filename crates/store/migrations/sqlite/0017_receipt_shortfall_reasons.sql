-- Reasons why a plan of receipts was not fulfilled (issue 5, EX-R 24, appendix 2 of order
-- No. 629). Keep in step with ../postgres/0017_receipt_shortfall_reasons.sql.
-- One reason per plan, month (the last month of the reporting period, "2027-03") and receipts
-- code; a new reason replaces the old one (the audit log keeps both).
CREATE TABLE receipt_shortfall_reasons (
    receipt_plan_id BIGINT NOT NULL REFERENCES receipt_plans(id),
    month TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (receipt_plan_id, month, code)
);
