-- The employer's request to block an oversight access when the employee leaves (issue 6,
-- OV-3): the system must block within 3 working days of it. Keep in step with
-- ../sqlite/0020_oversight_block_requests.sql.
ALTER TABLE oversight_access ADD COLUMN block_requested_by TEXT;
ALTER TABLE oversight_access ADD COLUMN block_requested_on DATE;
ALTER TABLE oversight_access ADD COLUMN block_request_reason TEXT;
