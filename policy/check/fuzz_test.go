package check

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// FuzzNoNewAccess: for any two documents the grammar accepts, the check
// neither panics nor passes a pair for which one of a set of requests is
// allowed by the new document and not by the existing one.
func FuzzNoNewAccess(f *testing.F) {
	for _, c := range loadCorpus(f) {
		if c.Check == "no-new-access" {
			f.Add(string(c.New), string(c.Existing), c.PolicyType == ResourcePolicy)
		}
	}
	f.Fuzz(func(t *testing.T, newSrc, exSrc string, resource bool) {
		// A hang anywhere (parser, evaluator, check) crashes the worker, so
		// the fuzzer keeps the input.
		watchdog := time.AfterFunc(10*time.Second, func() { panic("no answer within 10s: " + strconv.Quote(newSrc) + " " + strconv.Quote(exSrc)) })
		defer watchdog.Stop()
		pt := IdentityPolicy
		if resource {
			pt = ResourcePolicy
		}
		nd, err := Parse(newSrc, pt)
		if err != nil {
			return
		}
		ed, err := Parse(exSrc, pt)
		if err != nil {
			return
		}
		np, err := policy.Compile("new", nd)
		if err != nil {
			return
		}
		ep, err := policy.Compile("existing", ed)
		if err != nil {
			return
		}
		start := time.Now()
		r := CheckNoNewAccess(nd, ed, pt)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v\nnew: %q\nexisting: %q", d, newSrc, exSrc)
		}
		if r.Result != Pass {
			return
		}
		g := gen{rand.New(rand.NewPCG(uint64(len(newSrc)), uint64(len(exSrc))))}
		for range 200 {
			req := g.request()
			if allowed(np, req, resource) && !allowed(ep, req, resource) {
				t.Fatalf("false PASS: %s on %s by %s\nnew: %s\nexisting: %s", req.Action, req.Resource, req.Principal.ARN, newSrc, exSrc)
			}
		}
	})
}

// FuzzAccessNotGranted: for any document the grammar accepts and any listed
// action and resource, a PASS never meets a request for them that the
// evaluator allows; and a public-access PASS never meets a stranger allowed.
func FuzzAccessNotGranted(f *testing.F) {
	for _, c := range loadCorpus(f) {
		switch c.Check {
		case "access-not-granted":
			a, r := "", ""
			if len(c.Access) > 0 && len(c.Access[0].Actions) > 0 {
				a = c.Access[0].Actions[0]
			}
			if len(c.Access) > 0 && len(c.Access[0].Resources) > 0 {
				r = c.Access[0].Resources[0]
			}
			f.Add(string(c.Policy), a, r, c.PolicyType == ResourcePolicy)
		case "no-public-access":
			f.Add(string(c.Policy), "s3:GetObject", "", true)
		}
	}
	f.Fuzz(func(t *testing.T, src, action, resource string, res bool) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic("no answer within 10s: " + strconv.Quote(src)) })
		defer watchdog.Stop()
		pt := IdentityPolicy
		if res {
			pt = ResourcePolicy
		}
		d, err := Parse(src, pt)
		if err != nil {
			return
		}
		p, err := policy.Compile("p", d)
		if err != nil {
			return
		}
		var ac Access
		if action != "" {
			ac.Actions = []string{action}
		}
		if resource != "" {
			ac.Resources = []string{resource}
		}
		start := time.Now()
		r := CheckAccessNotGranted(d, []Access{ac}, pt)
		var pub Result
		if res {
			pub, _ = CheckNoPublicAccess(d, "AWS::S3::Bucket")
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("took %v: %q", el, src)
		}
		g := gen{rand.New(rand.NewPCG(uint64(len(src)), uint64(len(action))))}
		for range 100 {
			req := g.request()
			if action != "" && !wildcard.HasWildcard(action) {
				req.Action = action
			}
			if resource != "" && !wildcard.HasWildcard(resource) {
				req.Resource = resource
			}
			ok := allowed(p, req, res)
			listed := (action == "" || wildcard.MatchFold(action, req.Action)) && (resource == "" || policyResourceMatch(resource, req.Resource))
			if ok && listed && (action != "" || resource != "") && r.Result == Pass {
				t.Fatalf("false PASS: %s on %s by %s\npolicy: %s\naccess: %+v", req.Action, req.Resource, req.Principal.ARN, src, ac)
			}
			if res && pub.Result == Pass && strings.HasPrefix(strings.ToLower(req.Action), "s3:") {
				if req.Principal.Type != policy.PrincipalAnonymous {
					req.Principal, _ = policy.PrincipalFromARN("arn:aws:iam::777766665555:user/mallory")
					req.Context.Set("aws:PrincipalArn", req.Principal.ARN)
					req.Context.Set("aws:PrincipalAccount", req.Principal.Account)
					req.Context.Set("aws:username", "mallory")
				}
				if allowed(p, req, true) {
					t.Fatalf("false public PASS: %s on %s by %q\npolicy: %s", req.Action, req.Resource, req.Principal.ARN, src)
				}
			}
		}
	})
}

// policyResourceMatch matches a listed resource as a Resource element would.
func policyResourceMatch(pattern, resource string) bool {
	p, err := policy.ParseAndCompile("m", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":`+strconv.Quote(pattern)+`}]}`, policy.KindIdentity)
	if err != nil {
		return false // not a Resource value: the request is not taken as listed
	}
	return policy.Evaluate(&policy.Set{Identity: []*policy.Policy{p}}, &policy.Request{
		Principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/x", Account: "111122223333"},
		Action:    "s3:GetObject", Resource: resource}).Decision == policy.Allowed
}
