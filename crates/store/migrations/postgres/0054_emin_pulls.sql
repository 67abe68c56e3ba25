-- e-Minfin forms pulled as a service (issue 24): the digest of the bytes a pulled form was
-- imported from, kept with the form, so that pulling the same form again changes nothing.
-- Empty for a form imported from a file. Keep in step with the other engine's 0054.
ALTER TABLE treasury_reports ADD COLUMN pulled_digest TEXT;
