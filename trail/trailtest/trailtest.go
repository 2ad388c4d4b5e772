// Package trailtest is the conformance suite every trail.Store backend
// runs.
//
// A backend's test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		trailtest.Run(t, func(t *testing.T) trail.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "trail.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Each subtest gets a fresh, empty store from open and closes it when it
// ends, so Close must tolerate being called again by the backend's own
// cleanup.
//
// Beyond the trail.Store interface's comments, the suite holds backends to
// these rules, which the SQL backends document:
//   - Time is kept to the second (the record's eventTime is), in UTC; Start,
//     End and DeleteBefore compare the whole second with the exact bound.
//   - Lookup's Next is nil exactly when the page is the last.
//   - Appending an entry whose EventID is stored already stores nothing (a
//     retried Append is harmless).
//   - A call whose context is done fails with an error wrapping both
//     trail.ErrUnavailable and the context's error; an invalid entry or
//     query (no account, a Limit below 1, an unknown attribute, a ReadOnly
//     value other than "true" or "false", a DeleteBefore limit below 1)
//     fails with an error that does not wrap trail.ErrUnavailable.
//
// Behaviour of CloudTrail's LookupEvents the suite checks, with its
// sources in the AWS documentation:
//   - one attribute, exact match; events newest first; StartTime and
//     EndTime inclusive: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
//     and https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupAttribute.html
//   - event history holds management events only, data events are not
//     returned: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html
//   - an account's event history shows its own events only:
//     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html
package trailtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Run runs the conformance suite against stores made by open, which must
// return an open, empty store.
func Run(t *testing.T, open func(t *testing.T) trail.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s trail.Store)
	}{
		{"AppendAssignsIncreasingSeq", testSeq},
		{"AppendIsIdempotentByEventID", testIdempotent},
		{"AccountScope", testAccountScope},
		{"Attributes", testAttributes},
		{"ExactMatch", testExactMatch},
		{"Principal", testPrincipal},
		{"TimeBounds", testTimeBounds},
		{"DataEvents", testDataEvents},
		{"Order", testOrder},
		{"Pagination", testPagination},
		{"RoundTrip", testRoundTrip},
		{"JSONNotKept", testJSONNotKept},
		{"Compact", testCompact},
		{"DeleteBefore", testDeleteBefore},
		{"ContextDone", testContextDone},
		{"ConcurrentAppends", testConcurrentAppends},
		{"InvalidArguments", testInvalid},
		{"AfterClose", testAfterClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.run(t, s)
		})
	}
}

const (
	acct  = "111122223333"
	acct2 = "444455556666"
)

// base is the time of the suite's first event: whole seconds, UTC.
var base = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// at is base plus s seconds.
func at(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }

// event is an entry of account acct with every attribute derived from id,
// at time at(sec), a management event; JSON is a record naming them.
func event(account, id string, sec int) trail.Entry {
	e := trail.Entry{
		Account:     account,
		EventID:     id,
		Time:        at(sec),
		EventName:   "GetUser",
		EventSource: "iam.amazonaws.com",
		Username:    "alice",
		AccessKeyID: "AKIAEXAMPLEALICE0001",
		Principal:   "arn:aws:iam::" + account + ":user/alice",
		ReadOnly:    true,
		Management:  true,
	}
	e.JSON = fmt.Appendf(nil, `{"eventVersion":"1.11","eventID":%q,"eventTime":%q,"recipientAccountId":%q}`,
		id, e.Time.Format(time.RFC3339), account)
	return e
}

// ids returns the EventIDs of entries, in order.
func ids(entries []trail.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.EventID
	}
	return out
}

func appendAll(t *testing.T, s trail.Store, entries ...trail.Entry) {
	t.Helper()
	if err := s.Append(t.Context(), entries); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

// all pages through q (with the given page size) and returns every entry,
// failing on a page larger than the limit or a cursor that does not move.
func all(t *testing.T, s trail.Store, q trail.Query) []trail.Entry {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 1000
	}
	var out []trail.Entry
	for range 10000 {
		p, err := s.Lookup(t.Context(), q)
		if err != nil {
			t.Fatalf("Lookup(%+v): %v", q, err)
		}
		if len(p.Entries) > q.Limit {
			t.Fatalf("page of %d entries, limit %d", len(p.Entries), q.Limit)
		}
		out = append(out, p.Entries...)
		if p.Next == nil {
			return out
		}
		if len(p.Entries) == 0 {
			t.Fatal("empty page with a next cursor")
		}
		if last := p.Entries[len(p.Entries)-1]; !p.Next.Time.Equal(last.Time) || p.Next.Seq != last.Seq {
			t.Fatalf("next cursor %+v, want the last entry's position (%v, %d)", *p.Next, last.Time, last.Seq)
		}
		q.After = p.Next
	}
	t.Fatal("lookup does not end")
	return nil
}

// lookupIDs is all's EventIDs.
func lookupIDs(t *testing.T, s trail.Store, q trail.Query) []string {
	t.Helper()
	return ids(all(t, s, q))
}

func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// testSeq: Append assigns Seq in the order of insertion, across calls and
// within one; Lookup reports it and breaks ties of a second by it.
func testSeq(t *testing.T, s trail.Store) {
	appendAll(t, s, event(acct, "a", 0), event(acct, "b", 0), event(acct, "c", 0))
	appendAll(t, s, event(acct, "d", 0))
	appendAll(t, s, event(acct, "e", 0), event(acct, "f", 0))
	got := all(t, s, trail.Query{Account: acct})
	wantIDs(t, "same second, newest first", ids(got), "f", "e", "d", "c", "b", "a")
	for i := 1; i < len(got); i++ {
		if got[i].Seq >= got[i-1].Seq {
			t.Errorf("seq of %s (%d) is not below that of %s (%d), appended after it", got[i].EventID, got[i].Seq, got[i-1].EventID, got[i-1].Seq)
		}
	}
	for _, e := range got {
		if e.Seq <= 0 {
			t.Errorf("entry %s has seq %d, want one assigned (> 0)", e.EventID, e.Seq)
		}
	}
}

// testIdempotent: an entry whose EventID is stored is not stored again,
// whether it comes in a later Append or twice in one.
func testIdempotent(t *testing.T, s trail.Store) {
	appendAll(t, s, event(acct, "a", 0))
	again := event(acct, "a", 5)
	again.EventName = "Changed"
	appendAll(t, s, again, event(acct, "b", 1))
	appendAll(t, s, event(acct, "c", 2), event(acct, "c", 2))
	got := all(t, s, trail.Query{Account: acct})
	wantIDs(t, "entries", ids(got), "c", "b", "a")
	if got[2].EventName != "GetUser" || !got[2].Time.Equal(at(0)) {
		t.Errorf("first append of a overwritten: %+v", got[2])
	}
}

// testAccountScope: a lookup reads one account's trail, whatever the
// attribute, even one naming another account's event.
func testAccountScope(t *testing.T, s trail.Store) {
	mine := event(acct, "mine", 0)
	mine.Resources = []trail.Resource{{ARN: "arn:aws:iam::" + acct2 + ":role/shared", AccountID: acct2, Type: "AWS::IAM::Role"}}
	theirs := event(acct2, "theirs", 1)
	theirs.Resources = mine.Resources
	theirs.Principal = mine.Principal
	appendAll(t, s, mine, theirs)
	for _, q := range []trail.Query{
		{},
		{Key: trail.ByEventName, Value: "GetUser"},
		{Key: trail.ByEventID, Value: "theirs"},
		{Key: trail.ByReadOnly, Value: "true"},
		{Key: trail.ByUsername, Value: "alice"},
		{Key: trail.ByResourceType, Value: "AWS::IAM::Role"},
		{Key: trail.ByResourceName, Value: "arn:aws:iam::" + acct2 + ":role/shared"},
		{Key: trail.ByEventSource, Value: "iam.amazonaws.com"},
		{Key: trail.ByAccessKeyID, Value: "AKIAEXAMPLEALICE0001"},
		{Principal: mine.Principal},
	} {
		q.Account = acct
		for _, e := range all(t, s, q) {
			if e.Account != acct || e.EventID != "mine" {
				t.Errorf("lookup %s=%q in %s returned %s's event %s", q.Key, q.Value, acct, e.Account, e.EventID)
			}
		}
	}
	wantIDs(t, "other account", lookupIDs(t, s, trail.Query{Account: acct2}), "theirs")
	wantIDs(t, "unknown account", lookupIDs(t, s, trail.Query{Account: "999999999999"}))
}

// testAttributes: each lookup attribute selects the entries whose value
// is the one given, and only them; a resource attribute matches an entry
// naming it among several resources, once.
func testAttributes(t *testing.T, s trail.Store) {
	user := func(n string) trail.Resource {
		return trail.Resource{ARN: "arn:aws:iam::" + acct + ":user/" + n, AccountID: acct, Type: "AWS::IAM::User"}
	}
	group := trail.Resource{ARN: "arn:aws:iam::" + acct + ":group/admins", AccountID: acct, Type: "AWS::IAM::Group"}

	a := event(acct, "a", 0) // defaults
	b := event(acct, "b", 1)
	b.EventName, b.ReadOnly, b.Username = "CreateUser", false, "bob"
	b.AccessKeyID, b.Principal = "AKIAEXAMPLEBOB000001", "arn:aws:iam::"+acct+":user/bob"
	b.Resources = []trail.Resource{user("carol")}
	c := event(acct, "c", 2)
	c.EventName, c.ReadOnly, c.EventSource = "AddUserToGroup", false, "iam.amazonaws.com"
	c.Resources = []trail.Resource{user("carol"), group, user("dave")}
	d := event(acct, "d", 3)
	d.EventName, d.EventSource, d.AccessKeyID = "AssumeRole", "sts.amazonaws.com", ""
	d.Username = "session-1"
	appendAll(t, s, a, b, c, d)

	cases := []struct {
		key   trail.AttributeKey
		value string
		want  []string
	}{
		{"", "", []string{"d", "c", "b", "a"}},
		{trail.ByEventID, "c", []string{"c"}},
		{trail.ByEventID, "z", nil},
		{trail.ByEventName, "CreateUser", []string{"b"}},
		{trail.ByEventName, "GetUser", []string{"a"}},
		{trail.ByReadOnly, "true", []string{"d", "a"}},
		{trail.ByReadOnly, "false", []string{"c", "b"}},
		{trail.ByUsername, "bob", []string{"b"}},
		{trail.ByUsername, "alice", []string{"c", "a"}},
		{trail.ByUsername, "session-1", []string{"d"}},
		{trail.ByResourceType, "AWS::IAM::User", []string{"c", "b"}},
		{trail.ByResourceType, "AWS::IAM::Group", []string{"c"}},
		{trail.ByResourceType, "AWS::IAM::Role", nil},
		{trail.ByResourceName, user("carol").ARN, []string{"c", "b"}},
		{trail.ByResourceName, user("dave").ARN, []string{"c"}},
		{trail.ByResourceName, group.ARN, []string{"c"}},
		{trail.ByEventSource, "sts.amazonaws.com", []string{"d"}},
		{trail.ByEventSource, "iam.amazonaws.com", []string{"c", "b", "a"}},
		{trail.ByAccessKeyID, "AKIAEXAMPLEBOB000001", []string{"b"}},
		{trail.ByAccessKeyID, "AKIAEXAMPLEALICE0001", []string{"c", "a"}},
	}
	for _, tc := range cases {
		got := lookupIDs(t, s, trail.Query{Account: acct, Key: tc.key, Value: tc.value})
		wantIDs(t, fmt.Sprintf("%s=%q", tc.key, tc.value), got, tc.want...)
		// Pages of one entry go through the same scan with a cursor.
		got = lookupIDs(t, s, trail.Query{Account: acct, Key: tc.key, Value: tc.value, Limit: 1})
		wantIDs(t, fmt.Sprintf("%s=%q by pages of 1", tc.key, tc.value), got, tc.want...)
	}
}

// testExactMatch: values match exactly and case-sensitively; no prefix,
// no pattern.
func testExactMatch(t *testing.T, s trail.Store) {
	e := event(acct, "a", 0)
	e.EventName = "CreateUser"
	e.Resources = []trail.Resource{{ARN: "arn:aws:s3:::bucket_1", Type: "AWS::S3::Bucket"}}
	appendAll(t, s, e)
	for _, q := range []trail.Query{
		{Key: trail.ByEventName, Value: "createuser"},
		{Key: trail.ByEventName, Value: "Create"},
		{Key: trail.ByEventName, Value: "Create%"},
		{Key: trail.ByEventName, Value: "CreateUser "},
		{Key: trail.ByEventName, Value: ""},
		{Key: trail.ByUsername, Value: "ALICE"},
		{Key: trail.ByResourceName, Value: "arn:aws:s3:::bucket%1"},
		{Key: trail.ByResourceName, Value: "arn:aws:s3:::bucket?1"},
		{Key: trail.ByResourceType, Value: "aws::s3::bucket"},
		{Key: trail.ByEventSource, Value: "IAM.amazonaws.com"},
	} {
		q.Account = acct
		wantIDs(t, fmt.Sprintf("%s=%q", q.Key, q.Value), lookupIDs(t, s, q))
	}
	wantIDs(t, "exact resource name", lookupIDs(t, s, trail.Query{Account: acct, Key: trail.ByResourceName, Value: "arn:aws:s3:::bucket_1"}), "a")
}

// testPrincipal: Principal selects one IAM entity's events, alone or with
// an attribute.
func testPrincipal(t *testing.T, s trail.Store) {
	a := event(acct, "a", 0)
	b := event(acct, "b", 1)
	b.Principal = "arn:aws:iam::" + acct + ":role/deployer"
	b.Username = "session"
	c := event(acct, "c", 2)
	c.Principal = b.Principal
	c.EventName = "PutRolePolicy"
	anon := event(acct, "anon", 3)
	anon.Principal, anon.Username, anon.AccessKeyID = "", "", ""
	appendAll(t, s, a, b, c, anon)
	wantIDs(t, "role", lookupIDs(t, s, trail.Query{Account: acct, Principal: b.Principal}), "c", "b")
	wantIDs(t, "user", lookupIDs(t, s, trail.Query{Account: acct, Principal: a.Principal}), "a")
	wantIDs(t, "role and event name", lookupIDs(t, s, trail.Query{Account: acct, Principal: b.Principal, Key: trail.ByEventName, Value: "GetUser"}), "b")
	wantIDs(t, "user and event name", lookupIDs(t, s, trail.Query{Account: acct, Principal: a.Principal, Key: trail.ByEventName, Value: "PutRolePolicy"}))
	wantIDs(t, "no principal filter", lookupIDs(t, s, trail.Query{Account: acct}), "anon", "c", "b", "a")
}

// testTimeBounds: Start and End are inclusive; a bound inside a second
// compares with the event's whole second; zero is unbounded.
func testTimeBounds(t *testing.T, s trail.Store) {
	for i := range 5 {
		appendAll(t, s, event(acct, fmt.Sprint("t", i), i*10))
	}
	half := 500 * time.Millisecond
	cases := []struct {
		start, end time.Time
		want       []string
	}{
		{time.Time{}, time.Time{}, []string{"t4", "t3", "t2", "t1", "t0"}},
		{at(10), at(30), []string{"t3", "t2", "t1"}},
		{at(10), time.Time{}, []string{"t4", "t3", "t2", "t1"}},
		{time.Time{}, at(30), []string{"t3", "t2", "t1", "t0"}},
		{at(10).Add(half), at(30).Add(half), []string{"t3", "t2"}},
		{at(9).Add(half), at(30).Add(-half), []string{"t2", "t1"}},
		{at(20), at(20), []string{"t2"}},
		{at(21), at(29), nil},
		{at(30), at(10), nil},
		// The same instants in another zone.
		{at(10).In(time.FixedZone("UTC+5", 5*3600)), at(10).In(time.FixedZone("UTC-7", -7*3600)), []string{"t1"}},
	}
	for _, tc := range cases {
		got := lookupIDs(t, s, trail.Query{Account: acct, Start: tc.start, End: tc.end})
		wantIDs(t, fmt.Sprintf("[%v, %v]", tc.start, tc.end), got, tc.want...)
		got = lookupIDs(t, s, trail.Query{Account: acct, Start: tc.start, End: tc.end, Key: trail.ByEventName, Value: "GetUser", Limit: 2})
		wantIDs(t, fmt.Sprintf("[%v, %v] by event name, pages of 2", tc.start, tc.end), got, tc.want...)
	}
}

// testDataEvents: data events (Management false) are in the trail but only
// a lookup with IncludeData returns them, merged in order.
func testDataEvents(t *testing.T, s trail.Store) {
	obj := trail.Resource{ARN: "arn:aws:s3:::bucket/key", Type: "AWS::S3::Object"}
	var all3 []trail.Entry
	for i := range 6 {
		e := event(acct, fmt.Sprint("e", i), i/2)
		if i%2 == 1 {
			e.Management = false
			e.EventName, e.EventSource = "GetObject", "s3.amazonaws.com"
		}
		e.Resources = []trail.Resource{obj}
		all3 = append(all3, e)
	}
	appendAll(t, s, all3...)
	for _, q := range []trail.Query{
		{},
		{Key: trail.ByResourceName, Value: obj.ARN},
		{Key: trail.ByResourceType, Value: obj.Type},
		{Key: trail.ByUsername, Value: "alice"},
		{Principal: all3[0].Principal},
	} {
		q.Account = acct
		wantIDs(t, fmt.Sprintf("management %s=%q", q.Key, q.Value), lookupIDs(t, s, q), "e4", "e2", "e0")
		q.IncludeData = true
		wantIDs(t, fmt.Sprintf("all %s=%q", q.Key, q.Value), lookupIDs(t, s, q), "e5", "e4", "e3", "e2", "e1", "e0")
		q.Limit = 1
		wantIDs(t, fmt.Sprintf("all %s=%q, pages of 1", q.Key, q.Value), lookupIDs(t, s, q), "e5", "e4", "e3", "e2", "e1", "e0")
	}
	wantIDs(t, "data event by name", lookupIDs(t, s, trail.Query{Account: acct, Key: trail.ByEventName, Value: "GetObject"}))
	wantIDs(t, "data event by name, with data", lookupIDs(t, s, trail.Query{Account: acct, Key: trail.ByEventName, Value: "GetObject", IncludeData: true}), "e5", "e3", "e1")
	wantIDs(t, "data event by id", lookupIDs(t, s, trail.Query{Account: acct, Key: trail.ByEventID, Value: "e1"}))
	wantIDs(t, "data event by id, with data", lookupIDs(t, s, trail.Query{Account: acct, Key: trail.ByEventID, Value: "e1", IncludeData: true}), "e1")
}

// testOrder: newest first by Time, then by Seq, whatever the order of
// appending.
func testOrder(t *testing.T, s trail.Store) {
	appendAll(t, s, event(acct, "late", 100), event(acct, "early", 1))
	appendAll(t, s, event(acct, "mid-1", 50), event(acct, "earliest", 0), event(acct, "mid-2", 50))
	wantIDs(t, "order", lookupIDs(t, s, trail.Query{Account: acct}), "late", "mid-2", "mid-1", "early", "earliest")
}

// testPagination: pages of any size list every entry exactly once, in
// order, many of them in one second, with and without filters.
func testPagination(t *testing.T, s trail.Store) {
	role := trail.Resource{ARN: "arn:aws:iam::" + acct + ":role/r", AccountID: acct, Type: "AWS::IAM::Role"}
	var batch []trail.Entry
	for i := range 230 {
		// Seconds 0..4, appended out of order, 46 entries in each.
		e := event(acct, fmt.Sprintf("p%03d", i), (i*3)%5)
		if i%3 == 0 {
			e.Resources = []trail.Resource{role}
		}
		if i%7 == 0 {
			e.Management = false
		}
		batch = append(batch, e)
		noise := event(acct2, fmt.Sprintf("n%03d", i), (i*3)%5)
		noise.Resources = e.Resources
		batch = append(batch, noise)
		if len(batch) >= 40 {
			appendAll(t, s, batch...)
			batch = batch[:0]
		}
	}
	appendAll(t, s, batch...)
	for _, q := range []trail.Query{
		{IncludeData: true},
		{},
		{Key: trail.ByResourceName, Value: role.ARN},
		{Key: trail.ByResourceType, Value: role.Type, IncludeData: true},
		{Key: trail.ByEventName, Value: "GetUser", Start: at(1), End: at(3)},
	} {
		q.Account = acct
		want := all(t, s, q) // one page
		if len(want) == 0 {
			t.Fatalf("%+v: nothing", q)
		}
		for i := 1; i < len(want); i++ {
			p, c := want[i-1], want[i]
			if c.Time.After(p.Time) || (c.Time.Equal(p.Time) && c.Seq >= p.Seq) {
				t.Fatalf("%+v: %s (%v, %d) listed after %s (%v, %d)", q, c.EventID, c.Time, c.Seq, p.EventID, p.Time, p.Seq)
			}
		}
		for _, size := range []int{1, 7, 46, 50, len(want) - 1, len(want), len(want) + 1} {
			q.Limit = size
			got := all(t, s, q)
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("%s=%q data=%v, pages of %d: got %d entries, want %d in the one page's order", q.Key, q.Value, q.IncludeData, size, len(got), len(want))
			}
		}
		// A page that ends exactly at the end says so.
		q.Limit = len(want)
		p, err := s.Lookup(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if p.Next != nil {
			t.Errorf("%s=%q: a page holding the last entry has a next cursor", q.Key, q.Value)
		}
	}
	if n := len(all(t, s, trail.Query{Account: acct, IncludeData: true})); n != 230 {
		t.Errorf("%d entries, want 230", n)
	}
	if n := len(all(t, s, trail.Query{Account: acct})); n != 230-33 {
		t.Errorf("%d management entries, want %d", n, 230-33)
	}
}

// testRoundTrip: what Append is given, Lookup returns: the JSON byte for
// byte (bytes that are not even UTF-8, large records), the resources in
// order, every field; times to the second, in UTC.
func testRoundTrip(t *testing.T, s trail.Store) {
	a := event(acct, "a", 0)
	a.JSON = []byte("{\"x\": \"caf\xc3\xa9 \x00\xff\",\n  \"y\":[1,2]}  \n")
	a.Resources = []trail.Resource{
		{ARN: "arn:aws:iam::" + acct + ":user/u", AccountID: acct, Type: "AWS::IAM::User"},
		{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Type: "AWS::IAM::Policy"},
		{ARN: "arn:aws:iam::" + acct + ":user/v", AccountID: acct, Type: "AWS::IAM::User"},
	}
	b := event(acct, "b", 1)
	b.JSON = bytes.Repeat([]byte(`{"k":"0123456789abcdef"},`), 8000) // 200 kB
	b.ReadOnly, b.Management = false, false
	b.Username, b.AccessKeyID, b.Principal = "", "", ""
	c := event(acct, "c", 2)
	c.Time = at(2).Add(999 * time.Millisecond).In(time.FixedZone("x", 3600))
	appendAll(t, s, a, b, c)
	got := all(t, s, trail.Query{Account: acct, IncludeData: true})
	c.Time = at(2)
	want := []trail.Entry{c, b, a}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Time.Location() != time.UTC {
			t.Errorf("%s: time %v not in UTC", w.EventID, g.Time)
		}
		if !bytes.Equal(g.JSON, w.JSON) {
			t.Errorf("%s: JSON changed: got %d bytes %q..., want %d bytes", w.EventID, len(g.JSON), trunc(g.JSON), len(w.JSON))
		}
		if len(g.Resources) == 0 {
			g.Resources = nil
		}
		g.Seq, g.JSON, w.JSON = 0, nil, nil
		if !g.Time.Equal(w.Time) {
			t.Errorf("%s: time %v, want %v", w.EventID, g.Time, w.Time)
		}
		g.Time, w.Time = time.Time{}, time.Time{}
		if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", w) {
			t.Errorf("entry %s:\n got %+v\nwant %+v", w.EventID, g, w)
		}
	}
}

// testJSONNotKept: once Append returned, the caller may reuse the entries'
// JSON (trail.Builder.Release): what the store returns is what it was given.
func testJSONNotKept(t *testing.T, s trail.Store) {
	es := []trail.Entry{event(acct, "a", 0), event(acct, "b", 1)}
	want := [][]byte{bytes.Clone(es[1].JSON), bytes.Clone(es[0].JSON)}
	appendAll(t, s, es...)
	for i := range es {
		for j := range es[i].JSON {
			es[i].JSON[j] = 'X'
		}
	}
	flush(t, s)
	got := all(t, s, trail.Query{Account: acct})
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].JSON, want[i]) {
			t.Errorf("%s: JSON %q after the caller reused its buffer, want %q", got[i].EventID, got[i].JSON, want[i])
		}
	}
}

// testCompact: entries in compact form (a trail.Builder's with Compact,
// beside an entry with its JSON in one Append) are found by every
// attribute and read back with the JSON a Builder without Compact writes,
// also once the caller reused their buffers.
func testCompact(t *testing.T, s trail.Store) {
	caller := &identity.Caller{
		Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::" + acct + ":assumed-role/R/s",
			RoleARN: "arn:aws:iam::" + acct + ":role/R", Account: acct},
		Account: acct, UserID: "AROAEXAMPLE:s", SessionName: "s", AccessKeyID: "ASIAEXAMPLECOMPACT01",
		TokenIssueTime: at(-60), MFAAuthenticated: true,
	}
	call := &trail.Call{RequestID: "req-1", Time: at(1), Service: "iam", Operation: "DeleteUser", Caller: caller,
		Region: "us-east-1", SourceIP: "192.0.2.1", UserAgent: "aws-cli/2 \"quoted\" caf\xc3\xa9",
		Input:           &struct{ UserName string }{"bob"},
		Resources:       []trail.Resource{{ARN: "arn:aws:iam::" + acct2 + ":user/bob", AccountID: acct2, Type: "AWS::IAM::User"}},
		ResourceAccount: acct2, Management: true, TLS: &trail.TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256"},
	}
	builder := func(compact bool) *trail.Builder {
		n := 0
		return &trail.Builder{Compact: compact, NewID: func() string { n++; return fmt.Sprintf("compact-%d", n) }}
	}
	want, err := builder(false).Events(call)
	if err != nil || len(want) != 2 {
		t.Fatalf("Events = %d entries, %v", len(want), err)
	}
	b := builder(true)
	es, err := b.Events(call)
	if err != nil || len(es) != 2 || es[0].Compact == nil || es[0].JSON != nil {
		t.Fatalf("compact Events = %+v, %v", es, err)
	}
	appendAll(t, s, append(es, event(acct, "plain", 2))...)
	for i := range es {
		for j := range es[i].Compact {
			es[i].Compact[j] = 'X'
		}
	}
	flush(t, s)
	for _, w := range want {
		for _, q := range []trail.Query{
			{Account: w.Account, Key: trail.ByEventID, Value: w.EventID},
			{Account: w.Account, Key: trail.ByAccessKeyID, Value: "ASIAEXAMPLECOMPACT01"},
			{Account: w.Account, Key: trail.ByEventName, Value: "DeleteUser"},
			{Account: w.Account, Key: trail.ByResourceName, Value: "arn:aws:iam::" + acct2 + ":user/bob"},
		} {
			got := all(t, s, q)
			if len(got) != 1 {
				t.Errorf("%+v: %d entries, want %s", q, len(got), w.EventID)
				continue
			}
			g, fields := got[0], w
			if !bytes.Equal(g.JSON, w.JSON) {
				t.Errorf("%+v: JSON\n%s\nwant\n%s", q, g.JSON, w.JSON)
			}
			g.Seq, g.JSON, fields.JSON = 0, nil, nil
			if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", fields) {
				t.Errorf("%+v:\n got %+v\nwant %+v", q, g, fields)
			}
		}
	}
	wantIDs(t, "the caller's account", lookupIDs(t, s, trail.Query{Account: acct}), "plain", "compact-1")
}

// flush waits for a Writer's entries to be indexed.
func flush(t *testing.T, s trail.Store) {
	t.Helper()
	if w, ok := s.(trail.Writer); ok {
		if err := w.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

func trunc(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// testDeleteBefore: retention deletes the oldest entries before the time,
// at most limit a call, their resources with them, and says how many.
func testDeleteBefore(t *testing.T, s trail.Store) {
	r := trail.Resource{ARN: "arn:aws:iam::" + acct + ":user/u", AccountID: acct, Type: "AWS::IAM::User"}
	for i := range 10 {
		e := event(acct, fmt.Sprint("d", i), i)
		e.Resources = []trail.Resource{r}
		e.Management = i%2 == 0
		o := event(acct2, fmt.Sprint("o", i), i)
		appendAll(t, s, e, o)
	}
	ctx := t.Context()
	// Before d5 and o5 (time 5): ten entries, d0..d4 and o0..o4.
	for _, want := range []int{4, 4, 2, 0} {
		n, err := s.DeleteBefore(ctx, at(5), 4)
		if err != nil {
			t.Fatalf("DeleteBefore: %v", err)
		}
		if n != want {
			t.Errorf("DeleteBefore deleted %d, want %d", n, want)
		}
	}
	wantIDs(t, "left in acct", lookupIDs(t, s, trail.Query{Account: acct, IncludeData: true}), "d9", "d8", "d7", "d6", "d5")
	wantIDs(t, "left in acct2", lookupIDs(t, s, trail.Query{Account: acct2}), "o9", "o8", "o7", "o6", "o5")
	wantIDs(t, "by resource", lookupIDs(t, s, trail.Query{Account: acct, Key: trail.ByResourceName, Value: r.ARN, IncludeData: true}), "d9", "d8", "d7", "d6", "d5")
	// A bound inside a second deletes that second: it is older.
	n, err := s.DeleteBefore(ctx, at(5).Add(time.Millisecond), 100)
	if err != nil || n != 2 {
		t.Errorf("DeleteBefore(5.001s) = %d, %v; want 2 (d5, o5)", n, err)
	}
	// The oldest go first.
	n, err = s.DeleteBefore(ctx, at(100), 1)
	if err != nil || n != 1 {
		t.Errorf("DeleteBefore(limit 1) = %d, %v; want 1", n, err)
	}
	left := append(lookupIDs(t, s, trail.Query{Account: acct, IncludeData: true}), lookupIDs(t, s, trail.Query{Account: acct2})...)
	if len(left) != 7 || slices.Contains(left, "d6") && slices.Contains(left, "o6") {
		t.Errorf("after deleting the oldest entry: %q, want one of d6, o6 gone", left)
	}
	appendAll(t, s, event(acct, "new", 200))
	wantIDs(t, "appended after deletes", lookupIDs(t, s, trail.Query{Account: acct, Key: trail.ByEventID, Value: "new"}), "new")
}

// testContextDone: a call whose context is cancelled or past its deadline
// fails with trail.ErrUnavailable and the context's error, and an Append
// so refused stores nothing.
func testContextDone(t *testing.T, s trail.Store) {
	appendAll(t, s, event(acct, "kept", 0))
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		check := func(op string, err error) {
			t.Helper()
			if !errors.Is(err, trail.ErrUnavailable) || !errors.Is(err, c.want) {
				t.Errorf("%s under a context done by %v: %v, want an error wrapping trail.ErrUnavailable and %v", op, c.want, err, c.want)
			}
		}
		check("Append", s.Append(c.ctx, []trail.Entry{event(acct, "lost", 1)}))
		_, err := s.Lookup(c.ctx, trail.Query{Account: acct, Limit: 10})
		check("Lookup", err)
		_, err = s.DeleteBefore(c.ctx, at(100), 10)
		check("DeleteBefore", err)
	}
	wantIDs(t, "after refused calls", lookupIDs(t, s, trail.Query{Account: acct}), "kept")
}

// testConcurrentAppends: Appends from several goroutines at once all
// land, each entry once, with distinct seqs.
func testConcurrentAppends(t *testing.T, s trail.Store) {
	const workers, calls, per = 6, 15, 4
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := range workers {
		wg.Go(func() {
			for c := range calls {
				var batch []trail.Entry
				for i := range per {
					batch = append(batch, event(acct, fmt.Sprintf("w%d-c%02d-%d", w, c, i), c))
				}
				if err := s.Append(t.Context(), batch); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Append: %v", err)
	}
	got := all(t, s, trail.Query{Account: acct, Limit: 17})
	if len(got) != workers*calls*per {
		t.Errorf("%d entries, want %d", len(got), workers*calls*per)
	}
	seen := map[string]bool{}
	seqs := map[int64]bool{}
	for _, e := range got {
		if seen[e.EventID] || seqs[e.Seq] {
			t.Errorf("entry %s (seq %d) listed twice", e.EventID, e.Seq)
		}
		seen[e.EventID], seqs[e.Seq] = true, true
	}
	// Each goroutine's entries keep their order: within a call, and from
	// one call to the next (a later call's time is later).
	for w := range workers {
		prefix := fmt.Sprintf("w%d-", w)
		var mine []string
		for _, e := range got {
			if strings.HasPrefix(e.EventID, prefix) {
				mine = append(mine, e.EventID)
			}
		}
		if !slices.IsSortedFunc(mine, func(a, b string) int { return strings.Compare(b, a) }) {
			t.Errorf("worker %d's entries out of order: %q", w, mine)
		}
	}
}

// testInvalid: arguments that break the contract fail, and not as the
// store being unavailable.
func testInvalid(t *testing.T, s trail.Store) {
	ctx := t.Context()
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
		} else if errors.Is(err, trail.ErrUnavailable) {
			t.Errorf("%s: %v, an invalid argument reported as the store being unavailable", what, err)
		}
	}
	for _, q := range []trail.Query{
		{Limit: 10},
		{Account: acct},
		{Account: acct, Limit: -1},
		{Account: acct, Limit: 10, Key: "Nope", Value: "x"},
		{Account: acct, Limit: 10, Key: trail.ByReadOnly, Value: "yes"},
		{Account: acct, Limit: 10, Key: trail.ByReadOnly, Value: "True"},
	} {
		_, err := s.Lookup(ctx, q)
		check(fmt.Sprintf("Lookup(%+v)", q), err)
	}
	noAccount := event("", "x", 0)
	noID := event(acct, "", 0)
	check("Append without account", s.Append(ctx, []trail.Entry{event(acct, "ok", 0), noAccount}))
	check("Append without event id", s.Append(ctx, []trail.Entry{noID}))
	_, err := s.DeleteBefore(ctx, at(10), 0)
	check("DeleteBefore limit 0", err)
	wantIDs(t, "after invalid appends", lookupIDs(t, s, trail.Query{Account: acct}))
	if err := s.Append(ctx, nil); err != nil {
		t.Errorf("Append of nothing: %v", err)
	}
}

// testAfterClose: a closed store cannot be read or written: its calls fail
// with trail.ErrUnavailable.
func testAfterClose(t *testing.T, s trail.Store) {
	appendAll(t, s, event(acct, "a", 0))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := t.Context()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, trail.ErrUnavailable) {
			t.Errorf("%s after Close: %v, want an error wrapping trail.ErrUnavailable", op, err)
		}
	}
	check("Append", s.Append(ctx, []trail.Entry{event(acct, "b", 1)}))
	_, err := s.Lookup(ctx, trail.Query{Account: acct, Limit: 10})
	check("Lookup", err)
	_, err = s.DeleteBefore(ctx, at(10), 10)
	check("DeleteBefore", err)
}
