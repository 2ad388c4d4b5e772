package iam

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/lastaccess"
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
// report: once every allowed service (and, at action level, every allowed
// tracked action) has its last access, older pages are not read.
func TestReadUsesStopsWhenComplete(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ev := func(src, name string, age time.Duration) trail.Entry {
		return trail.Entry{EventSource: src, EventName: name, Time: now.Add(-age), Management: true, JSON: []byte(`{"awsRegion":"eu-west-1"}`)}
	}
	pages := [][]trail.Entry{
		{ev("iam.amazonaws.com", "GetUser", time.Minute), ev("sts.amazonaws.com", "GetCallerIdentity", 2*time.Minute)},
		{ev("iam.amazonaws.com", "ListUsers", time.Hour)},
		{ev("s3.amazonaws.com", "ListBuckets", 2*time.Hour)},
	}
	ents := []jobEntity{{ARN: "arn:aws:iam::123456789012:user/dev"}}
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
			s := &Service{trail: tr}
			uses, err := s.readUses(context.Background(), "123456789012", ents, now, lastaccess.Complete(tc.allowed, tc.actionLevel))
			if err != nil {
				t.Fatal(err)
			}
			if tr.reads != tc.reads {
				t.Errorf("%d pages read, want %d", tr.reads, tc.reads)
			}
			u := uses[ents[0].ARN]
			if a := u.Services["iam"]; !a.Time.Equal(now.Add(-time.Minute)) || a.Region != "eu-west-1" {
				t.Errorf("iam %+v", a)
			}
		})
	}
}
