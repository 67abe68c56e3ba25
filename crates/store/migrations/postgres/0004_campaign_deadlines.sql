-- Deadlines of a campaign in working days (BP-7, P-17). Keep in step with ../sqlite/0004_campaign_deadlines.sql.
ALTER TABLE limit_campaigns ADD COLUMN opened_on DATE NOT NULL DEFAULT '2026-01-01';
ALTER TABLE limit_campaigns ADD COLUMN request_days BIGINT NOT NULL DEFAULT 10;
