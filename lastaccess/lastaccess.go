// Package lastaccess answers, for IAM's last accessed reports and Access
// Analyzer's unused access findings alike, which services and actions an
// entity's permissions policies allow (Allowed), which of those AWS tracks
// at action level (Tracked), and when the entity last used each, read from
// the audit trail (Read).
package lastaccess

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// TrackingPeriod is how far back access is reported (the IAM User Guide's
// "Tracking period" of last accessed information: 400 days).
const TrackingPeriod = 400 * 24 * time.Hour

// pageSize is the page size the trail is read in.
const pageSize = 1000

// Access is one last access: when, by whom, from which Region.
type Access struct {
	Time   time.Time `json:"time"`
	Entity string    `json:"entity"`
	Region string    `json:"region"`
}

// Uses is what the trail says of one entity: its last access to each
// namespace, and to each tracked action ("ns:Name").
type Uses struct {
	Services map[string]Access
	Actions  map[string]Access
}

// Complete reports whether an entity's uses already hold everything a report
// over allowed can show of it: a last access to every allowed service and,
// at action level, to every allowed tracked action. Older events cannot
// change it.
func Complete(allowed map[string][]string, actionLevel bool) func(Uses) bool {
	return func(u Uses) bool {
		for ns, names := range allowed {
			if _, ok := u.Services[ns]; !ok {
				return false
			}
			if !actionLevel {
				continue
			}
			for _, n := range names {
				if _, ok := u.Actions[ns+":"+n]; !ok && Tracked(ns, n) {
					return false
				}
			}
		}
		return true
	}
}

// Read reads the trail for the events of one entity (by ARN) of account
// since start, newest first, until done says nothing older can matter.
// Denied calls count, as in AWS's last accessed information ("Attempts
// reported"); events of unauthenticated requests carry no entity.
func Read(ctx context.Context, tr trail.Store, account, entity string, start time.Time, done func(Uses) bool) (Uses, error) {
	u := Uses{Services: map[string]Access{}, Actions: map[string]Access{}}
	q := trail.Query{Account: account, Principal: entity, Start: start, IncludeData: true, Limit: pageSize}
	for {
		pg, err := tr.Lookup(ctx, q)
		if err != nil {
			return u, fmt.Errorf("reading the trail of %s: %w", entity, err)
		}
		for _, en := range pg.Entries {
			ns, ok := strings.CutSuffix(en.EventSource, ".amazonaws.com")
			if !ok {
				continue
			}
			// Entries come newest first: the first seen is the last.
			var acc *Access
			if _, seen := u.Services[ns]; !seen {
				a := Access{Time: en.Time, Entity: entity, Region: RegionOf(en.JSON)}
				u.Services[ns] = a
				acc = &a
			}
			if en.Management && Tracked(ns, en.EventName) {
				key := ns + ":" + en.EventName
				if _, seen := u.Actions[key]; !seen {
					if acc == nil {
						acc = &Access{Time: en.Time, Entity: entity, Region: RegionOf(en.JSON)}
					}
					u.Actions[key] = *acc
				}
			}
		}
		if pg.Next == nil || (done != nil && done(u)) {
			return u, nil
		}
		q.After = pg.Next
	}
}

// RegionOf is a record's awsRegion.
func RegionOf(record []byte) string {
	var r struct {
		AWSRegion string `json:"awsRegion"`
	}
	if err := json.Unmarshal(record, &r); err != nil {
		return ""
	}
	return r.AWSRegion
}

// Allowed expands the Allow statements of policies into the actions of the
// Service Authorization Reference they name (Action, or every action
// NotAction does not name), by lower-cased namespace, each list sorted. A
// service is allowed when a statement allows one of its actions, whatever
// the statement's resources and conditions: last accessed data "only
// applies permissions policy logic" (GenerateServiceLastAccessedDetails).
func Allowed(pols []*policy.Policy) map[string][]string {
	ref := authref.Lookup()
	set := map[string]map[string]bool{}
	add := func(a *authref.Action) {
		ns := strings.ToLower(a.Service)
		if set[ns] == nil {
			set[ns] = map[string]bool{}
		}
		set[ns][a.Name] = true
	}
	for _, p := range pols {
		for _, st := range p.Doc.Statements {
			if st.Effect != policy.Allow {
				continue
			}
			for a := range StatementActions(ref, st) {
				add(a)
			}
		}
	}
	out := make(map[string][]string, len(set))
	for ns, names := range set {
		l := make([]string, 0, len(names))
		for n := range names {
			l = append(l, n)
		}
		slices.Sort(l)
		out[ns] = l
	}
	return out
}

// Tracked reports whether AWS tracks an action of a namespace at action
// level, among the services Gatehouse has: IAM's actions but iam:PassRole,
// and S3's management actions, those on no object (the IAM User Guide's
// "Action last accessed information" and "PassRole"; S3 data events are not
// tracked).
func Tracked(ns, action string) bool {
	switch ns {
	case "iam":
		return !strings.EqualFold(action, "PassRole")
	case "s3":
		s, _ := authref.Lookup().Service("s3")
		a, ok := s.Action(action)
		if !ok {
			return false
		}
		for _, r := range a.Resources {
			if r.Type.Name == "object" {
				return false
			}
		}
		return true
	}
	return false
}

// ServiceName is a namespace's service name, as the Service Authorization
// Reference gives it.
func ServiceName(ns string) string {
	if s, ok := authref.Lookup().Service(ns); ok {
		return s.Name
	}
	return ns
}

// StatementActions is the set of actions a statement's Action names, or
// for NotAction every action it does not name.
func StatementActions(ref *authref.Data, st *policy.Statement) map[*authref.Action]bool {
	named := map[*authref.Action]bool{}
	for _, pat := range st.Actions {
		for _, a := range ref.MatchActions(pat) {
			named[a] = true
		}
	}
	if !st.NotAction {
		return named
	}
	out := map[*authref.Action]bool{}
	for _, a := range ref.MatchActions("*") {
		if !named[a] {
			out[a] = true
		}
	}
	return out
}
