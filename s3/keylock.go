package s3

import (
	"context"
	"fmt"
	"sync"
)

// keyLocks serializes, per object key, the decisions that Object Lock
// makes in two steps: a permanent delete reads a version's retention and
// legal hold, then deletes it; PutObjectRetention and PutObjectLegalHold
// change them. Without it a retention or legal hold set between the read
// and the delete would be reported as set while the version is gone.
//
// The lock is the key's, not the version's: the upstream backend changes
// a version's metadata by copying it onto itself, which gives it a new
// version id (objectstore/upstream, "Costs"). It is held by one Gatehouse
// process; nodes of a cluster that share one upstream backend are not
// serialized with each other.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

// keyLock is one key's lock: a channel of one slot, so that waiting for
// it honours the request's context, and the number of holders and
// waiters, so that the entry goes when the last of them leaves.
type keyLock struct {
	slot  chan struct{}
	users int
}

func newKeyLocks() *keyLocks {
	return &keyLocks{m: map[string]*keyLock{}}
}

// lock takes the lock of bucket/key, waiting at most as long as ctx
// lives, and returns its release.
func (l *keyLocks) lock(ctx context.Context, bucket, key string) (unlock func(), err error) {
	name := bucket + "/" + key
	l.mu.Lock()
	k := l.m[name]
	if k == nil {
		k = &keyLock{slot: make(chan struct{}, 1)}
		l.m[name] = k
	}
	k.users++
	l.mu.Unlock()
	leave := func() {
		l.mu.Lock()
		k.users--
		if k.users == 0 {
			delete(l.m, name)
		}
		l.mu.Unlock()
	}
	select {
	case k.slot <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, errInternal(fmt.Errorf("s3: waiting for the object lock of %s: %w", name, ctx.Err()))
	}
	return func() {
		<-k.slot
		leave()
	}, nil
}
