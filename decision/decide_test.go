package decision

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// users is an authz.Users of fixed policy sets.
type users map[string]*policy.Set

func (u users) UserPolicies(_ context.Context, account, name string) (*policy.Set, error) {
	if s, ok := u[account+"/"+name]; ok {
		return s, nil
	}
	return nil, errors.New("no such user")
}

func mustPolicy(t testing.TB, name, doc string, kind policy.Kind) *policy.Policy {
	t.Helper()
	p, err := policy.ParseAndCompile(name, doc, kind)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func user(account, name string) *identity.Caller {
	return &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::" + account + ":user/" + name, Account: account},
		Account: account, UserName: name, UserID: "AIDA" + name, Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func testDecider(t testing.TB) *Decider {
	id := mustPolicy(t, "alice-policy", `{"Version":"2012-10-17","Statement":[
 {"Sid":"Things","Effect":"Allow","Action":"svc:*","Resource":"arn:aws:svc:us-east-1:111111111111:thing/*"},
 {"Sid":"Own","Effect":"Allow","Action":"svc:Own","Resource":"arn:aws:svc:us-east-1:111111111111:owner/${svc:Owner}"},
 {"Sid":"NoSecret","Effect":"Deny","Action":"svc:*","Resource":"arn:aws:svc:us-east-1:111111111111:thing/secret"},
 {"Sid":"Red","Effect":"Allow","Action":"svc:Paint","Resource":"*","Condition":{"StringEquals":{"svc:Color":"red"}}},
 {"Sid":"S3","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, policy.KindIdentity)
	boundary := mustPolicy(t, "boundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["svc:*","s3:*"],"Resource":"*"}]}`, policy.KindBoundary)
	u := users{
		"111111111111/alice": {Identity: []*policy.Policy{id}},
		"111111111111/bound": {Identity: []*policy.Policy{mustPolicy(t, "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.KindIdentity)}, Boundary: boundary},
	}
	return New(authz.New(u, nil), nil)
}

func TestDecide(t *testing.T) {
	d := testDecider(t)
	const thing = "arn:aws:svc:us-east-1:111111111111:thing/"
	grant := `{"Version":"2012-10-17","Statement":[{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	denyAll := `{"Version":"2012-10-17","Statement":[{"Sid":"Nobody","Effect":"Deny","Principal":"*","Action":"svc:*","Resource":"*"}]}`
	root := &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::111111111111:root", Account: "111111111111"}, Account: "111111111111", UserID: "111111111111"}
	tests := []struct {
		name     string
		caller   *identity.Caller
		req      Request
		decision string
		layer    string
		reason   string
		sids     []string
		missing  []string
	}{
		{name: "allow", caller: user("111111111111", "alice"), req: Request{Action: "svc:Get", Resource: thing + "a"},
			decision: Allow, reason: "allowed by identityPolicy", sids: []string{"Things"}},
		{name: "implicit deny", caller: user("111111111111", "alice"), req: Request{Action: "svc:Get", Resource: "arn:aws:svc:us-east-1:111111111111:other/a"},
			decision: ImplicitDeny, layer: "identityPolicy", reason: "because no identity-based policy allows the svc:Get action"},
		{name: "explicit deny", caller: user("111111111111", "alice"), req: Request{Action: "svc:Get", Resource: thing + "secret"},
			decision: ExplicitDeny, layer: "identityPolicy", reason: "with an explicit deny in an identity-based policy", sids: []string{"Things", "NoSecret"}},
		{name: "condition met", caller: user("111111111111", "alice"), req: Request{Action: "svc:Paint", Resource: "*", Context: map[string][]string{"svc:Color": {"red"}}},
			decision: Allow, sids: []string{"Red"}, reason: "allowed by identityPolicy"},
		{name: "condition unmet", caller: user("111111111111", "alice"), req: Request{Action: "svc:Paint", Resource: "*", Context: map[string][]string{"svc:Color": {"blue"}}},
			decision: ImplicitDeny, layer: "identityPolicy", reason: "because no identity-based policy allows the svc:Paint action"},
		{name: "missing variable", caller: user("111111111111", "alice"), req: Request{Action: "svc:Own", Resource: "arn:aws:svc:us-east-1:111111111111:owner/x"},
			decision: ImplicitDeny, layer: "identityPolicy", reason: "because no identity-based policy allows the svc:Own action", missing: []string{"svc:owner"}},
		{name: "variable given", caller: user("111111111111", "alice"), req: Request{Action: "svc:Own", Resource: "arn:aws:svc:us-east-1:111111111111:owner/x", Context: map[string][]string{"svc:Owner": {"x"}}},
			decision: Allow, reason: "allowed by identityPolicy", sids: []string{"Own"}},
		{name: "boundary", caller: user("111111111111", "bound"), req: Request{Action: "iam:DeleteUser", Resource: "*"},
			decision: ImplicitDeny, layer: "permissionsBoundary", reason: "because no permissions boundary allows the iam:DeleteUser action", sids: []string{""}},
		{name: "cross account without resource policy", caller: user("111111111111", "alice"), req: Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "222222222222"},
			decision: ImplicitDeny, layer: "resourcePolicy", reason: "because no resource-based policy allows the s3:GetObject action", sids: []string{"S3"}},
		{name: "cross account with resource policy", caller: user("111111111111", "alice"), req: Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "222222222222", ResourcePolicy: grant},
			decision: Allow, reason: "allowed by identityPolicy, resourcePolicy", sids: []string{"S3", "Alice"}},
		{name: "resource policy deny", caller: user("111111111111", "alice"), req: Request{Action: "svc:Get", Resource: thing + "a", ResourcePolicy: denyAll},
			decision: ExplicitDeny, layer: "resourcePolicy", reason: "with an explicit deny in a resource-based policy", sids: []string{"Things", "Nobody"}},
		{name: "root", caller: root, req: Request{Action: "svc:Anything", Resource: "*"},
			decision: Allow, reason: "the account root user is not restricted by identity-based policies"},
		{name: "root cross account", caller: root, req: Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "222222222222"},
			decision: ImplicitDeny, layer: "resourcePolicy", reason: "because no resource-based policy allows the s3:GetObject action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := d.Decide(context.Background(), tc.caller, &tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Decision != tc.decision || resp.Layer != tc.layer || resp.Reason != tc.reason {
				t.Fatalf("got %s/%s %q, want %s/%s %q", resp.Decision, resp.Layer, resp.Reason, tc.decision, tc.layer, tc.reason)
			}
			if resp.Principal.ARN != tc.caller.ARN() || resp.Principal.Account != tc.caller.Account || resp.Principal.Type != tc.caller.Principal.Type.String() {
				t.Fatalf("principal %+v", resp.Principal)
			}
			var sids []string
			for _, s := range resp.MatchedStatements {
				sids = append(sids, s.Sid)
			}
			if !equal(sids, tc.sids) {
				t.Fatalf("matched sids %v, want %v", sids, tc.sids)
			}
			if !equal(resp.MissingContextKeys, tc.missing) || resp.MissingContextKeys == nil || resp.MatchedStatements == nil {
				t.Fatalf("missing %v, want %v", resp.MissingContextKeys, tc.missing)
			}
			if (resp.Decision == ExplicitDeny) != (resp.DenyingStatement != nil) {
				t.Fatalf("denying statement %+v", resp.DenyingStatement)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecideMalformedPolicy(t *testing.T) {
	d := testDecider(t)
	_, err := d.Decide(context.Background(), user("111111111111", "alice"), &Request{Action: "svc:Get", Resource: "*", ResourcePolicy: `{"Statement":[{"Effect":"Allow"}]}`})
	var e *Error
	if !errors.As(err, &e) || e.Code != "MalformedPolicyDocumentException" || e.Status != 400 {
		t.Fatalf("err = %v", err)
	}
}

func TestAllowed(t *testing.T) {
	d := testDecider(t)
	svc := mustPolicy(t, "svc", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"gatehouse:AuthorizePrincipal","Resource":"arn:aws:iam::*:user/*",
 "Condition":{"StringLike":{"gatehouse:Action":"svc:*"}}}]}`, policy.KindIdentity)
	d.authz = authz.New(users{"111111111111/service": {Identity: []*policy.Policy{svc}}}, nil)
	caller := user("111111111111", "service")
	subject := user("222222222222", "bob") // another account: still the caller's own permission
	tests := []struct {
		req Request
		ok  bool
	}{
		{Request{Principal: subject.ARN(), Action: "svc:Get"}, true},
		{Request{Principal: subject.ARN(), Action: "iam:DeleteUser"}, false},
		{Request{Forwarded: &SignedRequest{}, Action: "svc:Get"}, false}, // gatehouse:Authorize is not granted
	}
	for _, tc := range tests {
		err := d.Allowed(context.Background(), caller, &tc.req, subject.ARN())
		var ae *awserr.Error
		switch {
		case tc.ok && err != nil:
			t.Errorf("%+v: %v", tc.req, err)
		case !tc.ok && !(errors.As(err, &ae) && ae.Code == "AccessDeniedException" && ae.Status == 403):
			t.Errorf("%+v: err = %v, want AccessDeniedException", tc.req, err)
		}
	}
}
