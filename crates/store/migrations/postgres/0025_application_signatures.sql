-- An application for oversight access is signed with the legal-entity signature of the body
-- that files it (issue 6, OV-1): filed as a draft, it reaches the authorized body (and its
-- 2 working days start) when signed. Keep in step with ../sqlite/0025_application_signatures.sql.
ALTER TABLE oversight_applications ADD COLUMN signature_json TEXT;
