-- Report jobs: a lease so that one worker at a time produces a report (a
-- job rescued after a crash waits for a live worker's lease to lapse), the
-- key of the JSON preview of the rows, and installation settings such as
-- the key that signs CSV links, shared by every node through the database.
ALTER TABLE report_requests ADD COLUMN lease_owner TEXT;
ALTER TABLE report_requests ADD COLUMN lease_until BIGINT;
ALTER TABLE report_requests ADD COLUMN data_key TEXT;
ALTER TABLE report_requests ADD COLUMN truncated BIGINT NOT NULL DEFAULT 0;
CREATE INDEX report_requests_expiry ON report_requests (status, expires_at);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
