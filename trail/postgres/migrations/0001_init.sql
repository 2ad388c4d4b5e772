-- The audit trail: one row per entry, appended by every node of a cluster.
-- seq (a bigserial) is the order of insertion; event_time is unix seconds.
-- Text columns use the "C" collation: bytewise, as exact matching is.
CREATE TABLE trail_events (
    seq           bigserial        PRIMARY KEY,
    account       text COLLATE "C" NOT NULL,
    event_time    bigint           NOT NULL,
    event_id      text COLLATE "C" NOT NULL UNIQUE,
    event_name    text COLLATE "C" NOT NULL,
    event_source  text COLLATE "C" NOT NULL,
    username      text COLLATE "C" NOT NULL,
    access_key_id text COLLATE "C" NOT NULL,
    principal     text COLLATE "C" NOT NULL,
    read_only     boolean          NOT NULL,
    management    boolean          NOT NULL,
    json          bytea            NOT NULL
);

-- Retention deletes the oldest first.
CREATE INDEX trail_events_by_time ON trail_events (event_time, seq);
-- One index per way of looking up: equalities, then (event_time, seq), the
-- order of a lookup and the key of its cursor.
CREATE INDEX trail_events_by_account ON trail_events (account, management, event_time, seq);
CREATE INDEX trail_events_by_event_name ON trail_events (account, management, event_name, event_time, seq);
CREATE INDEX trail_events_by_read_only ON trail_events (account, management, read_only, event_time, seq);
CREATE INDEX trail_events_by_username ON trail_events (account, management, username, event_time, seq);
CREATE INDEX trail_events_by_event_source ON trail_events (account, management, event_source, event_time, seq);
CREATE INDEX trail_events_by_access_key_id ON trail_events (account, management, access_key_id, event_time, seq);
CREATE INDEX trail_events_by_principal ON trail_events (account, management, principal, event_time, seq);

-- The resources of each entry, in order (ord); owner is the resource's
-- account. type_first (name_first) marks the entry's first resource of its
-- type (name): only those rows are indexed, so a lookup finds an entry once.
CREATE TABLE trail_resources (
    seq        bigint           NOT NULL,
    ord        integer          NOT NULL,
    account    text COLLATE "C" NOT NULL,
    management boolean          NOT NULL,
    event_time bigint           NOT NULL,
    type       text COLLATE "C" NOT NULL,
    name       text COLLATE "C" NOT NULL,
    owner      text COLLATE "C" NOT NULL,
    type_first boolean          NOT NULL,
    name_first boolean          NOT NULL,
    PRIMARY KEY (seq, ord)
);

CREATE INDEX trail_resources_by_type ON trail_resources (account, management, type, event_time, seq) WHERE type_first = true;
CREATE INDEX trail_resources_by_name ON trail_resources (account, management, name, event_time, seq) WHERE name_first = true;
