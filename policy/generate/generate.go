// Package generate writes least-privilege policies from access activity, as
// IAM Access Analyzer's policy generation does (IAM User Guide,
// access-analyzer-policy-generation.md): the actions an IAM entity used
// successfully in a time range, read from CloudTrail records, grouped into
// statements by service, on the resources they were used on where the
// actions' resource types allow, each document within IAM's size limit.
//
// The package is pure: events in, documents out. The Access Analyzer
// service feeds it the audit trail (trail.Store); `gatehouse policy
// generate` feeds it an exported trail (--audit-log JSON lines). Both read
// records with ParseRecord, so both generate alike.
package generate

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authref"
)

// Event is one CloudTrail record as generation reads it.
type Event struct {
	// Time is the event's time.
	Time time.Time
	// Source is the eventSource (s3.amazonaws.com) and Name the eventName
	// (the API operation).
	Source, Name string
	// Principal is the IAM entity that made the call: a user's ARN, the
	// role's ARN for a role session ("" when the record names none).
	Principal string
	// Failed reports a record with an errorCode: the call did not succeed
	// (denied, or failed otherwise) and grants nothing.
	Failed bool
	// Resources are the ARNs of the resources the call named.
	Resources []string
}

// record is the part of a CloudTrail record generation reads.
type record struct {
	EventTime    string `json:"eventTime"`
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	ErrorCode    string `json:"errorCode"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		SessionContext *struct {
			SessionIssuer *struct {
				ARN string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	Resources []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
}

// ParseRecord reads one CloudTrail record (a line of --audit-log, or a
// trail entry's JSON). The principal of an AssumedRole record is the role
// that issued the session (its sessionContext.sessionIssuer), as policy
// generation attributes a role's sessions to the role.
func ParseRecord(b []byte) (Event, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return Event{}, fmt.Errorf("a CloudTrail record: %w", err)
	}
	if r.EventSource == "" || r.EventName == "" {
		return Event{}, errors.New("a CloudTrail record needs eventSource and eventName")
	}
	t, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil {
		return Event{}, fmt.Errorf("eventTime %q: %w", r.EventTime, err)
	}
	ev := Event{Time: t, Source: r.EventSource, Name: r.EventName, Failed: r.ErrorCode != ""}
	switch u := r.UserIdentity; u.Type {
	case "AssumedRole":
		if u.SessionContext != nil && u.SessionContext.SessionIssuer != nil {
			ev.Principal = u.SessionContext.SessionIssuer.ARN
		}
	case "IAMUser", "Root":
		ev.Principal = u.ARN
	}
	for _, res := range r.Resources {
		if res.ARN != "" {
			ev.Resources = append(ev.Resources, res.ARN)
		}
	}
	return ev, nil
}

// Filter selects the events of one principal in a time range.
type Filter struct {
	// Principal is the IAM entity whose activity counts; "" counts all.
	Principal string
	// Start and End bound the events' time, both inclusive; zero is
	// unbounded.
	Start, End time.Time
}

func (f *Filter) keeps(e *Event) bool {
	if f.Principal != "" && e.Principal != f.Principal {
		return false
	}
	if !f.Start.IsZero() && e.Time.Before(f.Start) {
		return false
	}
	return f.End.IsZero() || !e.Time.After(f.End)
}

// passRole is never in a generated policy: "The iam:PassRole action is not
// tracked by CloudTrail and is not included in generated policies" (IAM User
// Guide, access-analyzer-policy-generation.md).
const passRole = "iam:PassRole"

// MaxResources is how many distinct resources of one action a policy names
// before it grants the action on every resource instead.
const MaxResources = 20

// Usage is what a principal used: the input of Policies, kept by the
// service between a job's run and its reads.
type Usage struct {
	// Actions maps each action used ("s3:GetObject", in the Service
	// Authorization Reference's case) to what it was used on.
	Actions map[string]*ActionUse `json:"actions"`
	// Services are the prefixes of services the principal used through
	// calls that resolve to no action (the service-level template's
	// services), sorted.
	Services []string `json:"services,omitempty"`
	// Unresolved are the calls (eventSource/eventName) that resolve to no
	// action of a known service, sorted: a policy cannot grant them.
	Unresolved []string `json:"unresolved,omitempty"`
}

// ActionUse is what an action was used on.
type ActionUse struct {
	// Resources are the ARNs of the resources of the action's resource
	// types it was used on, sorted.
	Resources []string `json:"resources,omitempty"`
	// Any reports a use on no known resource, on more than MaxResources, or
	// an action that applies to "*" only.
	Any bool `json:"any,omitempty"`
}

// Summarize reads the events the filter keeps. Failed calls count for
// nothing: a policy grants what succeeded.
func Summarize(events []Event, f Filter) *Usage {
	u := &Usage{Actions: map[string]*ActionUse{}}
	data := authref.Lookup()
	services, unresolved := map[string]bool{}, map[string]bool{}
	for i := range events {
		e := &events[i]
		if e.Failed || !f.keeps(e) {
			continue
		}
		actions, prefix := Actions(e.Source, e.Name)
		if len(actions) == 0 {
			if _, known := data.Service(prefix); known {
				services[prefix] = true
			} else {
				unresolved[e.Source+"/"+e.Name] = true
			}
			continue
		}
		for _, name := range actions {
			if strings.EqualFold(name, passRole) {
				continue
			}
			if !u.add(data, name, e.Resources) {
				unresolved[e.Source+"/"+e.Name] = true
			}
		}
	}
	u.Services = sortedKeys(services)
	u.Unresolved = sortedKeys(unresolved)
	return u
}

// add records a use of the action on the resources of its types; false
// when the reference does not know the action.
func (u *Usage) add(data *authref.Data, name string, resources []string) bool {
	a, ok := data.Action(name)
	if !ok {
		return false
	}
	use := u.Actions[a.FullName()]
	if use == nil {
		use = &ActionUse{}
		u.Actions[a.FullName()] = use
	}
	if len(a.Resources) == 0 {
		use.Any = true
		return true
	}
	matched := false
	for _, r := range resources {
		for _, t := range a.Resources {
			if !t.Type.MatchesARN(r) {
				continue
			}
			matched = true
			i := sort.SearchStrings(use.Resources, r)
			if i == len(use.Resources) || use.Resources[i] != r {
				use.Resources = append(use.Resources, "")
				copy(use.Resources[i+1:], use.Resources[i:])
				use.Resources[i] = r
			}
			break
		}
	}
	if !matched {
		use.Any = true
	}
	if len(use.Resources) > MaxResources {
		use.Resources, use.Any = nil, true
	}
	return true
}

// Complete reports that every call the principal made resolved to an
// action (the isComplete of GetGeneratedPolicy's properties).
func (u *Usage) Complete() bool { return len(u.Services) == 0 && len(u.Unresolved) == 0 }

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Options are GetGeneratedPolicy's levels of detail.
type Options struct {
	// ResourcePlaceholders names, for an action used on no known resource,
	// its resource type's ARN with placeholders
	// ("arn:aws:s3:::${BucketName}") in place of "*".
	ResourcePlaceholders bool
	// ServiceLevelTemplate adds a statement for each service used through
	// calls that resolve to no action, granting the service's actions
	// ("prefix:*"; IAM's but iam:PassRole) for the user to narrow.
	ServiceLevelTemplate bool
	// Account fills the ${Account} of placeholders (the principal's
	// account); "" leaves it.
	Account string
}

// MaxPolicySize is the size limit of a managed policy (IAM quotas: 6,144
// characters, whitespace not counted); a longer generated policy is split
// into several (IAM User Guide, access-analyzer-policy-generation.md, step 3).
const MaxPolicySize = 6144

// Statement is one statement of a generated policy.
type Statement struct {
	Sid      string   `json:"Sid,omitempty"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// Document is a generated policy.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statements returns the statements of the policy for u: per service (in
// prefix order), one statement for each set of resources its actions share;
// then, with ServiceLevelTemplate, the service-level statements.
func (u *Usage) Statements(o Options) []Statement {
	data := authref.Lookup()
	type group struct {
		service   string
		resources []string
		actions   []string
	}
	groups := map[string]*group{}
	for name, use := range u.Actions {
		service, _, _ := strings.Cut(name, ":")
		res := u.resourcesOf(data, name, use, o)
		key := service + "\x00" + strings.Join(res, "\x00")
		g := groups[key]
		if g == nil {
			g = &group{service: service, resources: res}
			groups[key] = g
		}
		g.actions = append(g.actions, name)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Statement
	for _, k := range keys {
		g := groups[k]
		sort.Strings(g.actions)
		out = append(out, Statement{Effect: "Allow", Action: g.actions, Resource: g.resources})
	}
	if o.ServiceLevelTemplate {
		// A service's actions on every resource cover its action-level
		// statements on "*", which would be redundant beside them.
		for _, svc := range u.Services {
			kept := out[:0]
			for _, st := range out {
				prefix, _, _ := strings.Cut(st.Action[0], ":")
				if prefix != svc || len(st.Resource) != 1 || st.Resource[0] != "*" {
					kept = append(kept, st)
				}
			}
			out = append(kept, Statement{Effect: "Allow", Action: serviceLevel(data, svc), Resource: []string{"*"}})
		}
	}
	for i := range out {
		out[i].Sid = sid(out[i].Action[0], i)
	}
	return out
}

// sid names a statement after its service and position (Sids of identity
// policies are alphanumeric).
func sid(action string, i int) string {
	service, _, _ := strings.Cut(action, ":")
	var b strings.Builder
	up := true
	for _, r := range service {
		switch {
		case r >= 'a' && r <= 'z':
			if up {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return fmt.Sprintf("%s%d", b.String(), i+1)
}

// resourcesOf returns the Resource element of an action's statement.
func (u *Usage) resourcesOf(data *authref.Data, name string, use *ActionUse, o Options) []string {
	if !use.Any {
		return use.Resources
	}
	a, ok := data.Action(name)
	if !ok || len(a.Resources) == 0 || !o.ResourcePlaceholders {
		return []string{"*"}
	}
	// The placeholder of the action's resource type, a required one
	// before others, the plainest (fewest variables) first, beside the
	// resources already known.
	best := a.Resources[0]
	for _, r := range a.Resources[1:] {
		if r.Required != best.Required {
			if r.Required {
				best = r
			}
			continue
		}
		if strings.Count(r.Type.ARN, "${") < strings.Count(best.Type.ARN, "${") {
			best = r
		}
	}
	t := best.Type
	p := strings.ReplaceAll(t.ARN, "${Partition}", arn.Partition)
	if o.Account != "" {
		p = strings.ReplaceAll(p, "${Account}", o.Account)
	}
	res := append([]string{p}, use.Resources...)
	sort.Strings(res)
	return res
}

// Policies returns the generated policy documents as JSON: one, or several
// when the statements do not fit in MaxPolicySize together. A principal that
// used nothing gets none.
func (u *Usage) Policies(o Options) ([]string, error) {
	stmts := u.Statements(o)
	var out []string
	var cur []Statement
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		b, err := json.Marshal(Document{Version: "2012-10-17", Statement: cur})
		if err != nil {
			return err
		}
		out = append(out, string(b))
		cur = nil
		return nil
	}
	var parts []Statement
	for _, s := range stmts {
		fit, err := fitted(s)
		if err != nil {
			return nil, err
		}
		parts = append(parts, fit...)
	}
	for _, s := range parts {
		next := append(cur, s)
		b, err := json.Marshal(Document{Version: "2012-10-17", Statement: next})
		if err != nil {
			return nil, err
		}
		if len(b) > MaxPolicySize && len(cur) > 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			next = []Statement{s}
		}
		cur = next
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// fitted splits a statement whose policy alone would exceed MaxPolicySize
// into statements on parts of its resources.
func fitted(s Statement) ([]Statement, error) {
	b, err := json.Marshal(Document{Version: "2012-10-17", Statement: []Statement{s}})
	if err != nil {
		return nil, err
	}
	if len(b) <= MaxPolicySize || len(s.Resource) < 2 {
		return []Statement{s}, nil
	}
	half := len(s.Resource) / 2
	a, c := s, s
	a.Resource, c.Resource = s.Resource[:half], s.Resource[half:]
	first, err := fitted(a)
	if err != nil {
		return nil, err
	}
	second, err := fitted(c)
	if err != nil {
		return nil, err
	}
	return append(first, second...), nil
}

// serviceLevel returns the actions of a service-level statement: "prefix:*",
// or for IAM its actions but iam:PassRole, which a generated policy never
// grants (and which on "*" is a SECURITY_WARNING of ValidatePolicy).
func serviceLevel(data *authref.Data, prefix string) []string {
	if prefix != "iam" {
		return []string{prefix + ":*"}
	}
	var out []string
	for _, a := range data.MatchActions("iam:*") {
		if a.FullName() != passRole {
			out = append(out, a.FullName())
		}
	}
	sort.Strings(out)
	return out
}
