package lastaccess

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// pagedTrail serves fixed pages of one principal's events and counts the
// pages read.
type pagedTrail struct {
	trail.Store
	pages [][]trail.Entry
	reads int
}

func (p *pagedTrail) Lookup(_ context.Context, q trail.Query) (trail.Page, error) {
	i := 0
	if q.After != nil {
		i = int(q.After.Seq)
	}
	p.reads++
	pg := trail.Page{Entries: p.pages[i]}
	if i+1 < len(p.pages) {
		pg.Next = &trail.Cursor{Seq: int64(i + 1)}
	}
	return pg, nil
}

// The trail is read newest first until nothing older can change the
// answer: once every allowed service (and, at action level, every allowed
// tracked action) has its last access, older pages are not read.
func TestReadStopsWhenComplete(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ev := func(src, name string, age time.Duration) trail.Entry {
		return trail.Entry{EventSource: src, EventName: name, Time: now.Add(-age), Management: true, JSON: []byte(`{"awsRegion":"eu-west-1"}`)}
	}
	pages := [][]trail.Entry{
		{ev("iam.amazonaws.com", "GetUser", time.Minute), ev("sts.amazonaws.com", "GetCallerIdentity", 2*time.Minute)},
		{ev("iam.amazonaws.com", "ListUsers", time.Hour), ev("iam.amazonaws.com", "GetUser", 90*time.Minute)},
		{ev("s3.amazonaws.com", "ListBuckets", 2*time.Hour)},
	}
	const user = "arn:aws:iam::123456789012:user/dev"
	for _, tc := range []struct {
		name        string
		allowed     map[string][]string
		actionLevel bool
		reads       int
	}{
		{"services seen on the first page", map[string][]string{"iam": {"GetUser", "ListUsers"}, "sts": {"GetCallerIdentity"}}, false, 1},
		{"a tracked action on the second page", map[string][]string{"iam": {"GetUser", "ListUsers"}, "sts": {"GetCallerIdentity"}}, true, 2},
		{"a service never used", map[string][]string{"iam": {"GetUser"}, "dynamodb": {"GetItem"}}, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &pagedTrail{pages: pages}
			u, err := Read(context.Background(), tr, "123456789012", user, now.Add(-TrackingPeriod), Complete(tc.allowed, tc.actionLevel))
			if err != nil {
				t.Fatal(err)
			}
			if tr.reads != tc.reads {
				t.Errorf("%d pages read, want %d", tr.reads, tc.reads)
			}
			if a := u.Services["iam"]; !a.Time.Equal(now.Add(-time.Minute)) || a.Region != "eu-west-1" || a.Entity != user {
				t.Errorf("iam %+v", a)
			}
			// The newest use of an action is its last, not an older one.
			if a := u.Actions["iam:GetUser"]; !a.Time.Equal(now.Add(-time.Minute)) {
				t.Errorf("iam:GetUser %+v", a)
			}
		})
	}
}

// Allowed expands Action patterns and NotAction by the Service
// Authorization Reference, ignores Deny, and keys by lower-case namespace
// (IAM User Guide, access_policies_access-advisor.md: last accessed data
// applies permissions policy logic only).
func TestAllowed(t *testing.T) {
	compile := func(doc string) *policy.Policy {
		d, err := policy.Parse(doc, policy.KindIdentity)
		if err != nil {
			t.Fatal(err)
		}
		p, err := policy.Compile("p", d)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	got := Allowed([]*policy.Policy{compile(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:Get*User","STS:GetCallerIdentity"],"Resource":"*"},
		{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)})
	if !slices.Equal(got["iam"], []string{"GetUser"}) || !slices.Equal(got["sts"], []string{"GetCallerIdentity"}) || got["s3"] != nil {
		t.Errorf("Allowed = %v", got)
	}
	all := Allowed([]*policy.Policy{compile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`)})
	if all["iam"] != nil || len(all["s3"]) == 0 || len(all) < 100 {
		t.Errorf("NotAction iam:* allows %d namespaces, iam %v", len(all), all["iam"])
	}
}

// Tracked: IAM's actions but PassRole, S3's management actions but not its
// object (data) actions (IAM User Guide, "Action last accessed
// information").
func TestTracked(t *testing.T) {
	for _, tc := range []struct {
		ns, action string
		want       bool
	}{
		{"iam", "GetUser", true}, {"iam", "PassRole", false}, {"s3", "ListAllMyBuckets", true},
		{"s3", "GetObject", false}, {"sts", "AssumeRole", false},
	} {
		if got := Tracked(tc.ns, tc.action); got != tc.want {
			t.Errorf("Tracked(%s, %s) = %v, want %v", tc.ns, tc.action, got, tc.want)
		}
	}
	if ServiceName("iam") == "iam" || ServiceName("nope") != "nope" {
		t.Errorf("ServiceName: %q %q", ServiceName("iam"), ServiceName("nope"))
	}
}
