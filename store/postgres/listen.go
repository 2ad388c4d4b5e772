package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gatehouse-iam/gatehouse/store"
)

// Reconnection backoff of Listen: it doubles from listenMinBackoff up to
// listenMaxBackoff while the database cannot be reached, with jitter, and
// starts again from the minimum once a connection has been established.
const (
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 5 * time.Second
)

// listenCheckInterval is how long Listen waits for a notification before it
// checks that its connection still answers (a round trip bounded by the
// store's timeout). A database that stops answering is thus noticed within
// about listenCheckInterval + timeout, without relying on TCP, whose
// keepalives a middlebox may answer.
const listenCheckInterval = 10 * time.Second

// Listen calls fn with the revision of every commit to the store, by any node,
// until ctx ends; it then returns ctx's cause. It holds one dedicated
// connection (outside the pool) that LISTENs on the store's channel, and
// reconnects with backoff whenever that connection fails.
//
// The connection is checked with a round trip whenever no notification
// has come for listenCheckInterval; connecting, and every round trip, are
// bounded by the store's timeout.
//
// Notifications can be missed while the connection is down, so after every
// (re)connection Listen also calls fn with the store's current revision: a
// caller that syncs up to the latest revision when called loses nothing.
// Revisions may therefore be repeated or arrive out of order; treat each call
// as "the store has reached at least rev". fn runs on Listen's goroutine and
// should return quickly (hand the revision to a channel, for instance).
func (s *Store) Listen(ctx context.Context, fn func(rev int64)) error {
	backoff := listenMinBackoff
	for {
		connected, err := s.listenOnce(ctx, fn)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if connected {
			backoff = listenMinBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		s.log.Warn("postgres: change notifications interrupted; reconnecting", "err", err, "retry_in", wait.Round(time.Millisecond).String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
		}
		backoff = min(backoff*2, listenMaxBackoff)
	}
}

// listenOnce connects, LISTENs, reports the current revision and then every
// notification, until the connection fails or ctx ends. connected reports
// that the LISTEN was established.
func (s *Store) listenOnce(ctx context.Context, fn func(rev int64)) (connected bool, err error) {
	sctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(sctx, s.listen)
	if err != nil {
		return false, mapErr(sctx, err, "listen: connect")
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		conn.Close(cctx) //nolint:errcheck // the connection is being abandoned
	}()
	if _, err := conn.Exec(sctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return false, mapErr(sctx, err, "listen")
	}
	var rev int64
	if err := conn.QueryRow(sctx, `SELECT current FROM revision WHERE id = 1`).Scan(&rev); err != nil {
		return true, mapErr(sctx, err, "listen: read revision")
	}
	cancel()
	fn(rev)
	for {
		n, err := s.waitForNotification(ctx, conn)
		if err != nil {
			return true, err
		}
		rev, err := strconv.ParseInt(n.Payload, 10, 64)
		if err != nil {
			// Not ours (someone else NOTIFYing on the channel): ignore it.
			s.log.Warn("postgres: ignoring a notification that is not a revision", "channel", n.Channel)
			continue
		}
		fn(rev)
	}
}

// waitForNotification waits for the next notification on conn until ctx
// ends, checking every listenCheckInterval without one that conn still
// answers. A wait cut short by its own timer leaves conn usable: pgx only
// interrupts the read (a timeout error) and does not close the connection.
func (s *Store) waitForNotification(ctx context.Context, conn *pgx.Conn) (*pgconn.Notification, error) {
	for {
		wctx, cancel := context.WithTimeout(ctx, listenCheckInterval)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			return n, nil
		case ctx.Err() != nil || !pgconn.Timeout(err) || conn.IsClosed():
			return nil, mapErr(ctx, err, "listen: wait")
		}
		pctx, cancel := context.WithTimeout(ctx, s.timeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return nil, mapErr(pctx, err, "listen: check the connection")
		}
	}
}

// exclusiveLockClass is the first key of the advisory locks taken by
// Exclusive ("excl" in ASCII).
const exclusiveLockClass = 0x6578636c

// Exclusive runs fn while holding a cluster-wide lock called name: a
// session-level advisory lock (pg_advisory_lock) on a connection taken from
// the pool for the duration, so fn runs on one node at a time. Use it for
// work that every node attempts at start but that must happen once, such as
// creating the management account on an empty database: the node that comes
// second finds the first one's work done. fn may use the store (it draws
// other connections from the pool). The lock is released when fn returns, or
// by PostgreSQL if the connection or the node dies. Waiting for the lock is
// bounded like a store call (ctx's deadline, else the store's timeout): a
// node that finds it held longer fails with an error wrapping
// store.ErrUnavailable.
func (s *Store) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (err error) {
	// Taking the lock is bounded like any store call (the server's
	// lock_timeout applies to the wait as well); fn bounds its own calls.
	lctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	conn, err := s.pool.Acquire(lctx)
	if err != nil {
		return mapErr(lctx, err, "exclusive: acquire connection")
	}
	defer conn.Release()
	lockName := s.schema + "/" + name
	if _, err := conn.Exec(lctx, `SELECT pg_advisory_lock($1, hashtext($2))`, int32(exclusiveLockClass), lockName); err != nil {
		return mapErr(lctx, err, "exclusive: lock "+name)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
		defer cancel()
		var released bool
		uerr := conn.QueryRow(uctx, `SELECT pg_advisory_unlock($1, hashtext($2))`, int32(exclusiveLockClass), lockName).Scan(&released)
		if uerr != nil || !released {
			// Ending the session is the other way to release the lock.
			conn.Conn().Close(uctx) //nolint:errcheck // closing is the remedy
			if uerr == nil {
				uerr = errors.New("lock was not held")
			}
			err = errors.Join(err, fmt.Errorf("postgres: exclusive: unlock %s: %w", name, uerr))
		}
	}()
	return fn(ctx)
}
