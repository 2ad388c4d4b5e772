package accessanalyzer

import (
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// access is one external access a resource policy grants: what a finding
// reports.
type access struct {
	// Principal is the external principal, e.g. {"AWS": "111122223333"},
	// {"Federated": "accounts.google.com"}, {"CanonicalUser": id} or
	// {"AWS": "*"}.
	Principal map[string]string
	// Actions are the actions the principal may call on the resource, sorted.
	Actions []string
	// Condition holds the statement's condition keys and their values (comma
	// separated), as the finding's condition map does.
	Condition map[string]string
	// Public reports access by anyone, with no condition to limit it.
	Public bool
	// Sources are how a bucket's access is granted (POLICY, BUCKET_ACL),
	// sorted; nil for other resources.
	Sources []string
}

// accesses collects the accesses of one resource, merging those of the
// same principal under the same condition.
type accesses []access

func (out *accesses) add(a access) {
	for i := range *out {
		o := &(*out)[i]
		if mapsEqual(o.Principal, a.Principal) && mapsEqual(o.Condition, a.Condition) {
			o.Actions = union(o.Actions, a.Actions)
			o.Sources = union(o.Sources, a.Sources)
			o.Public = o.Public || a.Public
			return
		}
	}
	a.Actions = union(nil, a.Actions)
	a.Sources = union(nil, a.Sources)
	*out = append(*out, a)
}

// union returns the sorted union of a and b without duplicates (nil when
// both are empty).
func union(a, b []string) []string {
	var out []string
	for _, v := range append(slices.Clone(a), b...) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// roleActions are the actions of a role trust policy that give access to the
// role: assuming it, and the session properties that go with assuming it.
var roleActions = []string{
	"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity", "sts:TagSession",
}

// federatedOnly are the actions only a federated principal calls, and
// awsOnly the one only an AWS principal calls.
var (
	federatedOnly = []string{"sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"}
	awsOnly       = []string{"sts:AssumeRole"}
)

// zone is a zone of trust: the accounts whose principals are trusted, and
// the organization they form (orgID "" for an account analyzer's zone,
// which is its one account).
type zone struct {
	accounts []string
	orgID    string
}

// accountZone is the zone of trust of an analyzer of account.
func accountZone(account string) zone { return zone{accounts: []string{account}} }

// trusts reports whether account is in the zone.
func (z zone) trusts(account string) bool { return slices.Contains(z.accounts, account) }

// trustsCanonical reports whether a canonical user id is one of the zone's
// accounts.
func (z zone) trustsCanonical(id string) bool {
	return slices.ContainsFunc(z.accounts, func(a string) bool { return acl.CanonicalID(a) == id })
}

// analyzeRole returns the accesses a role's trust policy grants to
// principals outside zone z: AWS principals of an account outside it or
// "*", and federated identity providers (whose users are outside any zone
// of trust). Service principals are AWS's own and are not
// external. An Allow is cancelled by a Deny statement without conditions
// that covers the same principal and actions. "*" is public when its
// statement has no condition. A document that does not parse grants nothing.
func analyzeRole(z zone, trustPolicy string) []access {
	doc, err := policy.Parse(trustPolicy, policy.KindTrust)
	if err != nil {
		return nil
	}
	var out accesses
	analyzeDoc(z, doc, &out, statementActions, func(st *policy.Statement) bool { return len(st.Conditions) == 0 }, nil)
	return out
}

// analyzeDoc adds to out the accesses the Allow statements of a resource
// policy give principals outside zone z: actionsOf says which actions of a
// statement concern the resource, public whether "*" in a statement is
// anyone at all (given that the statement does not confine it to the
// zone), sources how the access is granted.
func analyzeDoc(z zone, doc *policy.Document, out *accesses, actionsOf func(*policy.Statement) []string,
	public func(*policy.Statement) bool, sources []string) {
	for _, st := range doc.Statements {
		if st.Effect != policy.Allow || st.Principal == nil {
			continue
		}
		actions := actionsOf(st)
		if len(actions) == 0 {
			continue
		}
		cond := conditionMap(st.Conditions)
		for _, p := range externalPrincipals(z, st) {
			if p.value == "*" && zoneOnly(z, st.Conditions) {
				continue
			}
			acts := applicable(p, actions)
			acts = slices.DeleteFunc(acts, func(a string) bool { return denied(doc, p, a) })
			if len(acts) == 0 {
				continue
			}
			out.add(access{Principal: map[string]string{p.kind: p.value}, Actions: acts, Condition: cond,
				Public: p.value == "*" && public(st), Sources: sources})
		}
	}
}

// principal is one value of a Principal element.
type principal struct{ kind, value string }

// externalPrincipals returns the principals of an Allow statement outside
// zone z. NotPrincipal in an Allow grants everyone else: it is public.
func externalPrincipals(z zone, st *policy.Statement) []principal {
	p := st.Principal
	if st.NotPrincipal || p.Wildcard {
		return []principal{{"AWS", "*"}}
	}
	var out []principal
	for _, v := range p.AWS {
		if v == "*" {
			out = append(out, principal{"AWS", "*"})
			continue
		}
		if acct := principalAccount(v); acct != "" && !z.trusts(acct) {
			out = append(out, principal{"AWS", v})
		}
	}
	for _, v := range p.Federated {
		out = append(out, principal{"Federated", v})
	}
	for _, v := range p.CanonicalUser {
		if !z.trustsCanonical(v) {
			out = append(out, principal{"CanonicalUser", v})
		}
	}
	return out
}

// principalAccount returns the account of an AWS principal value: an
// account id, or the account field of an ARN.
func principalAccount(v string) string {
	if arn.IsAccountID(v) {
		return v
	}
	a, err := arn.Parse(v)
	if err != nil {
		return ""
	}
	return a.Account
}

// statementActions returns the role actions a statement's Action or
// NotAction covers.
func statementActions(st *policy.Statement) []string {
	var out []string
	for _, a := range roleActions {
		matched := slices.ContainsFunc(st.Actions, func(p string) bool { return wildcard.MatchFold(p, a) })
		if matched != st.NotAction {
			out = append(out, a)
		}
	}
	return out
}

// applicable keeps the actions the kind of principal p can call.
func applicable(p principal, actions []string) []string {
	out := slices.Clone(actions)
	switch p.kind {
	case "Federated":
		out = slices.DeleteFunc(out, func(a string) bool { return slices.Contains(awsOnly, a) })
	default:
		out = slices.DeleteFunc(out, func(a string) bool { return slices.Contains(federatedOnly, a) })
	}
	return out
}

// denied reports whether a Deny statement without conditions covers
// principal p and action a, and every resource the document can name (a
// bucket policy's Deny must cover the bucket and all its objects; a trust
// policy names no resource).
func denied(doc *policy.Document, p principal, a string) bool {
	for _, st := range doc.Statements {
		if st.Effect != policy.Deny || len(st.Conditions) > 0 || st.Principal == nil || st.NotPrincipal || !coversAll(st) {
			continue
		}
		matched := slices.ContainsFunc(st.Actions, func(x string) bool { return wildcard.MatchFold(x, a) })
		if matched == st.NotAction {
			continue
		}
		dp := st.Principal
		if dp.Wildcard || slices.Contains(dp.AWS, "*") {
			return true
		}
		var values []string
		switch p.kind {
		case "Federated":
			values = dp.Federated
		case "CanonicalUser":
			values = dp.CanonicalUser
		default:
			values = dp.AWS
		}
		if slices.Contains(values, p.value) {
			return true
		}
	}
	return false
}

// zoneOnly reports whether conditions limit the principal to zone z
// (aws:PrincipalAccount equal to accounts of the zone, or for an
// organization's zone aws:PrincipalOrgID equal to its id), which keeps "*"
// inside the zone of trust.
func zoneOnly(z zone, cs []policy.Condition) bool {
	for _, c := range cs {
		if !strings.HasPrefix(c.Operator, "StringEquals") || strings.HasSuffix(c.Operator, "IfExists") || len(c.Values) == 0 {
			continue
		}
		switch {
		case strings.EqualFold(c.Key, "aws:PrincipalAccount") && !slices.ContainsFunc(c.Values, func(v string) bool { return !z.trusts(v) }):
			return true
		case z.orgID != "" && strings.EqualFold(c.Key, "aws:PrincipalOrgID") && !slices.ContainsFunc(c.Values, func(v string) bool { return v != z.orgID }):
			return true
		}
	}
	return false
}

// conditionMap returns a statement's conditions as a finding's condition
// map: key to its values, comma separated (nil without conditions).
func conditionMap(cs []policy.Condition) map[string]string {
	if len(cs) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, c := range cs {
		v := strings.Join(c.Values, ",")
		if prev, ok := out[c.Key]; ok && prev != v {
			v = prev + "," + v
		}
		out[c.Key] = v
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// coversAll reports whether a statement's Resource covers everything a
// resource policy can name: it has none (a trust policy), "*", a bucket
// pattern "arn:aws:s3:::b*", or both a bucket and all its objects
// ("arn:aws:s3:::b" and "arn:aws:s3:::b/*").
func coversAll(st *policy.Statement) bool {
	if len(st.Resources) == 0 {
		return true
	}
	if st.NotResource {
		return false
	}
	for _, r := range st.Resources {
		if r == "*" {
			return true
		}
		b, ok := strings.CutPrefix(r, "arn:aws:s3:::")
		if !ok || b == "" {
			continue
		}
		if name, ok := strings.CutSuffix(b, "*"); ok && !strings.ContainsAny(name, "*?/") {
			return true
		}
		if !strings.ContainsAny(b, "*?/") && slices.Contains(st.Resources, r+"/*") {
			return true
		}
	}
	return false
}
