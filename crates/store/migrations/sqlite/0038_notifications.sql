-- The one notification service (issue 20): a notice to each user who must act on a change (a
-- request sent for their review, returned to them, approved), written in the transaction of the
-- change, with its text in both languages as it was said. E-mail, when an SMTP relay is set,
-- goes out after the commit from the rows not yet mailed (mailed_at). Keep in step with
-- ../postgres/0038_notifications.sql.
CREATE TABLE notifications (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    text_ru TEXT NOT NULL,
    text_kk TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    mailed_at TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unmailed ON notifications(created_at) WHERE mailed_at IS NULL;
CREATE INDEX notifications_link ON notifications(link, kind);
