package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/lastaccess"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// What the two kinds of access report share — the service last accessed
// reports of IAM entities (lastaccessed.go) and the Organizations access
// reports (orgaccess.go): the services policies allow, as the Service
// Authorization Reference names them, and the reading of the audit trail
// under a deadline.

// trailPage is the page size the trail is read in.
const trailPage = 1000

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
		allowed := lastaccess.Allowed(level)
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
				denied := lastaccess.StatementActions(ref, st)
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
