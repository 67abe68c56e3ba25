-- Refinements and corrections as new versions of an approved request (BP-2, P-14, P-17).
-- Keep in step with ../postgres/0007_request_versions.sql.
ALTER TABLE budget_requests ADD COLUMN based_on BIGINT;
-- The expense identifier is carried from version to version; 0 = the line's own id (older rows).
ALTER TABLE request_lines ADD COLUMN expense_id BIGINT NOT NULL DEFAULT 0;
