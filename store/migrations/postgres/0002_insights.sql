-- Activity events (the fact table of every report), the catalogue their ids form,
-- Report Builder saved reports and report requests.
CREATE TABLE events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id   TEXT NOT NULL REFERENCES systems (id),
    id          TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    ts          BIGINT NOT NULL,
    type_alias  TEXT NOT NULL,
    action_data JSONB NOT NULL,
    UNIQUE (system_id, id)
);
CREATE INDEX events_system_ts ON events (system_id, ts);
CREATE INDEX events_user_ts ON events (user_id, ts);
CREATE INDEX events_system_type_ts ON events (system_id, type_alias, ts);

CREATE TABLE catalogue (
    system_id TEXT NOT NULL REFERENCES systems (id),
    kind      TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    label     TEXT NOT NULL,
    PRIMARY KEY (system_id, kind, item_id)
);

CREATE TABLE saved_reports (
    id            TEXT PRIMARY KEY,
    system_id     TEXT NOT NULL REFERENCES systems (id),
    owner_user_id TEXT NOT NULL REFERENCES users (id),
    title         TEXT NOT NULL,
    filter_model  TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX saved_reports_system ON saved_reports (system_id, created_at);

CREATE TABLE report_requests (
    id              TEXT PRIMARY KEY,
    network_id      TEXT NOT NULL REFERENCES networks (id),
    system_id       TEXT NOT NULL REFERENCES systems (id),
    token_id        TEXT NOT NULL,
    run_as_user_id  TEXT NOT NULL REFERENCES users (id),
    report          TEXT NOT NULL,
    filter_options  TEXT,
    saved_report_id TEXT,
    status          TEXT NOT NULL,
    progress        BIGINT NOT NULL DEFAULT 0,
    row_count       BIGINT,
    error           TEXT,
    blob_key        TEXT,
    created_at      BIGINT NOT NULL,
    completed_at    BIGINT,
    expires_at      BIGINT
);
CREATE INDEX report_requests_system ON report_requests (system_id, created_at);
CREATE INDEX report_requests_token ON report_requests (token_id, created_at);
