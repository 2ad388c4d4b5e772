package sqlite

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// eventIDRows returns the ids event_ids holds, sorted.
func eventIDRows(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.R.QueryContext(t.Context(), `SELECT id FROM event_ids ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestLocatableEventIDs: an event whose id is trail.NewEventID's (a UUIDv7
// of its second) is indexed without an event_ids row and found by its id
// through its second's postings; other ids (an earlier version's random
// UUIDs, a UUIDv7 of another second) keep their row and are found by it.
// Lookups by id keep the query's account, data events, time bounds and
// retention; Append stores a locatable id once.
func TestLocatableEventIDs(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	idA, idB, idD := trail.NewEventID(t0), trail.NewEventID(t0.Add(999*time.Millisecond)), trail.NewEventID(t0.Add(5*time.Second))
	a := entry(idA, 0)
	b := entry(idB, 0)
	b.Management = false                                  // a data event
	c := entry("3f0b8c1e-2d4a-4f6b-8c9d-0e1f2a3b4c5d", 0) // an earlier version's UUIDv4
	d := entry(idD, 0)                                    // a UUIDv7 whose second is not its event's
	// Many events in the same second, the one looked up among them.
	var crowd []trail.Entry
	for range 500 {
		crowd = append(crowd, entry(trail.NewEventID(t0), 0))
	}
	batch := append([]trail.Entry{a, b, c, d}, crowd...)
	if err := s.Write(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	wantRows := []string{c.EventID, idD}
	slices.Sort(wantRows)
	want(t, "event_ids rows", eventIDRows(t, s), wantRows...)

	byID := func(id string) trail.Query { return trail.Query{Key: trail.ByEventID, Value: id} }
	want(t, "locatable", ids(t, s, byID(idA)), idA)
	want(t, "locatable, in a crowd", ids(t, s, byID(crowd[321].EventID)), crowd[321].EventID)
	want(t, "legacy id", ids(t, s, byID(c.EventID)), c.EventID)
	want(t, "UUIDv7 of another second", ids(t, s, byID(idD)), idD)
	want(t, "data event", ids(t, s, byID(idB)))
	q := byID(idB)
	q.IncludeData = true
	want(t, "data event, with data", ids(t, s, q), idB)
	q = byID(idA)
	q.Account = "444455556666"
	want(t, "another account", ids(t, s, q))
	q = byID(idA)
	q.End = t0.Add(-time.Second)
	want(t, "before its time", ids(t, s, q))
	q = byID(idA)
	q.Principal = "arn:aws:iam::" + acct + ":user/carol"
	want(t, "another principal", ids(t, s, q))
	want(t, "an unknown UUIDv7 of the second", ids(t, s, byID(trail.NewEventID(t0))))

	// Append stores a locatable id once, across calls and within one.
	e := entry(trail.NewEventID(t0.Add(2*time.Second)), 2)
	again := a
	again.EventName = "Changed"
	if err := s.Append(t.Context(), []trail.Entry{again, e, e}); err != nil {
		t.Fatal(err)
	}
	want(t, "after Append", ids(t, s, trail.Query{Key: trail.ByEventName, Value: "Changed"}))
	got := ids(t, s, trail.Query{Start: t0.Add(2 * time.Second)})
	want(t, "appended twice", got, e.EventID)
	want(t, "event_ids rows after Append", eventIDRows(t, s), wantRows...)

	// Retention: once its postings are gone, the id finds nothing.
	if _, err := s.DeleteBefore(t.Context(), t0.Add(time.Second), 10_000); err != nil {
		t.Fatal(err)
	}
	want(t, "locatable after retention", ids(t, s, byID(idA)))
	want(t, "legacy after retention", ids(t, s, byID(c.EventID)))
	want(t, "newer, after retention", ids(t, s, byID(e.EventID)), e.EventID)
}

// TestLocatableIDsSurviveReopen: after a restart, the records written but
// not indexed (Write, then Close before the indexer ran) are indexed from
// the segments, and found by their ids.
func TestLocatableIDsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	var batch []trail.Entry
	for i := range 20 {
		batch = append(batch, entry(trail.NewEventID(t0.Add(time.Duration(i)*time.Second)), i))
	}
	if err := s.Write(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, e := range batch {
		want(t, fmt.Sprint("event ", i), ids(t, s, trail.Query{Key: trail.ByEventID, Value: e.EventID}), e.EventID)
	}
	want(t, "event_ids rows", eventIDRows(t, s))
}
