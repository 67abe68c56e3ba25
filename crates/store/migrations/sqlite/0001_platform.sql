-- Platform schema (issue 2; SPEC P-1, P-3, P-4, P-13). Keep in step with ../postgres/0001_platform.sql.
CREATE TABLE budgets (
    id BIGINT PRIMARY KEY,
    parent_id BIGINT REFERENCES budgets(id),
    level TEXT NOT NULL,
    kato TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL
);

CREATE TABLE orgs (
    id BIGINT PRIMARY KEY,
    parent_id BIGINT REFERENCES orgs(id),
    kind TEXT NOT NULL,
    scenario TEXT NOT NULL,
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    abp_code TEXT,
    bin TEXT,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    search_key TEXT NOT NULL,
    closed_on TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    login TEXT NOT NULL UNIQUE,
    iin TEXT NOT NULL,
    full_name TEXT NOT NULL,
    position TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    blocked BOOLEAN NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until TEXT,
    lang TEXT,
    search_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE role_grants (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    valid_until TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX role_grants_user ON role_grants(user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    revoked BOOLEAN NOT NULL
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    login TEXT NOT NULL,
    iin TEXT NOT NULL,
    org_id BIGINT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_login ON audit_log(login);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE ebk_codes (
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    parent_code TEXT,
    name_ru TEXT NOT NULL,
    name_kk TEXT,
    search_key TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (year, kind, code)
);

CREATE TABLE calendar_overrides (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    note TEXT NOT NULL
);
