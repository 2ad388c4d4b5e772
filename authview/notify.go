package authview

import (
	"context"
)

// Wake returns a callback for a store's change notifications (such as
// postgres.Store.Listen) that hands each revision to events without ever
// blocking the notifier. Give events a buffer of one: when a wake-up is
// already pending, a newer revision is dropped safely, because the pending
// wake-up leads to a Sync that reads everything committed up to the moment it
// runs, the dropped revision included.
func Wake(events chan<- int64) func(rev int64) {
	return func(rev int64) {
		select {
		case events <- rev:
		default:
		}
	}
}

// SyncOn runs Sync each time events delivers a revision the directory has not
// reached yet, until ctx ends or events is closed. It is how a node of a
// cluster applies other nodes' commits as soon as it hears of them; keep Run
// going beside it as the fallback for notifications that never arrive.
// Failed syncs are logged and retried at the next event (or by Run).
func (d *Directory) SyncOn(ctx context.Context, events <-chan int64) {
	for {
		select {
		case <-ctx.Done():
			return
		case rev, ok := <-events:
			if !ok {
				return
			}
			if rev <= d.Revision() {
				continue
			}
			if err := d.Sync(ctx); err != nil && ctx.Err() == nil {
				d.log.Warn("directory sync on notification failed", "revision", rev, "err", err)
			}
		}
	}
}
