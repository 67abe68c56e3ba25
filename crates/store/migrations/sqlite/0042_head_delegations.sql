-- Acting heads (issue 21: the head of an institution signs its budget request before it goes
-- up, or an acting head named by a dated delegation): who acts for the head of an
-- organisation, from which day to which day, on what basis (an order, say). A revoked
-- delegation stays, marked. Keep in step with ../postgres/0042_head_delegations.sql.
CREATE TABLE head_delegations (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    acting_user_id BIGINT NOT NULL REFERENCES users(id),
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL,
    basis TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX head_delegations_org ON head_delegations(org_id);
