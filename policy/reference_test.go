package policy

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// The reference evaluator decides a same-account IAM user's request against
// identity policies (and a boundary) the straightforward way: every statement
// in document order, actions and resources matched with the generic wildcard
// matcher on the text as written, policy variables expanded into the pattern,
// condition keys looked up in a plain map and every value parsed at each
// comparison. It shares no index, fast path or cache with the engine, so
// TestDifferential catches an index or fast path that decides differently.

type refCtx map[string][]string // lower-cased keys

type refStmt struct {
	deny, notAction, notResource bool
	actions, resources           []string
	conds                        []Condition
}

func refCompile(t *testing.T, docs []string) [][]refStmt {
	t.Helper()
	var out [][]refStmt
	for _, d := range docs {
		doc, err := Parse(d, KindIdentity)
		if err != nil {
			t.Fatalf("parse %s: %v", d, err)
		}
		var ss []refStmt
		for _, s := range doc.Statements {
			ss = append(ss, refStmt{deny: s.Effect == Deny, notAction: s.NotAction, notResource: s.NotResource,
				actions: s.Actions, resources: s.Resources, conds: s.Conditions})
		}
		out = append(out, ss)
	}
	return out
}

// refExpand expands a resource pattern's variables into the escaped form:
// literal text keeps its wildcards, values are literal. ok is false when a
// variable has neither a value nor a default.
func refExpand(s string, ctx refCtx) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		j := -1
		if i >= 0 {
			j = strings.IndexByte(s[i:], '}')
		}
		if i < 0 || j < 0 {
			b.WriteString(wildcard.Escape(s))
			return b.String(), true
		}
		b.WriteString(wildcard.Escape(s[:i]))
		body := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		if body == "*" || body == "?" || body == "$" {
			b.WriteString(body)
			continue
		}
		key, def, hasDef := body, "", false
		if k, d, ok := strings.Cut(body, ","); ok {
			key = strings.TrimSpace(k)
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
		}
		if v := ctx[strings.ToLower(key)]; len(v) > 0 {
			b.WriteString(v[0])
		} else if hasDef {
			b.WriteString(def)
		} else {
			return "", false
		}
	}
}

// refResource matches an escaped resource pattern with a resource: a six-part
// ARN pattern component by component with a six-part ARN, anything else as a
// whole string.
func refResource(pat, res string) bool {
	if pat == "*" || pat == string(wildcard.AnyRun) {
		return true
	}
	pp := strings.SplitN(pat, ":", 6)
	rp := strings.SplitN(res, ":", 6)
	if len(pp) != 6 || len(rp) != 6 {
		if len(pp) != 6 && len(rp) != 6 {
			return wildcard.MatchEscaped(pat, res, false)
		}
		return false
	}
	for i := range pp {
		if !wildcard.MatchEscaped(pp[i], rp[i], false) {
			return false
		}
	}
	return true
}

// refCond decides the conditions the differential vocabulary uses.
func refCond(t *testing.T, c Condition, ctx refCtx) bool {
	vals, present := ctx[strings.ToLower(c.Key)]
	present = present && len(vals) > 0
	op := c.Operator
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	if op == "Null" {
		return (c.Values[0] == "true") == !present
	}
	negated := strings.Contains(op, "Not")
	if !present {
		return ifExists || negated
	}
	// one reports whether request value v matches some policy value (m) and
	// whether every value could be read (readable).
	one := func(v string) (m, readable bool) {
		readable = true
		for _, pv := range c.Values {
			switch op {
			case "StringEquals", "StringNotEquals":
				if e, ok := refExpand(pv, ctx); ok && e == wildcard.Escape(pv) && pv == v {
					m = true
				} else if ok && e != wildcard.Escape(pv) {
					// A value with variables: compare the expansion as text.
					x, _ := refExpandText(pv, ctx)
					m = m || x == v
				}
			case "StringLike":
				if e, ok := refExpand(pv, ctx); ok && wildcard.MatchEscaped(e, v, false) {
					m = true
				}
			case "IpAddress", "NotIpAddress":
				p, ok := parseCIDR(pv)
				a, err := netip.ParseAddr(v)
				if !ok || err != nil {
					readable = false
					continue
				}
				m = m || p.Contains(a.Unmap())
			case "DateLessThan", "DateGreaterThan":
				pt, ok1 := parseDate(pv)
				rt, ok2 := parseDate(v)
				if !ok1 || !ok2 {
					readable = false
					continue
				}
				if op == "DateLessThan" {
					m = m || rt.Before(pt)
				} else {
					m = m || rt.After(pt)
				}
			case "Bool":
				if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
					readable = false
					continue
				}
				m = m || strings.EqualFold(v, pv)
			default:
				t.Fatalf("reference: operator %s", c.Operator)
			}
		}
		return m, readable
	}
	if negated {
		for _, v := range vals {
			if m, ok := one(v); m || !ok {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if m, _ := one(v); m {
			return true
		}
	}
	return false
}

// refExpandText expands a string value's variables as plain text.
func refExpandText(s string, ctx refCtx) (string, bool) {
	e, ok := refExpand(s, ctx)
	e = strings.NewReplacer(string(wildcard.AnyRun), "*", string(wildcard.AnyOne), "?").Replace(e)
	return e, ok
}

func refStmtMatches(t *testing.T, s refStmt, action, resource string, ctx refCtx) bool {
	am := false
	for _, a := range s.actions {
		am = am || wildcard.MatchFold(strings.ToLower(a), action)
	}
	if am == s.notAction {
		return false
	}
	rm := false
	for _, r := range s.resources {
		if e, ok := refExpand(r, ctx); ok && refResource(e, resource) {
			rm = true
		}
	}
	if rm == s.notResource {
		return false
	}
	for _, c := range s.conds {
		if !refCond(t, c, ctx) {
			return false
		}
	}
	return true
}

// refDecide is the reference decision for an IAM user of the resource's account.
func refDecide(t *testing.T, identity [][]refStmt, boundary []refStmt, action, resource string, ctx refCtx) Decision {
	allow, bAllow := false, boundary == nil
	for _, p := range identity {
		for _, s := range p {
			if refStmtMatches(t, s, action, resource, ctx) {
				if s.deny {
					return ExplicitDeny
				}
				allow = true
			}
		}
	}
	for _, s := range boundary {
		if refStmtMatches(t, s, action, resource, ctx) {
			if s.deny {
				return ExplicitDeny
			}
			bAllow = true
		}
	}
	if allow && bAllow {
		return Allowed
	}
	return ImplicitDeny
}

var (
	diffActions = []string{"s3:GetObject", "s3:Get*", "S3:getobject", "s3:*", "s3:?etObject", "s3:G*t*", "s3:List*",
		"s3:PutObject", "s3:Put*", "ec2:Describe*", "ec2:*", "*", "*:Get*", "s?:GetObject", "newsvc:Get*", "dynamodb:Query",
		"dynamodb:Get*", "s3:", "s3:GETOBJECT", "lambda:Invoke*", "kms:Decrypt", "logs:Create*", "sqs:*", "sns:Publish",
		"cloudformation:Describe*", "cloudformation:DescribeStacks", "cloudformatioN:*"}
	diffReqActions = []string{"s3:GetObject", "S3:GETOBJECT", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject",
		"ec2:DescribeInstances", "dynamodb:Query", "dynamodb:Scan", "newsvc:GetThing", "lambda:InvokeFunction", "nocolon",
		"s3:", "kms:Decrypt", "cloudformation:DescribeStacks", "cloudformatioN:describeStacks", "sns:Publish", "s3:\u212aey"}
	diffResources = []string{"*", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:s3:::b/home/${aws:username}/*",
		"arn:aws:s3:::b/home/${aws:username}", "arn:aws:s3:::b/home/${aws:username, 'guest'}/*",
		"arn:aws:s3:::b/${aws:PrincipalTag/team}/${aws:username}/*", "arn:aws:s3:::b/*/${aws:username}/*",
		"arn:aws:s3:::${aws:username}-bucket/*", "arn:aws:iam::${aws:PrincipalAccount}:user/*",
		"arn:aws:s3:::b/home/?ob/*", "arn:aws:s3:::b/home/*", "arn:aws:s3:::b*", "arn:aws:s3:::b/${*}star",
		"arn:aws:dynamodb:us-east-1:111122223333:table/t-*", "arn:aws:dynamodb:*:111122223333:table/t-1",
		"arn:aws:iam::111122223333:user/*", "arn:aws:s3:::b/home/${aws:username}/x${aws:PrincipalTag/team}"}
	diffReqResources = []string{"arn:aws:s3:::b/x", "arn:aws:s3:::b", "arn:aws:s3:::b/home/alice/f", "arn:aws:s3:::b/home/alice",
		"arn:aws:s3:::b/home/bob/f", "arn:aws:s3:::b/home/guest/f", "arn:aws:s3:::b/blue/alice/f", "arn:aws:s3:::alice-bucket/k",
		"arn:aws:iam::111122223333:user/alice", "arn:aws:s3:::b/*star", "arn:aws:s3:::b/xstar",
		"arn:aws:dynamodb:us-east-1:111122223333:table/t-1", "arn:aws:s3:::bb", "notanarn-x", "*",
		"arn:aws:s3:::b/home/alice/xblue", "arn:aws:s3:::b/home/al*ce/f"}
	diffConds = []string{
		`{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`,
		`{"StringEquals":{"aws:PrincipalTag/team":["red","blue"]}}`,
		`{"StringNotEquals":{"aws:PrincipalTag/team":"red"}}`,
		`{"StringEqualsIfExists":{"aws:PrincipalTag/team":"blue"}}`,
		`{"StringLike":{"aws:PrincipalTag/team":"b*"}}`,
		`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`,
		`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`,
		`{"IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.66.0.0/16"]}}`,
		`{"NotIpAddress":{"aws:SourceIp":"10.66.0.0/16"}}`,
		`{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/8"}}`,
		`{"IpAddress":{"s3:customip":"10.0.0.0/8"}}`,
		`{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`,
		`{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`,
		`{"DateLessThan":{"aws:EpochTime":"2030-01-01T00:00:00Z"}}`,
		`{"DateGreaterThan":{"aws:TokenIssueTime":"2026-01-01"}}`,
		`{"DateLessThanIfExists":{"aws:TokenIssueTime":"2026-06-01T00:00:00Z"}}`,
		`{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`,
		`{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`,
		`{"Null":{"aws:SourceIp":"true"}}`,
		`{"Null":{"aws:CurrentTime":"false"}}`,
	}
	diffCtxValues = map[string][][]string{
		"aws:username":               {{"alice"}, {"bob"}, {"al*ce"}, {"ali\x01"}, {}},
		"aws:PrincipalTag/team":      {{"blue"}, {"red"}, {"blue", "red"}, {}},
		"aws:PrincipalAccount":       {{"111122223333"}},
		"aws:SourceIp":               {{"10.1.2.3"}, {"10.66.1.1"}, {"192.168.1.1"}, {"not-an-ip"}, {"::ffff:10.1.2.3"}, {"192.168.1.1", "10.1.2.3"}, {}},
		"aws:VpcSourceIp":            {{"10.9.9.9"}, {"bad"}},
		"s3:customip":                {{"10.9.9.9"}},
		"aws:CurrentTime":            {{"2026-05-01T12:00:00Z"}, {"2031-01-01T00:00:00Z"}, {"yesterday"}, {"1780000000"}, {"2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"}, {}},
		"aws:EpochTime":              {{"1780000000"}, {"2000000000"}},
		"aws:TokenIssueTime":         {{"2026-03-01T00:00:00Z"}, {"2025-12-31T00:00:00Z"}},
		"aws:MultiFactorAuthPresent": {{"true"}, {"false"}, {"TRUE"}, {"maybe"}},
		"s3:prefix":                  {{"home/alice/x"}, {"home/bob/"}},
	}
	diffFillers = []string{"aws:RequestedRegion", "aws:UserAgent", "aws:SecureTransport", "aws:PrincipalType", "aws:userid",
		"aws:PrincipalArn", "aws:Referer", "aws:CalledVia"}
)

func diffStatement(r *rand.Rand) string {
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	list := func(xs []string) string {
		n := 1 + r.IntN(3)
		var out []string
		for range n {
			out = append(out, fmt.Sprintf("%q", pick(xs)))
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	eff := "Allow"
	if r.IntN(4) == 0 {
		eff = "Deny"
	}
	act := "Action"
	if r.IntN(6) == 0 {
		act = "NotAction"
	}
	res := "Resource"
	if r.IntN(7) == 0 {
		res = "NotResource"
	}
	s := fmt.Sprintf(`{"Effect":%q,%q:%s,%q:%s`, eff, act, list(diffActions), res, list(diffResources))
	if r.IntN(2) == 0 {
		var cs []string
		for range 1 + r.IntN(3) {
			cs = append(cs, pick(diffConds))
		}
		// Conditions of one statement are merged; a later operator wins in
		// the map, as it does in the JSON object.
		merged := map[string]map[string]any{}
		for _, c := range cs {
			var m map[string]map[string]any
			if err := jsonUnmarshal(c, &m); err != nil {
				panic(err)
			}
			for op, kv := range m {
				if merged[op] == nil {
					merged[op] = map[string]any{}
				}
				for k, v := range kv {
					merged[op][k] = v
				}
			}
		}
		s += `,"Condition":` + jsonMarshal(merged)
	}
	return s + "}"
}

// TestDifferential compares Evaluate with the reference evaluator on random
// policies and requests, over the paths the engine's indexes and caches take:
// candidate statements by service and first action byte (NotAction, case,
// '?', services unknown to the reference, empty sets), resource prefixes and
// variable templates matched without expansion (with and without the
// variable, defaults, values holding '*' or an escape byte), typed context
// values parsed when set (missing, unreadable, multi-valued), explicit deny.
func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 30))
	keys := make([]string, 0, len(diffCtxValues))
	for k := range diffCtxValues {
		keys = append(keys, k)
	}
	// Map order is random; sort for a reproducible sequence.
	sortStrings(keys)
	disagree, skipped, decided := 0, 0, 0
	for iter := 0; iter < 4000; iter++ {
		var docs []string
		for range r.IntN(4) { // zero policies: an empty set
			var ss []string
			for range 1 + r.IntN(6) {
				ss = append(ss, diffStatement(r))
			}
			docs = append(docs, `{"Version":"2012-10-17","Statement":[`+strings.Join(ss, ",")+`]}`)
		}
		var bdoc string
		if r.IntN(5) == 0 {
			bdoc = `{"Version":"2012-10-17","Statement":[` + diffStatement(r) + `]}`
		}
		set := &Set{}
		valid := true
		for i, d := range docs {
			p, err := ParseAndCompile(fmt.Sprint("p", i), d, KindIdentity)
			if err != nil {
				valid = false // a statement the parser refuses (an IAM ARN with a service pattern)
				break
			}
			set.Identity = append(set.Identity, p)
		}
		var refB []refStmt
		if bdoc != "" && valid {
			b, err := ParseAndCompile("b", bdoc, KindBoundary)
			if err != nil {
				valid = false
			} else {
				set.Boundary = b
				refB = refCompile(t, []string{bdoc})[0]
			}
		}
		if !valid {
			skipped++
			continue
		}
		decided++
		ref := refCompile(t, docs)

		ctx := NewContext(r.IntN(4))
		rc := refCtx{}
		for _, k := range keys {
			if r.IntN(4) == 0 {
				continue // missing
			}
			opts := diffCtxValues[k]
			v := opts[r.IntN(len(opts))]
			ck := k
			if r.IntN(3) == 0 {
				ck = strings.ToUpper(k)
			}
			if len(v) == 1 && r.IntN(2) == 0 {
				ctx.SetOne(ck, v[0])
			} else {
				ctx.Set(ck, v...)
			}
			rc[strings.ToLower(k)] = v
		}
		for _, f := range diffFillers[:r.IntN(len(diffFillers))] {
			ctx.SetOne(f, "x")
			rc[strings.ToLower(f)] = []string{"x"}
		}
		if r.IntN(5) == 0 {
			// A deleted key is absent.
			k := keys[r.IntN(len(keys))]
			ctx.Delete(k)
			delete(rc, strings.ToLower(k))
		}
		action := diffReqActions[r.IntN(len(diffReqActions))]
		resource := diffReqResources[r.IntN(len(diffReqResources))]
		req := &Request{
			Principal: Principal{Type: PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
			Action:    action, Resource: resource, ResourceAccount: "111122223333", Context: ctx,
		}
		full := Evaluate(set, req)
		got := full.Decision
		// The merged index of a prepared set decides alike, down to the
		// deny it reports.
		prepared := *set
		if pr := Evaluate(prepared.prepare(2), req); pr != full {
			t.Errorf("%s on %s: prepared set %+v, unprepared %+v\npolicies %s", action, resource, pr, full, docs)
		}
		want := refDecide(t, ref, refB, action, resource, rc)
		if exp := Explain(set, req).Decision; exp != got {
			t.Errorf("Explain %v, Evaluate %v", exp, got)
		}
		if got != want {
			disagree++
			if disagree <= 5 {
				t.Errorf("%s on %s, context %v:\npolicies %s\nboundary %s\nEvaluate %v, reference %v", action, resource, rc, docs, bdoc, got, want)
			}
		}
	}
	if disagree > 0 {
		t.Fatalf("%d disagreements in %d decisions", disagree, decided)
	}
	if decided < 2000 {
		t.Fatalf("only %d of %d random sets parsed", decided, decided+skipped)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func jsonMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sortStrings(xs []string) { sort.Strings(xs) }
