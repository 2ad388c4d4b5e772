package cloudtrail_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/cloudtrailapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/cloudtrail"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/trail"
)

const (
	account = "111122223333"
	other   = "444455556666"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func caller(acct string) *identity.Caller {
	return &identity.Caller{Account: acct, UserName: "alice", AccessKeyID: "AKIAALICE"}
}

func entry(acct, id string, age time.Duration, mut func(*trail.Entry)) trail.Entry {
	e := trail.Entry{
		Account: acct, EventID: id, Time: now.Add(-age), EventName: "ListUsers", EventSource: "iam.amazonaws.com",
		Username: "alice", AccessKeyID: "AKIAALICE", Principal: "arn:aws:iam::" + acct + ":user/alice",
		ReadOnly: true, Management: true, JSON: []byte(`{"eventID":"` + id + `"}`),
	}
	if mut != nil {
		mut(&e)
	}
	return e
}

// fixture is a service over a memStore holding events of two accounts.
func fixture(t *testing.T, entries ...trail.Entry) (*cloudtrail.Service, *memStore) {
	t.Helper()
	st := &memStore{}
	if err := st.Append(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	return cloudtrail.New(cloudtrail.Config{Trail: st, Now: func() time.Time { return now }}), st
}

func lookup(s *cloudtrail.Service, acct string, in *cloudtrailapi.LookupEventsRequest) (*cloudtrailapi.LookupEventsResponse, error) {
	return s.LookupEvents(context.Background(), caller(acct), in)
}

func attr(key, value string) []cloudtrailapi.LookupAttribute {
	return []cloudtrailapi.LookupAttribute{{AttributeKey: cloudtrailapi.LookupAttributeKey(key), AttributeValue: value}}
}

func ptr[T any](v T) *T { return &v }

func ids(out *cloudtrailapi.LookupEventsResponse) string {
	var s []string
	for _, e := range out.Events {
		s = append(s, *e.EventId)
	}
	return strings.Join(s, ",")
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	ae, ok := awserr.As(err)
	if !ok || ae.Code != code || ae.Status != http.StatusBadRequest || !ae.Sender {
		t.Errorf("%s: got %v, want %s (400, sender)", what, err, code)
	}
}

// Every refusal of LookupEvents is the exception the API reference lists
// for it (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html#API_LookupEvents_Errors):
// one lookup attribute at most ("Currently the list can contain only one
// item"), a key of the eight, a value of 1 to 2000 characters where '_', ' ',
// ',' and newline count twice (API_LookupAttribute); a start time after the
// end time; the event category "insight" only; MaxResults 1 through 50.
func TestLookupValidation(t *testing.T) {
	s, st := fixture(t, entry(account, "e1", time.Hour, nil))
	for _, tc := range []struct {
		name string
		in   cloudtrailapi.LookupEventsRequest
		code string
	}{
		{"no input", cloudtrailapi.LookupEventsRequest{}, ""},
		{"empty attribute list", cloudtrailapi.LookupEventsRequest{LookupAttributes: []cloudtrailapi.LookupAttribute{}}, ""},
		{"two attributes", cloudtrailapi.LookupEventsRequest{LookupAttributes: append(attr("EventName", "a"), attr("Username", "b")...)}, "InvalidLookupAttributesException"},
		{"two equal attributes", cloudtrailapi.LookupEventsRequest{LookupAttributes: append(attr("EventName", "a"), attr("EventName", "a")...)}, "InvalidLookupAttributesException"},
		{"unknown key", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("SourceIPAddress", "1.2.3.4")}, "InvalidLookupAttributesException"},
		{"key in another case", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("eventname", "ListUsers")}, "InvalidLookupAttributesException"},
		{"missing key", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("", "x")}, "InvalidLookupAttributesException"},
		{"empty value", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("EventName", "")}, "InvalidLookupAttributesException"},
		{"value of 2000", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ResourceName", strings.Repeat("a", 2000))}, ""},
		{"value of 2001", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ResourceName", strings.Repeat("a", 2001))}, "InvalidLookupAttributesException"},
		{"1000 underscores count 2000", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ResourceName", strings.Repeat("_", 1000))}, ""},
		{"1000 underscores and one more", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ResourceName", strings.Repeat("_", 1000)+"a")}, "InvalidLookupAttributesException"},
		{"spaces, commas, newlines count twice", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ResourceName", strings.Repeat(" ,\n", 333)+"abc")}, "InvalidLookupAttributesException"},
		{"ReadOnly true", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ReadOnly", "true")}, ""},
		{"ReadOnly TRUE", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ReadOnly", "TRUE")}, "InvalidLookupAttributesException"},
		{"ReadOnly yes", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("ReadOnly", "yes")}, "InvalidLookupAttributesException"},
		{"multibyte characters count once", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("Username", strings.Repeat("é", 2000))}, ""},
		{"start after end", cloudtrailapi.LookupEventsRequest{StartTime: ptr(now.Add(-time.Hour)), EndTime: ptr(now.Add(-2 * time.Hour))}, "InvalidTimeRangeException"},
		{"start equals end", cloudtrailapi.LookupEventsRequest{StartTime: ptr(now.Add(-time.Hour)), EndTime: ptr(now.Add(-time.Hour))}, ""},
		{"start in the future", cloudtrailapi.LookupEventsRequest{StartTime: ptr(now.Add(time.Hour))}, ""},
		{"category insight", cloudtrailapi.LookupEventsRequest{EventCategory: ptr(cloudtrailapi.EventCategoryInsight)}, ""},
		{"category Data", cloudtrailapi.LookupEventsRequest{EventCategory: ptr(cloudtrailapi.EventCategory("Data"))}, "InvalidEventCategoryException"},
		{"category Insight", cloudtrailapi.LookupEventsRequest{EventCategory: ptr(cloudtrailapi.EventCategory("Insight"))}, "InvalidEventCategoryException"},
		{"max results 0", cloudtrailapi.LookupEventsRequest{MaxResults: ptr[int32](0)}, "InvalidMaxResultsException"},
		{"max results -1", cloudtrailapi.LookupEventsRequest{MaxResults: ptr[int32](-1)}, "InvalidMaxResultsException"},
		{"max results 51", cloudtrailapi.LookupEventsRequest{MaxResults: ptr[int32](51)}, "InvalidMaxResultsException"},
		{"max results 1", cloudtrailapi.LookupEventsRequest{MaxResults: ptr[int32](1)}, ""},
		{"max results 50", cloudtrailapi.LookupEventsRequest{MaxResults: ptr[int32](50)}, ""},
		{"empty next token", cloudtrailapi.LookupEventsRequest{NextToken: ptr("")}, ""},
		{"garbage next token", cloudtrailapi.LookupEventsRequest{NextToken: ptr("not a token!")}, "InvalidNextTokenException"},
		// The first refusal is the first member's, in the model's order.
		{"attributes before time", cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("Nope", "x"), StartTime: ptr(now), EndTime: ptr(now.Add(-time.Hour))}, "InvalidLookupAttributesException"},
		{"time before max results", cloudtrailapi.LookupEventsRequest{StartTime: ptr(now), EndTime: ptr(now.Add(-time.Hour)), MaxResults: ptr[int32](99)}, "InvalidTimeRangeException"},
	} {
		before := st.lookups
		out, err := lookup(s, account, &tc.in)
		if tc.code == "" {
			if err != nil || out == nil || out.Events == nil {
				t.Errorf("%s: got %v, %v; want a result", tc.name, out, err)
			}
			continue
		}
		wantCode(t, tc.name, err, tc.code)
		if st.lookups != before {
			t.Errorf("%s: the trail was read for a refused request", tc.name)
		}
	}
}

// Each of the eight lookup attributes selects the events whose field equals
// the value exactly (ResourceType and ResourceName: any of the event's
// resources); events of other accounts and data events are never returned,
// as event history holds the account's management events only
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html).
func TestLookupFilters(t *testing.T) {
	role := trail.Resource{ARN: "arn:aws:iam::" + account + ":role/deploy", AccountID: account, Type: "AWS::IAM::Role"}
	s, _ := fixture(t,
		entry(account, "list", 5*time.Minute, nil),
		entry(account, "create", 4*time.Minute, func(e *trail.Entry) {
			e.EventName, e.ReadOnly, e.Resources = "CreateRole", false, []trail.Resource{role}
		}),
		entry(account, "bob", 3*time.Minute, func(e *trail.Entry) {
			e.Username, e.AccessKeyID, e.EventSource, e.EventName = "bob", "ASIABOB", "sts.amazonaws.com", "GetCallerIdentity"
		}),
		entry(account, "object", 2*time.Minute, func(e *trail.Entry) {
			e.EventName, e.EventSource, e.Management = "GetObject", "s3.amazonaws.com", false
		}),
		entry(other, "elsewhere", time.Minute, nil),
	)
	for _, tc := range []struct {
		key, value, want string
	}{
		{"", "", "bob,create,list"},
		{"EventId", "create", "create"},
		{"EventId", "elsewhere", ""},
		{"EventName", "ListUsers", "list"},
		{"EventName", "listusers", ""},
		{"EventName", "GetObject", ""},
		{"ReadOnly", "false", "create"},
		{"ReadOnly", "true", "bob,list"},
		{"Username", "bob", "bob"},
		{"ResourceType", "AWS::IAM::Role", "create"},
		{"ResourceName", role.ARN, "create"},
		{"EventSource", "sts.amazonaws.com", "bob"},
		{"AccessKeyId", "AKIAALICE", "create,list"},
	} {
		in := &cloudtrailapi.LookupEventsRequest{}
		if tc.key != "" {
			in.LookupAttributes = attr(tc.key, tc.value)
		}
		out, err := lookup(s, account, in)
		if err != nil {
			t.Fatalf("%s=%s: %v", tc.key, tc.value, err)
		}
		if got := ids(out); got != tc.want {
			t.Errorf("%s=%s: got [%s], want [%s]", tc.key, tc.value, got, tc.want)
		}
	}
	out, err := lookup(s, other, &cloudtrailapi.LookupEventsRequest{})
	if err != nil || ids(out) != "elsewhere" {
		t.Errorf("the other account sees [%s] (%v), want [elsewhere]", ids(out), err)
	}
}

// The response reports each event as API_Event describes it
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html):
// ReadOnly as a string, the resources' types and names, the whole record as
// the CloudTrailEvent string; an access key or user name only when the
// event has one. No event is an empty list, not an absent one.
func TestLookupEventShape(t *testing.T) {
	role := trail.Resource{ARN: "arn:aws:iam::" + account + ":role/deploy", Type: "AWS::IAM::Role"}
	s, _ := fixture(t, entry(account, "create", time.Minute, func(e *trail.Entry) {
		e.EventName, e.ReadOnly, e.Resources, e.AccessKeyID, e.Username = "CreateRole", false, []trail.Resource{role}, "", ""
		e.Time = time.Date(2026, 12, 6, 11, 59, 0, 0, time.UTC)
	}))
	out, err := lookup(s, account, &cloudtrailapi.LookupEventsRequest{})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("got %+v, %v", out, err)
	}
	e := out.Events[0]
	if *e.EventId != "create" || *e.EventName != "CreateRole" || *e.ReadOnly != "false" || *e.EventSource != "iam.amazonaws.com" ||
		!e.EventTime.Equal(time.Date(2026, 12, 6, 11, 59, 0, 0, time.UTC)) || *e.CloudTrailEvent != `{"eventID":"create"}` {
		t.Errorf("event %+v", e)
	}
	if e.AccessKeyId != nil || e.Username != nil {
		t.Errorf("absent access key and user name reported: %v %v", e.AccessKeyId, e.Username)
	}
	if len(e.Resources) != 1 || *e.Resources[0].ResourceType != "AWS::IAM::Role" || *e.Resources[0].ResourceName != role.ARN {
		t.Errorf("resources %+v", e.Resources)
	}
	if out.NextToken != nil {
		t.Errorf("a NextToken after the last page: %q", *out.NextToken)
	}
	out, err = lookup(s, account, &cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("EventName", "DeleteRole")})
	if err != nil || out.Events == nil || len(out.Events) != 0 {
		t.Errorf("no match: got %+v, %v; want an empty list", out, err)
	}
}

// LookupEvents reaches 90 days back ("You can look up events that occurred
// in a Region within the last 90 days", API_LookupEvents), by default and
// whatever StartTime says; the bounds are inclusive ("after or at", "before
// or at").
func TestLookupTimeRange(t *testing.T) {
	s, _ := fixture(t,
		entry(account, "old", 91*24*time.Hour, nil),
		entry(account, "edge", 90*24*time.Hour, nil),
		entry(account, "week", 7*24*time.Hour, nil),
		entry(account, "hour", time.Hour, nil),
		entry(account, "future", -time.Hour, nil),
	)
	at := func(age time.Duration) *time.Time { return ptr(now.Add(-age)) }
	for _, tc := range []struct {
		name       string
		start, end *time.Time
		want       string
	}{
		{"default", nil, nil, "hour,week,edge"},
		{"start before the history", at(365 * 24 * time.Hour), nil, "hour,week,edge"},
		{"start inclusive", at(7 * 24 * time.Hour), nil, "hour,week"},
		{"end inclusive", nil, at(7 * 24 * time.Hour), "week,edge"},
		{"both inclusive", at(7 * 24 * time.Hour), at(time.Hour), "hour,week"},
		{"end after now", nil, at(-2 * time.Hour), "future,hour,week,edge"},
		{"end before the history", nil, at(100 * 24 * time.Hour), ""},
		{"empty window", at(2 * time.Hour), at(90 * time.Minute), ""},
	} {
		out, err := lookup(s, account, &cloudtrailapi.LookupEventsRequest{StartTime: tc.start, EndTime: tc.end})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := ids(out); got != tc.want {
			t.Errorf("%s: got [%s], want [%s]", tc.name, got, tc.want)
		}
	}
}

// Gatehouse records no Insights events: EventCategory "insight" returns
// none, as LookupEvents does where Insights is not enabled ("LookupEvents
// returns recent Insights events for trails that enable Insights").
func TestLookupInsight(t *testing.T) {
	s, st := fixture(t, entry(account, "e1", time.Minute, nil))
	out, err := lookup(s, account, &cloudtrailapi.LookupEventsRequest{EventCategory: ptr(cloudtrailapi.EventCategoryInsight), LookupAttributes: attr("EventName", "ListUsers")})
	if err != nil || out.Events == nil || len(out.Events) != 0 || out.NextToken != nil {
		t.Fatalf("got %+v, %v; want no events", out, err)
	}
	if st.lookups != 0 {
		t.Error("the trail was read for Insights events")
	}
}

// Pages list newest first, events of the same time by insertion, newest
// first; each NextToken continues where its page ended until the last page,
// which has none. The default page is 50 events ("The default is 50").
func TestLookupPaging(t *testing.T) {
	var es []trail.Entry
	for i := range 7 {
		// e0,e1 share a time, then e2,e3,e4, then e5, e6.
		age := []time.Duration{3, 3, 2, 2, 2, 1, 0}[i] * time.Minute
		es = append(es, entry(account, fmt.Sprintf("e%d", i), age, nil))
	}
	s, _ := fixture(t, es...)
	var pages []string
	in := &cloudtrailapi.LookupEventsRequest{MaxResults: ptr[int32](3)}
	for range 10 {
		out, err := lookup(s, account, in)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, ids(out))
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if got := strings.Join(pages, "|"); got != "e6,e5,e4|e3,e2,e1|e0" {
		t.Errorf("pages %s", got)
	}

	var many []trail.Entry
	for i := range 51 {
		many = append(many, entry(account, fmt.Sprintf("m%d", i), time.Duration(i)*time.Second, nil))
	}
	s, _ = fixture(t, many...)
	out, err := lookup(s, account, &cloudtrailapi.LookupEventsRequest{})
	if err != nil || len(out.Events) != 50 || out.NextToken == nil {
		t.Fatalf("default page: %d events, token %v, %v", len(out.Events), out.NextToken, err)
	}
	out, err = lookup(s, account, &cloudtrailapi.LookupEventsRequest{NextToken: out.NextToken})
	if err != nil || ids(out) != "m50" || out.NextToken != nil {
		t.Errorf("second page: [%s], token %v, %v", ids(out), out.NextToken, err)
	}
}

// A NextToken "must be passed in with the same parameters that were
// specified in the original call" (API_LookupEvents): replayed with another
// attribute, time range or category, by another account, or edited, it is
// InvalidNextTokenException ("a token that was previously used in a request
// with different parameters"). The page size may change. A token is trusted
// for nothing but a position in the very listing its fingerprint names.
func TestLookupTokenBinding(t *testing.T) {
	var es []trail.Entry
	for i := range 5 {
		es = append(es, entry(account, fmt.Sprintf("e%d", i), time.Duration(5-i)*time.Minute, nil), entry(other, fmt.Sprintf("o%d", i), time.Minute, nil))
	}
	s, st := fixture(t, es...)
	start := ptr(now.Add(-time.Hour))
	first := &cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("Username", "alice"), StartTime: start, MaxResults: ptr[int32](2)}
	out, err := lookup(s, account, first)
	if err != nil || out.NextToken == nil {
		t.Fatalf("first page: %+v, %v", out, err)
	}
	tok := *out.NextToken
	same := func(mut func(in *cloudtrailapi.LookupEventsRequest)) *cloudtrailapi.LookupEventsRequest {
		in := *first
		in.NextToken = &tok
		mut(&in)
		return &in
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	parts := strings.Split(string(raw), ".")
	forge := func(p ...string) string { return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(p, "."))) }
	for _, tc := range []struct {
		name string
		acct string
		in   *cloudtrailapi.LookupEventsRequest
	}{
		{"other value", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.LookupAttributes = attr("Username", "bob") })},
		{"other key", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.LookupAttributes = attr("EventName", "alice") })},
		{"no attribute", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.LookupAttributes = nil })},
		{"other start", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.StartTime = ptr(now.Add(-2 * time.Hour)) })},
		{"no start", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.StartTime = nil })},
		{"an end", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.EndTime = ptr(now) })},
		{"insight", account, same(func(in *cloudtrailapi.LookupEventsRequest) {
			in.EventCategory = ptr(cloudtrailapi.EventCategoryInsight)
		})},
		{"other account", other, same(func(*cloudtrailapi.LookupEventsRequest) {})},
		{"edited fingerprint", account, same(func(in *cloudtrailapi.LookupEventsRequest) {
			in.NextToken = ptr(forge(parts[0], parts[1], parts[2], strings.Repeat("0", len(parts[3]))))
		})},
		{"negative sequence", account, same(func(in *cloudtrailapi.LookupEventsRequest) {
			in.NextToken = ptr(forge(parts[0], parts[1], "-1", parts[3]))
		})},
		{"padded number", account, same(func(in *cloudtrailapi.LookupEventsRequest) {
			in.NextToken = ptr(forge(parts[0], "0"+parts[1], parts[2], parts[3]))
		})},
		{"other version", account, same(func(in *cloudtrailapi.LookupEventsRequest) {
			in.NextToken = ptr(forge(append([]string{"ct2"}, parts[1:]...)...))
		})},
		{"extra part", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.NextToken = ptr(forge(append(parts, "x")...)) })},
		{"padded base64", account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.NextToken = ptr(tok + "=") })},
	} {
		before := st.lookups
		_, err := lookup(s, tc.acct, tc.in)
		wantCode(t, tc.name, err, "InvalidNextTokenException")
		if st.lookups != before {
			t.Errorf("%s: the trail was read with a refused token", tc.name)
		}
	}
	out, err = lookup(s, account, same(func(in *cloudtrailapi.LookupEventsRequest) { in.MaxResults = ptr[int32](50) }))
	if err != nil || ids(out) != "e2,e1,e0" {
		t.Errorf("same query, larger page: [%s], %v", ids(out), err)
	}
}

// An unreachable trail is a 503 the SDKs retry (the Common Errors of the
// CloudTrail API reference: ServiceUnavailable, 503); any other failure of
// the trail is left to the server, which answers it as an internal failure.
func TestLookupTrailFailures(t *testing.T) {
	s, st := fixture(t)
	st.fail = fmt.Errorf("sqlite: %w", trail.ErrUnavailable)
	_, err := lookup(s, account, &cloudtrailapi.LookupEventsRequest{})
	ae, ok := awserr.As(err)
	if !ok || ae.Status != http.StatusServiceUnavailable || ae.Sender || !errors.Is(err, trail.ErrUnavailable) {
		t.Errorf("unavailable trail: got %v", err)
	}
	broken := errors.New("disk on fire")
	st.fail = broken
	_, err = lookup(s, account, &cloudtrailapi.LookupEventsRequest{})
	if _, ok := awserr.As(err); ok || !errors.Is(err, broken) {
		t.Errorf("broken trail: got %v, want the cause unrendered", err)
	}
}

// LookupEvents is authorized as cloudtrail:LookupEvents on "*": the Service
// Authorization Reference lists the action with no resource type
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html).
func TestLookupAuthz(t *testing.T) {
	s, _ := fixture(t)
	ops := s.Ops()
	if len(ops) != 1 {
		t.Errorf("ops %v: want LookupEvents only", ops)
	}
	op, ok := ops["LookupEvents"]
	if !ok {
		t.Fatal("no LookupEvents")
	}
	az, err := op.Authz(context.Background(), caller(account), &cloudtrailapi.LookupEventsRequest{LookupAttributes: attr("Username", "bob")})
	if err != nil || az.Action != "cloudtrail:LookupEvents" || az.Resource != "*" || az.Skip || len(az.Also) != 0 {
		t.Errorf("authz %+v, %v", az, err)
	}
}
