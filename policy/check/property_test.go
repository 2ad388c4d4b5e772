package check

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// The property tests draw policies and requests from small vocabularies that
// still exercise every part of the method (wildcards, NotAction, NotResource,
// policy variables, every operator family, Deny, principals) and ask the real
// evaluator (policy.Compile + policy.Evaluate) for the decisions.

var (
	propActions = []string{"s3:GetObject", "s3:Get*", "s3:*", "s3:PutObject", "s3:List*", "s3:ListBucket",
		"iam:PassRole", "iam:*", "*", "s3:*Object", "s3:G?tObject", "s3:Delete*",
		"gatehouse:*", "gatehouse:Authorize", "gatehouse:Auth*", "*:Get*", "newsvc:Get*", "*:*"}
	propResources = []string{"*", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:s3:::b/home/*",
		"arn:aws:s3:::b/home/${aws:username}/*", "arn:aws:s3:::c/*", "arn:aws:s3:::*",
		"arn:aws:iam::111122223333:role/*", "arn:aws:iam::*:role/a?c", "arn:aws:s3:::b*"}
	propConditions = []string{
		`{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`,
		`{"StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}`,
		`{"StringLike":{"aws:RequestedRegion":"us-*"}}`,
		`{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}`,
		`{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-west-2"]}}`,
		`{"StringEqualsIfExists":{"s3:prefix":"home/"}}`,
		`{"StringEquals":{"s3:prefix":"home/"}}`,
		`{"StringEqualsIgnoreCase":{"s3:prefix":"HOME/"}}`,
		`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`,
		`{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`,
		`{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`,
		`{"NumericLessThan":{"s3:max-keys":"10"}}`,
		`{"NumericLessThanEquals":{"s3:max-keys":"10"}}`,
		`{"NumericGreaterThan":{"s3:max-keys":"5"}}`,
		`{"NumericNotEquals":{"s3:max-keys":"5"}}`,
		`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`,
		`{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"}}`,
		`{"NotIpAddress":{"aws:SourceIp":"10.1.0.0/16"}}`,
		`{"NotIpAddress":{"aws:SourceIp":["10.1.0.0/16","192.168.0.0/16"]}}`,
		`{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`,
		`{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`,
		`{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`,
		`{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`,
		`{"ForAllValues:StringNotEquals":{"aws:TagKeys":["c"]}}`,
		`{"Null":{"aws:TokenIssueTime":"false"}}`,
		`{"Null":{"aws:TokenIssueTime":"true"}}`,
		`{"DateLessThan":{"aws:CurrentTime":"2025-06-01T00:00:00Z"}}`,
		`{"DateLessThan":{"aws:CurrentTime":"2026-06-01T00:00:00Z"}}`,
		`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:*"}}`,
		`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/alice"}}`,
		`{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::444455556666:*"}}`,
		`{"ArnLike":{"aws:PrincipalArn":"*"}}`,
		`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:user/*"}}`,
		`{"StringLike":{"aws:PrincipalArn":"*:user/${aws:username}"}}`,
		`{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]}}`,
		`{"ForAllValues:StringLike":{"aws:TagKeys":["?"]}}`,
		`{"StringNotEqualsIgnoreCase":{"s3:prefix":"OTHER"}}`,
		`{"StringNotLike":{"s3:prefix":["home/*"]}}`,
		`{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`,
		`{"DateGreaterThan":{"aws:CurrentTime":"2025-06-01T00:00:00Z"}}`,
		`{"Null":{"s3:prefix":"true"}}`,
		`{"ForAllValues:Null":{"aws:TagKeys":"true"}}`,
		`{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`,
		`{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}`,
	}
	propPrincipals = []string{`"*"`, `{"AWS":"*"}`, `{"AWS":"arn:aws:iam::111122223333:root"}`, `{"AWS":"111122223333"}`, `{"AWS":"arn:aws:iam::111122223333:user/alice"}`,
		`{"AWS":"arn:aws:iam::444455556666:root"}`, `{"AWS":["111122223333","444455556666"]}`, `{"Service":"s3.amazonaws.com"}`}
	propRequestActions = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketPolicy", "iam:PassRole", "s3:DeleteObject", "ec2:RunInstances",
		"gatehouse:Authorize", "gatehouse:AuthorizePrincipal", "newsvc:GetThing", "newsvc:PutThing", "nocolon"}
	propRequestResources = []string{"arn:aws:s3:::b/x", "arn:aws:s3:::b", "arn:aws:s3:::b/home/alice/f", "arn:aws:s3:::b/home/bob/f",
		"arn:aws:s3:::c/x", "arn:aws:iam::111122223333:role/abc", "arn:aws:s3:::b/home/x", "arn:aws:s3:::bb"}
)

type gen struct{ r *rand.Rand }

func (g gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g gen) list(xs []string, max int) string {
	n := 1 + g.r.IntN(max)
	seen := map[string]bool{}
	var out []string
	for range n {
		x := g.pick(xs)
		if !seen[x] {
			seen[x] = true
			out = append(out, fmt.Sprintf("%q", x))
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return "[" + strings.Join(out, ",") + "]"
}

// statement returns a random statement; resource says whether it is of a
// resource policy (with a principal).
func (g gen) statement(resource bool) map[string]json.RawMessage {
	s := map[string]json.RawMessage{}
	eff := "Allow"
	if g.r.IntN(5) == 0 {
		eff = "Deny"
	}
	s["Effect"] = json.RawMessage(`"` + eff + `"`)
	if g.r.IntN(6) == 0 {
		s["NotAction"] = json.RawMessage(g.list(propActions, 2))
	} else {
		s["Action"] = json.RawMessage(g.list(propActions, 2))
	}
	if g.r.IntN(7) == 0 {
		s["NotResource"] = json.RawMessage(g.list(propResources, 2))
	} else {
		s["Resource"] = json.RawMessage(g.list(propResources, 2))
	}
	if resource {
		if g.r.IntN(8) == 0 {
			s["NotPrincipal"] = json.RawMessage(g.pick(propPrincipals[1:5]))
		} else {
			s["Principal"] = json.RawMessage(g.pick(propPrincipals))
		}
	}
	if n := g.r.IntN(3); n > 0 {
		cond := map[string]map[string]json.RawMessage{}
		for range n {
			var block map[string]map[string]json.RawMessage
			_ = json.Unmarshal([]byte(g.pick(propConditions)), &block)
			for op, kv := range block {
				if cond[op] == nil {
					cond[op] = map[string]json.RawMessage{}
				}
				for k, v := range kv {
					cond[op][k] = v
				}
			}
		}
		b, _ := json.Marshal(cond)
		s["Condition"] = b
	}
	return s
}

func (g gen) policy(resource bool) []map[string]json.RawMessage {
	n := 1 + g.r.IntN(3)
	out := make([]map[string]json.RawMessage, n)
	for i := range out {
		out[i] = g.statement(resource)
	}
	return out
}

// mutate derives a policy close to p, so that many pairs are PASS or near it.
func (g gen) mutate(p []map[string]json.RawMessage, resource bool) []map[string]json.RawMessage {
	out := make([]map[string]json.RawMessage, 0, len(p)+1)
	for _, s := range p {
		c := map[string]json.RawMessage{}
		for k, v := range s {
			c[k] = v
		}
		out = append(out, c)
	}
	switch g.r.IntN(7) {
	case 0:
		if len(out) > 1 {
			out = out[1:]
		}
	case 1:
		out = append(out, g.statement(resource))
	case 2:
		s := g.statement(resource)
		s["Effect"] = json.RawMessage(`"Deny"`)
		out = append(out, s)
	case 3:
		i := g.r.IntN(len(out))
		if _, ok := out[i]["Action"]; ok {
			out[i]["Action"] = json.RawMessage(g.list(propActions, 2))
		}
	case 4:
		i := g.r.IntN(len(out))
		delete(out[i], "Condition")
	case 5:
		i := g.r.IntN(len(out))
		tmp := g.statement(resource)
		if c, ok := tmp["Condition"]; ok {
			out[i]["Condition"] = c
		}
	case 6:
		i := g.r.IntN(len(out))
		if _, ok := out[i]["Resource"]; ok {
			out[i]["Resource"] = json.RawMessage(g.list(propResources, 2))
		}
	}
	return out
}

func render(stmts []map[string]json.RawMessage) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	return string(b)
}

// request returns a random request and the principal's identity policy for a
// resource-policy evaluation (allow everything, so that the resource policy
// decides a cross-account request).
func (g gen) request() *policy.Request {
	ctx := policy.NewContext(8)
	pick := func(key string, vals ...string) {
		if g.r.IntN(3) > 0 {
			ctx.Set(key, g.pick(vals))
		}
	}
	pick("aws:RequestedRegion", "us-east-1", "us-west-2", "eu-west-1")
	pick("s3:prefix", "home/", "HOME/", "other", "home/alice/x")
	pick("aws:MultiFactorAuthPresent", "true", "false")
	pick("s3:max-keys", "5", "10", "50")
	pick("aws:SourceIp", "10.1.2.3", "10.2.0.1", "192.168.0.1", "8.8.8.8")
	pick("aws:TokenIssueTime", "2025-01-01T00:00:00Z")
	pick("aws:CurrentTime", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
	switch g.r.IntN(4) {
	case 0:
		ctx.Set("aws:TagKeys", "a")
	case 1:
		ctx.Set("aws:TagKeys", "a", "b")
	case 2:
		ctx.Set("aws:TagKeys", "c")
	}
	var p policy.Principal
	switch g.r.IntN(4) {
	case 0, 1:
		p, _ = policy.PrincipalFromARN("arn:aws:iam::111122223333:user/alice")
		ctx.Set("aws:username", "alice")
	case 2:
		p, _ = policy.PrincipalFromARN("arn:aws:iam::444455556666:user/bob")
		ctx.Set("aws:username", "bob")
	default:
		p = policy.Principal{Type: policy.PrincipalAnonymous}
	}
	if p.ARN != "" {
		ctx.Set("aws:PrincipalArn", p.ARN)
		ctx.Set("aws:PrincipalAccount", p.Account)
	}
	return &policy.Request{Principal: p, Action: g.pick(propRequestActions), Resource: g.pick(propRequestResources),
		ResourceAccount: "999988887777", Context: ctx}
}

var allowAll = policy.MustCompile("identity", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.KindIdentity)

func allowed(p *policy.Policy, req *policy.Request, resource bool) bool {
	if resource {
		set := &policy.Set{Identity: []*policy.Policy{allowAll}, Resource: p}
		return policy.Evaluate(set, req).Decision == policy.Allowed
	}
	// An identity policy decides a request within its principal's account.
	r := *req
	r.ResourceAccount = ""
	return policy.Evaluate(&policy.Set{Identity: []*policy.Policy{p}}, &r).Decision == policy.Allowed
}

func compileFor(t *testing.T, src string, pt PolicyType) (*policy.Document, *policy.Policy) {
	t.Helper()
	d, err := Parse(src, pt)
	if err != nil {
		t.Fatalf("parse %s: %v", src, err)
	}
	p, err := policy.Compile("p", d)
	if err != nil {
		t.Fatalf("compile %s: %v", src, err)
	}
	return d, p
}

// TestPropertyNoNewAccess: whenever the evaluator allows a request under the
// new policy and not under the existing one, CheckNoNewAccess said FAIL.
func TestPropertyNoNewAccess(t *testing.T) {
	for _, pt := range []PolicyType{IdentityPolicy, ResourcePolicy} {
		resource := pt == ResourcePolicy
		g := gen{rand.New(rand.NewPCG(16, uint64(len(pt))))}
		pairs, passes, witnesses := 0, 0, 0
		for range 1500 {
			ex := g.policy(resource)
			nw := g.mutate(ex, resource)
			if g.r.IntN(4) == 0 {
				nw = g.policy(resource)
			}
			exSrc, nwSrc := render(ex), render(nw)
			exDoc, exPol := compileFor(t, exSrc, pt)
			nwDoc, nwPol := compileFor(t, nwSrc, pt)
			res := CheckNoNewAccess(nwDoc, exDoc, pt)
			pairs++
			if res.Result == Pass {
				passes++
			}
			for range 60 {
				req := g.request()
				if allowed(nwPol, req, resource) && !allowed(exPol, req, resource) {
					witnesses++
					if res.Result == Pass {
						t.Fatalf("%s: false PASS\nnew: %s\nexisting: %s\nrequest: %s on %s by %s",
							pt, nwSrc, exSrc, req.Action, req.Resource, req.Principal.ARN)
					}
					break
				}
			}
		}
		t.Logf("%s: %d pairs, %d PASS, %d with a witness of new access", pt, pairs, passes, witnesses)
		if witnesses < pairs/10 {
			t.Errorf("%s: only %d witnesses of new access: the property would be checked on too few", pt, witnesses)
		}
		if passes < pairs/10 {
			t.Errorf("%s: only %d of %d pairs PASS: the property would be checked on too few", pt, passes, pairs)
		}
	}
}

// TestPropertyAccessNotGranted: whenever the evaluator allows a request for a
// listed action on a listed resource, CheckAccessNotGranted said FAIL.
func TestPropertyAccessNotGranted(t *testing.T) {
	for _, pt := range []PolicyType{IdentityPolicy, ResourcePolicy} {
		resource := pt == ResourcePolicy
		g := gen{rand.New(rand.NewPCG(17, uint64(len(pt))))}
		passes, grants := 0, 0
		for range 1500 {
			src := render(g.policy(resource))
			d, p := compileFor(t, src, pt)
			var ac Access
			switch g.r.IntN(3) {
			case 0:
				ac.Actions = []string{g.pick(propRequestActions)}
			case 1:
				ac.Resources = []string{g.pick(propRequestResources)}
			default:
				ac.Actions = []string{g.pick(propRequestActions), g.pick(propRequestActions)}
				ac.Resources = []string{g.pick(propRequestResources)}
			}
			res := CheckAccessNotGranted(d, []Access{ac}, pt)
			if res.Result == Pass {
				passes++
			}
			for range 60 {
				req := g.request()
				if len(ac.Actions) > 0 {
					req.Action = ac.Actions[g.r.IntN(len(ac.Actions))]
				}
				if len(ac.Resources) > 0 {
					req.Resource = ac.Resources[0]
				}
				ok := allowed(p, req, resource)
				if ok {
					grants++
				}
				if ok && res.Result == Pass {
					t.Fatalf("%s: false PASS\npolicy: %s\naccess: %+v\nrequest: %s on %s by %s", pt, src, ac, req.Action, req.Resource, req.Principal.ARN)
				}
			}
		}
		t.Logf("%s: %d of 1500 PASS, %d requests for listed access allowed", pt, passes, grants)
		if grants == 0 {
			t.Errorf("%s: no request was ever allowed: the property was not checked", pt)
		}
	}
}

// TestPropertyNoPublicAccess: an anonymous caller, or a caller of an account
// the policy does not name, allowed by a policy means CheckNoPublicAccess said
// FAIL.
func TestPropertyNoPublicAccess(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(18, 1))}
	passes, grants := 0, 0
	for range 1500 {
		src := render(g.policy(true))
		d, p := compileFor(t, src, ResourcePolicy)
		res, err := CheckNoPublicAccess(d, "AWS::S3::Bucket")
		if err != nil {
			t.Fatal(err)
		}
		if res.Result == Pass {
			passes++
		}
		for range 60 {
			req := g.request()
			// A stranger: anonymous, or an account no vocabulary principal names.
			if req.Principal.Type != policy.PrincipalAnonymous {
				req.Principal, _ = policy.PrincipalFromARN("arn:aws:iam::777766665555:user/mallory")
				req.Context.Set("aws:PrincipalArn", req.Principal.ARN)
				req.Context.Set("aws:PrincipalAccount", req.Principal.Account)
				req.Context.Set("aws:username", "mallory")
			}
			ok := strings.HasPrefix(req.Action, "s3:") && allowed(p, req, true)
			if ok {
				grants++
			}
			if ok && res.Result == Pass {
				t.Fatalf("false PASS\npolicy: %s\nrequest: %s on %s by %q", src, req.Action, req.Resource, req.Principal.ARN)
			}
		}
	}
	t.Logf("%d of 1500 PASS, %d requests by strangers allowed", passes, grants)
	if grants == 0 {
		t.Errorf("no stranger was ever allowed: the property was not checked")
	}
}
