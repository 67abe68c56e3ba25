-- Training of users on the system's functions (issue 6, P-12; seed 000 p.13): oversight access
-- starts only for an employee who passed a session; the training report is due within 5
-- working days of the session. Keep in step with ../sqlite/0021_training_sessions.sql.
CREATE TABLE training_sessions (
    id BIGINT PRIMARY KEY,
    held_on DATE NOT NULL,
    topic TEXT NOT NULL,
    trainer TEXT NOT NULL,
    passed_json TEXT NOT NULL,
    report_issued_on DATE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
