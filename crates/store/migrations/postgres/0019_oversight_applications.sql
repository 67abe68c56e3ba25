-- Applications of representative and audit bodies for access (issue 6, OV-1, OV-2). Keep in
-- step with ../sqlite/0019_oversight_applications.sql.
-- The application as the body filed it (JSON of the domain type), where it stands, who
-- reviewed it and when (the 2-working-day deadlines are counted from these dates), why it was
-- refused, and the accesses granted from it.
CREATE TABLE oversight_applications (
    id BIGINT PRIMARY KEY,
    request_json TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    decided_by TEXT,
    decided_on DATE,
    reason TEXT,
    granted_by TEXT,
    granted_on DATE,
    access_ids TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
