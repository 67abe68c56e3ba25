-- Issue 7: a Treasury form's rows are kept in chunks of a few thousand, written as the file
-- is read, so that a form of any size is imported without being held whole as one text.
CREATE TABLE treasury_report_rows (
    report_id BIGINT NOT NULL REFERENCES treasury_reports(id) ON DELETE CASCADE,
    chunk BIGINT NOT NULL,
    rows_json TEXT NOT NULL,
    PRIMARY KEY (report_id, chunk)
);

INSERT INTO treasury_report_rows (report_id, chunk, rows_json)
    SELECT id, 0, rows_json FROM treasury_reports;

ALTER TABLE treasury_reports DROP COLUMN rows_json;
