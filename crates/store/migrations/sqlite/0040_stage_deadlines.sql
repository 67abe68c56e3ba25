-- Deadlines of each stage of a campaign (issue 20), in working days one after another from
-- the opening: the institutions submit within request_days, then the committees, the
-- administrators and the authorized body each review within their own days, all set by the
-- authorized body when it opens the campaign. Keep in step with
-- ../postgres/0040_stage_deadlines.sql.
ALTER TABLE limit_campaigns ADD COLUMN committee_days BIGINT NOT NULL DEFAULT 5;
ALTER TABLE limit_campaigns ADD COLUMN administrator_days BIGINT NOT NULL DEFAULT 5;
ALTER TABLE limit_campaigns ADD COLUMN authority_days BIGINT NOT NULL DEFAULT 10;
