-- Records: one row per (kind, account, key). Keys are BLOBs so that ordering
-- and range scans are bytewise (memcmp) whatever the bytes are.
CREATE TABLE records (
    kind     TEXT    NOT NULL,
    account  TEXT    NOT NULL,
    key      BLOB    NOT NULL,
    data     BLOB    NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (kind, account, key)
) WITHOUT ROWID;

-- The change feed: one row per record written or deleted by a commit.
CREATE TABLE changes (
    revision INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    account  TEXT    NOT NULL,
    key      BLOB    NOT NULL,
    op       TEXT    NOT NULL CHECK (op IN ('put', 'delete')),
    PRIMARY KEY (revision, kind, account, key)
) WITHOUT ROWID;

-- The revision of the latest commit; exactly one row.
CREATE TABLE revision (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    current INTEGER NOT NULL
);

INSERT INTO revision (id, current) VALUES (1, 0);
