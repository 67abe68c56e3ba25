-- Read-only access of representative and audit bodies (issue 6, OV-3, OV-4). Keep in step with
-- ../postgres/0018_oversight_access.sql.
-- One row per access granted to an employee of a body: the kind of body and the region or body
-- that anchors its competence, the auditor grants it created (JSON list of role_grants ids), the
-- year it is valid, and its blocking (who, when, why) when the employer asks.
CREATE TABLE oversight_access (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    anchor_org_id BIGINT REFERENCES orgs(id),
    grant_ids TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    valid_until DATE NOT NULL,
    blocked_by TEXT,
    blocked_at TEXT,
    block_reason TEXT
);
