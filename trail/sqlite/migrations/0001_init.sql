-- The audit trail: one row per entry. seq is the order of insertion
-- (AUTOINCREMENT: never reused, even after retention deleted the newest
-- rows); event_time is unix seconds. Every index ends with the rowid, seq,
-- so (..., event_time) indexes order by (event_time, seq).
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    account       TEXT    NOT NULL,
    event_time    INTEGER NOT NULL,
    event_id      TEXT    NOT NULL UNIQUE,
    event_name    TEXT    NOT NULL,
    event_source  TEXT    NOT NULL,
    username      TEXT    NOT NULL,
    access_key_id TEXT    NOT NULL,
    principal     TEXT    NOT NULL,
    read_only     INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    management    INTEGER NOT NULL CHECK (management IN (0, 1)),
    json          BLOB    NOT NULL
);

-- Retention deletes the oldest first.
CREATE INDEX events_by_time ON events (event_time);
-- One index per way of looking up, each an equality prefix then the time.
CREATE INDEX events_by_account ON events (account, management, event_time);
CREATE INDEX events_by_event_name ON events (account, management, event_name, event_time);
CREATE INDEX events_by_read_only ON events (account, management, read_only, event_time);
CREATE INDEX events_by_username ON events (account, management, username, event_time);
CREATE INDEX events_by_event_source ON events (account, management, event_source, event_time);
CREATE INDEX events_by_access_key_id ON events (account, management, access_key_id, event_time);
CREATE INDEX events_by_principal ON events (account, management, principal, event_time);

-- The resources of each entry, in order (ord); owner is the resource's
-- account. type_first (name_first) marks the entry's first resource of its
-- type (name): only those rows are indexed, so a lookup finds an entry once.
CREATE TABLE resources (
    seq        INTEGER NOT NULL,
    ord        INTEGER NOT NULL,
    account    TEXT    NOT NULL,
    management INTEGER NOT NULL,
    event_time INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    type_first INTEGER NOT NULL,
    name_first INTEGER NOT NULL,
    PRIMARY KEY (seq, ord)
) WITHOUT ROWID;

CREATE INDEX resources_by_type ON resources (account, management, type, event_time, seq) WHERE type_first = 1;
CREATE INDEX resources_by_name ON resources (account, management, name, event_time, seq) WHERE name_first = 1;
