-- The trail's records move to segment files (segments.go); the database
-- keeps their indexes. The events and resources tables of 0001 are
-- converted into segments and dropped by Open (upgrade.go), not here.

-- Posting lists: per (account, management, attribute, value, second), the
-- seqs of one indexer batch, ascending, delta-varint encoded; first (the
-- batch's first seq of the group) keeps the rows of one second written by
-- two batches apart. attr: 0 every event (value ''), 1 EventName,
-- 2 ReadOnly, 3 Username, 4 EventSource, 5 AccessKeyId, 6 Principal,
-- 7 ResourceType, 8 ResourceName.
CREATE TABLE postings (
    account    TEXT    NOT NULL,
    management INTEGER NOT NULL,
    attr       INTEGER NOT NULL,
    value      TEXT    NOT NULL,
    sec        INTEGER NOT NULL,
    first      INTEGER NOT NULL,
    seqs       BLOB    NOT NULL,
    PRIMARY KEY (account, management, attr, value, sec, first)
) WITHOUT ROWID;
-- Retention deletes by time.
CREATE INDEX postings_by_sec ON postings (sec);

-- EventId lookups, and the deduplication of an event written twice.
CREATE TABLE event_ids (
    id  TEXT    NOT NULL PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;

-- The segment files: their seqs, newest event time (unix seconds) and
-- number of records, as indexed.
CREATE TABLE segments (
    number    INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    max_time  INTEGER NOT NULL
);

-- The index's high-water mark ('indexed': the address just after the last
-- record indexed) and retention's bound ('retained': the first second kept).
CREATE TABLE trail_state (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
