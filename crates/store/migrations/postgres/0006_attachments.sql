-- Supporting documents of budget requests (P-18). Keep in step with ../sqlite/0006_attachments.sql.
CREATE TABLE request_attachments (
    id BIGINT PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES budget_requests(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX request_attachments_request ON request_attachments(request_id);
