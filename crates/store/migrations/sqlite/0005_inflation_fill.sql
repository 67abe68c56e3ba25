-- Undo of the inflation fill (BP-11). Keep in step with ../postgres/0005_inflation_fill.sql.
CREATE TABLE request_fill_undo (
    request_id BIGINT PRIMARY KEY REFERENCES budget_requests(id),
    version_after BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    created_at TEXT NOT NULL
);
