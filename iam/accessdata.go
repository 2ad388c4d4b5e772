package iam

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

// What the two kinds of access report share — the service last accessed
// reports of IAM entities (lastaccessed.go) and the Organizations access
// reports (orgaccess.go): the services policies allow, as the Service
// Authorization Reference names them, and the reading of the audit trail
// under a deadline.

const (
	// trackingPeriod is how far back access is reported (the guide's
	// "Tracking period": 400 days).
	trackingPeriod = 400 * 24 * time.Hour
	// trailDeadline bounds the reading of the trail for one report.
	trailDeadline = 20 * time.Second
	// trailPage is the page size the trail is read in.
	trailPage = 1000
)

// scanTrail reads the trail's entries that q selects, newest first, page by
// page (q.Limit is set to trailPage), handing each to visit until visit
// returns false or the entries end. The caller bounds it with its context
// (reports use trailDeadline for the whole report).
func scanTrail(ctx context.Context, tr trail.Store, q trail.Query, visit func(trail.Entry) bool) error {
	q.Limit = trailPage
	for {
		pg, err := tr.Lookup(ctx, q)
		if err != nil {
			return fmt.Errorf("reading the trail of account %s: %w", q.Account, err)
		}
		for _, en := range pg.Entries {
			if !visit(en) {
				return nil
			}
		}
		if pg.Next == nil {
			return nil
		}
		q.After = pg.Next
	}
}

// namespaceOf is the service namespace of an entry (its event source's
// host name without ".amazonaws.com"), false for another source.
func namespaceOf(en trail.Entry) (string, bool) {
	return strings.CutSuffix(en.EventSource, ".amazonaws.com")
}

// allowedActions expands the Allow statements of policies into the actions
// of the Service Authorization Reference they name (Action, or every action
// NotAction does not name), by lower-cased namespace, each list sorted. A
// service is allowed when a statement allows one of its actions, whatever
// the statement's resources and conditions: last accessed data "only
// applies permissions policy logic" (GenerateServiceLastAccessedDetails).
func allowedActions(pols []*policy.Policy) map[string][]string {
	ref := authref.Lookup()
	set := map[string]map[string]bool{}
	for _, p := range pols {
		for _, st := range p.Doc.Statements {
			if st.Effect != policy.Allow {
				continue
			}
			for a := range statementActions(ref, st) {
				ns := strings.ToLower(a.Service)
				if set[ns] == nil {
					set[ns] = map[string]bool{}
				}
				set[ns][a.Name] = true
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

// regionOf is a record's awsRegion.
func regionOf(record []byte) string {
	var r struct {
		AWSRegion string `json:"awsRegion"`
	}
	if err := json.Unmarshal(record, &r); err != nil {
		return ""
	}
	return r.AWSRegion
}

// serviceName is a namespace's service name, as the Service Authorization
// Reference gives it.
func serviceName(ns string) string {
	if s, ok := authref.Lookup().Service(ns); ok {
		return s.Name
	}
	return ns
}

// scpAllowedServices is the namespaces the levels of service control
// policies allow (root first, each level must allow; Organizations Access
// Reports "only apply SCP logic", GenerateOrganizationsAccessReport): a
// service is allowed at a level when one of its Allow statements names one
// of its actions, whatever the resources and conditions, unless a Deny
// statement of any level without conditions, on every resource, names every
// action of the service.
func scpAllowedServices(levels [][]*policy.Policy) map[string]bool {
	var out map[string]bool
	for i, level := range levels {
		allowed := allowedActions(level)
		if i == 0 {
			out = make(map[string]bool, len(allowed))
			for ns := range allowed {
				out[ns] = true
			}
			continue
		}
		for ns := range out {
			if _, ok := allowed[ns]; !ok {
				delete(out, ns)
			}
		}
	}
	ref := authref.Lookup()
	for _, level := range levels {
		for _, p := range level {
			for _, st := range p.Doc.Statements {
				if st.Effect != policy.Deny || len(st.Conditions) > 0 || st.NotResource || !slices.Contains(st.Resources, "*") {
					continue
				}
				denied := statementActions(ref, st)
				for ns := range out {
					all := ref.MatchActions(ns + ":*")
					if len(all) > 0 && !slices.ContainsFunc(all, func(a *authref.Action) bool { return !denied[a] }) {
						delete(out, ns)
					}
				}
			}
		}
	}
	return out
}

// statementActions is the set of actions a statement's Action names, or
// for NotAction every action it does not name.
func statementActions(ref *authref.Data, st *policy.Statement) map[*authref.Action]bool {
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
