-- Tenancy, users, groups, roles, profile attributes, notifications and tokens.
-- Times are epoch milliseconds (INTEGER) on both engines so that SQL stays portable.
CREATE TABLE networks (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE systems (
    id         TEXT PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks (id),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX systems_network ON systems (network_id, name);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    system_id  TEXT NOT NULL REFERENCES systems (id),
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    status     TEXT NOT NULL,
    last_seen  INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX users_system_email ON users (system_id, email);
CREATE INDEX users_system_role ON users (system_id, role);

CREATE TABLE roles (
    id        TEXT PRIMARY KEY,
    system_id TEXT NOT NULL REFERENCES systems (id),
    name      TEXT NOT NULL,
    type      TEXT NOT NULL,
    user_role TEXT NOT NULL,
    UNIQUE (system_id, user_role)
);

CREATE TABLE groups (
    id         TEXT PRIMARY KEY,
    system_id  TEXT NOT NULL REFERENCES systems (id),
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (system_id, name_key)
);

CREATE TABLE user_groups (
    user_id  TEXT NOT NULL REFERENCES users (id),
    group_id TEXT NOT NULL REFERENCES groups (id),
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON user_groups (group_id, user_id);

CREATE TABLE profile_attributes (
    id                   TEXT PRIMARY KEY,
    system_id            TEXT NOT NULL REFERENCES systems (id),
    position             INTEGER NOT NULL,
    label                TEXT NOT NULL,
    created_by_user_name TEXT NOT NULL DEFAULT '',
    viewable_by          TEXT NOT NULL DEFAULT '[]',
    question             TEXT NOT NULL DEFAULT '',
    required             INTEGER NOT NULL DEFAULT 0,
    for_roles            TEXT NOT NULL DEFAULT '[]',
    options              TEXT NOT NULL DEFAULT '[]',
    UNIQUE (system_id, label)
);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    message    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, created_at, id);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    network_id  TEXT NOT NULL REFERENCES networks (id),
    system_id   TEXT REFERENCES systems (id),
    user_id     TEXT REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);
CREATE INDEX groups_system_name ON groups (system_id, name_key);
