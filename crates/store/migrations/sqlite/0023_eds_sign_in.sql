-- Signing in with an electronic signature (issue 6, OV-5; OB-3): the server gives a one-time
-- challenge, the browser signs it through NCALayer, the server verifies the CMS over it and
-- takes the person from the certificate. A challenge is used once and lives 5 minutes.
-- An oversight access records the BIN of the body whose employee it is: its holder signs in
-- only with that body's legal-entity certificate. Keep in step with ../postgres/0023_eds_sign_in.sql.
CREATE TABLE eds_challenges (
    nonce TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);
ALTER TABLE oversight_access ADD COLUMN body_bin TEXT;
