-- Electronic signatures of budget requests (P-9, BP-6): the exact bytes signed, the CMS as
-- received (base64 of BER/DER) and who the verified certificate names.
-- Keep in step with ../postgres/0008_signatures.sql.
CREATE TABLE request_signatures (
    id BIGINT PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES budget_requests(id),
    request_version BIGINT NOT NULL,
    data TEXT NOT NULL,
    data_sha256 TEXT NOT NULL,
    cms TEXT NOT NULL,
    signer_iin TEXT NOT NULL,
    signer_bin TEXT,
    signer_name TEXT NOT NULL,
    cert_serial TEXT NOT NULL,
    cert_not_after TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
CREATE INDEX request_signatures_request ON request_signatures(request_id);
