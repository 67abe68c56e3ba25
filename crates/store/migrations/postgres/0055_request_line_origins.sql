-- Budget requests as files (issue 24, P-14): a line loaded from another organisation's file
-- gets a new expense identifier (an identifier is never shared by two organisations); the
-- file's identifier is kept here, so that the mapping can be shown and followed. A line that
-- is deleted takes its record with it. Keep in step with the other engine's 0055.
CREATE TABLE request_line_origins (
    line_id BIGINT PRIMARY KEY REFERENCES request_lines(id) ON DELETE CASCADE,
    request_id BIGINT NOT NULL,
    file_expense_id BIGINT NOT NULL,
    file_name TEXT NOT NULL
);
CREATE INDEX request_line_origins_request ON request_line_origins (request_id);
