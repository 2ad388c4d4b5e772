package authz

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// users is a fixed set of users' policies.
type users map[string]*policy.Set

func (u users) UserPolicies(_ context.Context, account, name string) (*policy.Set, error) {
	if s, ok := u[account+"/"+name]; ok {
		return s, nil
	}
	return &policy.Set{}, nil
}

// org puts account 222222222222 in an organization under one SCP level.
type org struct{ scp *policy.Policy }

func (o org) GuardrailsFor(_ context.Context, principalAccount, resourceAccount string) (*Guardrails, error) {
	g := &Guardrails{Context: map[string]string{}}
	if principalAccount == "222222222222" {
		g.SCP = [][]*policy.Policy{{o.scp}}
		g.Context["aws:PrincipalOrgID"] = "o-exampleorgid"
	}
	return g, nil
}

const (
	allowIAM = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`
	denyUser = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
)

// delegation is a resource policy allowing account organizations:ListAccounts.
func delegation(account string) *policy.Policy {
	return policy.MustCompile("rp", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+account+`"},"Action":"organizations:ListAccounts","Resource":"*"}}`, policy.KindResource)
}

func caller(account, user string) *identity.Caller {
	c := &identity.Caller{Account: account, Time: time.Unix(1_800_000_000, 0), Region: "us-east-1"}
	if user == "" {
		c.Principal = policy.Principal{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::" + account + ":root", Account: account}
		return c
	}
	c.UserName = user
	c.Principal = policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::" + account + ":user/" + user, Account: account}
	return c
}

// TestAuthorize decides calls the way the server does for every request.
func TestAuthorize(t *testing.T) {
	u := users{
		"111111111111/alice": {Identity: []*policy.Policy{policy.MustCompile("alice", allowIAM, policy.KindIdentity)}},
		"222222222222/bob":   {Identity: []*policy.Policy{policy.MustCompile("bob", allowIAM, policy.KindIdentity)}},
	}
	a := New(u, org{scp: policy.MustCompile("scp", denyUser, policy.KindSCP)})
	ctx := context.Background()
	tests := []struct {
		name   string
		c      *identity.Caller
		az     operation.Authz
		denied string // part of the AccessDenied message, "" when allowed
	}{
		{"identity allow", caller("111111111111", "alice"), operation.Authz{Action: "iam:CreateUser", Resource: "arn:aws:iam::111111111111:user/x"}, ""},
		{"no identity policy", caller("111111111111", "carol"), operation.Authz{Action: "iam:ListUsers", Resource: "*"},
			"because no identity-based policy allows the iam:ListUsers action"},
		{"skip needs nothing", caller("111111111111", "carol"), operation.Authz{Skip: true}, ""},
		{"root outside an organization", caller("111111111111", ""), operation.Authz{Action: "iam:CreateUser", Resource: "*"}, ""},
		// SCPs restrict the member account's users and its root user
		// (access_policies_scps: "SCPs affect ... the root user").
		{"member user under SCP deny", caller("222222222222", "bob"), operation.Authz{Action: "iam:CreateUser", Resource: "*"},
			"with an explicit deny in a service control policy"},
		{"member root under SCP deny", caller("222222222222", ""), operation.Authz{Action: "iam:CreateUser", Resource: "*"},
			"with an explicit deny in a service control policy"},
		{"member user, SCP allows", caller("222222222222", "bob"), operation.Authz{Action: "iam:ListUsers", Resource: "*"}, ""},
		// A resource policy the call names decides for a root user too:
		// across accounts it must allow (Organizations' delegation policy,
		// orgs_delegate_policies).
		{"root across accounts, resource policy allows", caller("333333333333", ""),
			operation.Authz{Action: "organizations:ListAccounts", Resource: "*", ResourceAccount: "111111111111", ResourcePolicy: delegation("333333333333")}, ""},
		{"root across accounts, resource policy names another", caller("333333333333", ""),
			operation.Authz{Action: "organizations:ListAccounts", Resource: "*", ResourceAccount: "111111111111", ResourcePolicy: delegation("444444444444")},
			"because no resource-based policy allows the organizations:ListAccounts action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Authorize(ctx, tt.c, tt.az)
			if tt.denied == "" {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			ae, ok := awserr.As(err)
			if !ok || ae.Code != awserr.CodeAccessDenied || !strings.Contains(ae.Message, tt.denied) ||
				!strings.Contains(ae.Message, "User: "+tt.c.ARN()+" is not authorized to perform: "+tt.az.Action) {
				t.Fatalf("got %v, want AccessDenied with %q", err, tt.denied)
			}
		})
	}
}

// TestAssemble checks what a decision is made against: the organization's
// condition keys and levels, the request's own keys, the resource policy.
func TestAssemble(t *testing.T) {
	a := New(users{}, org{scp: policy.MustCompile("scp", denyUser, policy.KindSCP)})
	trust := policy.MustCompile("trust", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}`, policy.KindTrust)
	as, err := a.Assemble(context.Background(), Request{Caller: caller("222222222222", "bob"), Action: "sts:AssumeRole",
		Resource: "arn:aws:iam::333333333333:role/r", Context: map[string][]string{"aws:RequestTag/team": {"blue"}}, ResourcePolicy: trust})
	if err != nil {
		t.Fatal(err)
	}
	if len(as.Set.SCP) != 1 || as.Set.Resource != trust {
		t.Errorf("set: %d SCP levels, resource policy %v", len(as.Set.SCP), as.Set.Resource)
	}
	for k, want := range map[string]string{"aws:PrincipalOrgID": "o-exampleorgid", "aws:RequestTag/team": "blue", "aws:RequestedRegion": "us-east-1"} {
		if v, ok := as.Request.Context.Get(k); !ok || len(v) != 1 || v[0] != want {
			t.Errorf("context %s = %v, want %s", k, v, want)
		}
	}
	if as.Request.ResourceAccount != "" || as.Request.Resource != "arn:aws:iam::333333333333:role/r" {
		t.Errorf("request %+v", as.Request)
	}
}

func TestARNAccount(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:iam::123456789012:user/a": "123456789012",
		"arn:aws:s3:::bucket":              "",
		"*":                                "",
		"arn:aws:iam::aws:policy/X":        "aws",
		"nope:aws:iam::1:user/a":           "",
	} {
		if got := arnAccount(in); got != want {
			t.Errorf("arnAccount(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDenialReasonAcrossAccounts checks what the caller's account learns of
// a denial by another account's resource policy: the layer, never the
// statement, its Sid or the policy's name (those are the owner's).
func TestDenialReasonAcrossAccounts(t *testing.T) {
	u := users{"333333333333/carol": {Identity: []*policy.Policy{policy.MustCompile("carol", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, policy.KindIdentity)}}}
	a := New(u, org{})
	deny := policy.MustCompile("owners-secret-policy", `{"Version":"2012-10-17","Statement":[{"Sid":"OwnersSecretSid","Effect":"Deny","Principal":"*","Action":"organizations:ListAccounts","Resource":"*"}]}`, policy.KindResource)
	for _, tc := range []struct {
		name     string
		az       operation.Authz
		foreign  bool
		contains string
	}{
		{"another account's resource policy", operation.Authz{Action: "organizations:ListAccounts", Resource: "*", ResourceAccount: "111111111111", ResourcePolicy: deny},
			true, "(a statement of the resource owner's resourcePolicy)"},
		{"the caller's own resource policy", operation.Authz{Action: "organizations:ListAccounts", Resource: "*", ResourceAccount: "333333333333", ResourcePolicy: deny},
			false, `"OwnersSecretSid" of resourcePolicy "owners-secret-policy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := a.Authorize(context.Background(), caller("333333333333", "carol"), tc.az)
			ae, ok := awserr.As(err)
			if !ok {
				t.Fatalf("got %v, want AccessDenied", err)
			}
			d, ok := ae.Err.(*Denial)
			if !ok || d.Foreign != tc.foreign {
				t.Fatalf("denial %+v", ae.Err)
			}
			r := d.Reason()
			if !strings.Contains(r, tc.contains) || (tc.foreign && strings.Contains(r, "OwnersSecret")) {
				t.Fatalf("reason %q, want it to contain %q", r, tc.contains)
			}
		})
	}
}
