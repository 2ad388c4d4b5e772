// Package sqlite keeps the audit trail of an embedded deployment: each
// event's record in append-only segment files (segments.go: DIR/trail/,
// beside DIR/trail.db), and their indexes in a SQLite database file of its
// own, with the store's driver and settings (modernc.org/sqlite, WAL,
// synchronous(FULL), one writer connection beginning with BEGIN IMMEDIATE,
// a pool of read-only connections).
//
// Write gives its entries' records their addresses (segment << 40 |
// offset: an entry's Seq) and copies them into the ring (ring.go:
// DIR/trail/ring, a file of 1 MiB mapped in memory, its pages written once
// at Open and reused): once there they survive the process as a pwrite
// would, and a request is answered once its events are there. A flusher
// goroutine moves the ring's records to the current segment, one pwritev
// per 128 KiB, and the indexer flushes what it is about to index; Open
// replays what the ring held but the segments did not (a process that
// died before its flush). With Options.Sync, or for a write too large for
// the ring, the records go to the segment directly (fsynced with Sync),
// after what the ring holds. Writes may come from every request at once
// (the store is a trail.DirectWriter unless Options.Sync): they take the
// writer's lock in turn, bounded by the timeout, and queue their entries
// for the indexer under it, in address order. An indexer indexes them behind, in batches of up to 8,192
// (gathered for up to 250 ms unless a reader waits): per batch, one
// postings row per (account, management, attribute, value, second) holding
// the seqs of that group (delta-varint), the segments' bounds, and the
// high-water mark, all in one transaction. An event whose id is
// trail.NewEventID's (a UUIDv7 of its second) has nothing else: a lookup
// by its id reads its second's postings and compares the records' ids.
// An event with another id (an earlier version's, a caller's own) has an
// event_ids row, which finds it and deduplicates it (written twice,
// indexed once); Append looks a locatable id up before writing it. A Lookup (and
// Flush) first waits until everything written before it is indexed, then
// reads the posting rows newest second first, sorts each second's seqs,
// and reads the page's records with pread: order (time, seq) descending
// and cursors as trail.Store says. Retention (DeleteBefore) deletes
// postings by second and then whole segments. Open cuts a torn tail,
// indexes what was written past the high-water mark, and converts the
// trail of an earlier version (its events/resources tables and
// DIR/trail.journal) once (upgrade.go).
//
// Errors. Every call runs under its context's deadline, or [Options.Timeout]
// when the context has none. A call whose context is done (before it
// starts or while it runs) fails with an error wrapping trail.ErrUnavailable
// and the context's cause (context.Canceled, context.DeadlineExceeded); so
// does one that waited past busy_timeout for another process's lock
// (a Lookup waiting for an index that cannot be written), and any call
// after Close. Invalid entries and queries fail with an error that does
// not wrap trail.ErrUnavailable.
package sqlite
