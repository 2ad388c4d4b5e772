package sqlite

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// plan returns the lines of SQLite's query plan of statement q with args.
func plan(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.db.R.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN %s: %v", q, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// searches returns the plan lines of the index range scans a lookup by
// key (with a principal or not) may make: the account, management and
// the attribute (or the principal) equalities, the time a range when
// bounded; EventId's unique index finds one row; a resource attribute
// scans the resources index and reads each entry by its seq. (A cursor's
// row value bounds the seek by (event_time, seq) in the resources indexes,
// where seq is a column; in the events indexes, which end with the rowid,
// by event_time, and the entries of the cursor's second after it are
// skipped within the index.)
func searches(key trail.AttributeKey, principal bool) []*regexp.Regexp {
	const timeRange = `( AND event_time[<>]\?)?( AND event_time<\?| AND \(event_time,seq\)<\(\?,\?\))?\)$`
	events := func(col string) *regexp.Regexp {
		eq := ""
		if col != "account" {
			eq = ` AND ` + col + `=\?`
		}
		return regexp.MustCompile(`^SEARCH e USING INDEX events_by_` + col + ` \(account=\? AND management=\?` + eq + timeRange)
	}
	var out []*regexp.Regexp
	switch key {
	case "":
		out = append(out, events("account"))
	case trail.ByEventID:
		out = append(out, regexp.MustCompile(`^SEARCH e USING INDEX sqlite_autoindex_events_1 \(event_id=\?\)$`))
	case trail.ByResourceType, trail.ByResourceName:
		col := map[trail.AttributeKey]string{trail.ByResourceType: "type", trail.ByResourceName: "name"}[key]
		out = append(out, regexp.MustCompile(`^SEARCH r USING COVERING INDEX resources_by_`+col+` \(account=\? AND management=\? AND `+col+`=\?`+timeRange))
	default:
		col := map[trail.AttributeKey]string{trail.ByEventName: "event_name", trail.ByReadOnly: "read_only", trail.ByUsername: "username",
			trail.ByEventSource: "event_source", trail.ByAccessKeyID: "access_key_id"}[key]
		out = append(out, events(col))
	}
	if principal && key != trail.ByResourceType && key != trail.ByResourceName && key != trail.ByEventID {
		out = append(out, events("principal"))
	}
	return out
}

var (
	searchBySeq = "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)"
	// A lookup with data events merges two scans, each limited to a page:
	// the sort is of those rows, at most 2(Limit+1).
	mergeLines = map[string]bool{
		"MERGE (UNION ALL)": true, "LEFT": true, "RIGHT": true,
		"CO-ROUTINE management_events": true, "CO-ROUTINE data_events": true,
		"SCAN management_events": true, "SCAN data_events": true,
		"USE TEMP B-TREE FOR ORDER BY": true,
	}
)

// TestLookupPlans: every lookup, by each attribute, with each combination
// of time bounds and cursor, with and without data events and a
// principal, is an index range scan in the order of the index: no table
// scan, no sort of the table's rows.
func TestLookupPlans(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	keys := []trail.AttributeKey{"", trail.ByEventID, trail.ByEventName, trail.ByReadOnly, trail.ByUsername,
		trail.ByResourceType, trail.ByResourceName, trail.ByEventSource, trail.ByAccessKeyID}
	bounds := []trail.Query{
		{},
		{Start: now.Add(-time.Hour), End: now},
		{Start: now.Add(-time.Hour), End: now, After: &trail.Cursor{Time: now.Add(-time.Minute), Seq: 7}},
		{After: &trail.Cursor{Time: now, Seq: 7}},
		{End: now},
	}
	for _, key := range keys {
		for _, b := range bounds {
			for _, data := range []bool{false, true} {
				for _, principal := range []string{"", "arn:aws:iam::111122223333:user/alice"} {
					q := b
					q.Account, q.Key, q.Value, q.Limit, q.IncludeData, q.Principal = "111122223333", key, "true", 50, data, principal
					text, args := dialect.Lookup(q)
					lines := plan(t, s, text, args...)
					allowed := searches(key, principal != "")
					n := 0
					for _, l := range lines {
						switch {
						case slices.ContainsFunc(allowed, func(re *regexp.Regexp) bool { return re.MatchString(l) }):
							n++
						case l == searchBySeq && (key == trail.ByResourceType || key == trail.ByResourceName):
						case data && mergeLines[l]:
						default:
							t.Errorf("%s, bounds %+v, data %v, principal %q: plan line %q is not an index range scan\nstatement: %s\nplan:\n%s",
								key, b, data, principal, l, text, strings.Join(lines, "\n"))
						}
					}
					if want := map[bool]int{false: 1, true: 2}[data]; n != want {
						t.Errorf("%s, bounds %+v, data %v: %d index searches, want %d:\n%s", key, b, data, n, want, strings.Join(lines, "\n"))
					}
				}
			}
		}
	}
}

// TestMaintenancePlans: reading a page's resources is an index search;
// retention's deletes read the first rows in rowid order (a scan bounded by
// its LIMIT) and delete by primary key.
func TestMaintenancePlans(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text, args := dialect.ResourcesOf([]int64{1, 2, 3})
	check := func(what string, lines []string, want ...string) {
		t.Helper()
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: plan\n%s\nwant\n%s", what, strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
	}
	check("resources of a page", plan(t, s, text, args...), "SEARCH resources USING PRIMARY KEY (seq=?)")
	check("delete resources", plan(t, s, deleteResources, 1, 2),
		"SEARCH resources USING PRIMARY KEY (seq=?)", "LIST SUBQUERY 2", "CO-ROUTINE (subquery-1)", "SCAN events", "SCAN (subquery-1)")
	check("delete events", plan(t, s, deleteEvents, 1, 2),
		"SEARCH events USING INTEGER PRIMARY KEY (rowid=?)", "LIST SUBQUERY 2", "CO-ROUTINE (subquery-1)", "SCAN events", "SCAN (subquery-1)")
}
