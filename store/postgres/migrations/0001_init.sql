-- Records: one row per (kind, account, key). Keys are bytea so that any byte
-- (NUL included) is allowed and ordering and range scans are bytewise;
-- kind and account use the "C" collation so that they order bytewise too,
-- whatever the database's default collation is.
CREATE TABLE records (
    kind     text COLLATE "C" NOT NULL,
    account  text COLLATE "C" NOT NULL,
    key      bytea            NOT NULL,
    data     bytea            NOT NULL,
    revision bigint           NOT NULL,
    PRIMARY KEY (kind, account, key)
);

-- The change feed: one row per record written or deleted by a commit. The
-- primary key is the feed's order.
CREATE TABLE changes (
    revision bigint           NOT NULL,
    kind     text COLLATE "C" NOT NULL,
    account  text COLLATE "C" NOT NULL,
    key      bytea            NOT NULL,
    op       text             NOT NULL CHECK (op IN ('put', 'delete')),
    PRIMARY KEY (revision, kind, account, key)
);

-- The revision of the latest commit; exactly one row. Every read-write
-- transaction locks it first (SELECT ... FOR UPDATE), which serialises
-- writers across all nodes and hands out revisions in commit order.
CREATE TABLE revision (
    id      integer PRIMARY KEY CHECK (id = 1),
    current bigint  NOT NULL
);

INSERT INTO revision (id, current) VALUES (1, 0);
