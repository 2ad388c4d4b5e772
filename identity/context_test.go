package identity_test

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/identity/identitytest"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// oracleCallers are the callers of the differential test, by name: every
// kind of principal, with the request facts a signed request brings.
func oracleCallers() map[string]*identity.Caller {
	now := time.Date(2027, 1, 15, 8, 0, 0, 250_000_000, time.UTC)
	req := func(c *identity.Caller) *identity.Caller {
		c.SourceIP, c.SecureTransport, c.Region, c.Time = "192.0.2.7", true, "eu-west-1", now
		c.UserAgent, c.Referer = "aws-cli/2.15", "https://console.example/"
		return c
	}
	const acct = "123456789012"
	return map[string]*identity.Caller{
		"root": req(&identity.Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::123456789012:root", Account: acct},
			Account: acct, UserID: acct}),
		"user with tags": req(&identity.Caller{Principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::123456789012:user/dev/alice", Account: acct},
			Account: acct, UserName: "alice", UserPath: "/dev/", UserID: "AIDAEXAMPLEALICE", Tags: map[string]string{"team": "blue", "Cost-Center": "42"}}),
		"role session with source identity and MFA": req(&identity.Caller{Principal: policy.Principal{Type: policy.PrincipalRoleSession,
			ARN: "arn:aws:sts::123456789012:assumed-role/Admin/s1", RoleARN: "arn:aws:iam::123456789012:role/ops/Admin", Account: acct},
			Account: acct, UserID: "AROAEXAMPLE:s1", SessionName: "s1", MFAAuthenticated: true, TokenIssueTime: now.Add(-95 * time.Minute),
			SourceIdentity: "alice@example.com", Tags: map[string]string{"project": "x"}}),
		"role session without MFA": req(&identity.Caller{Principal: policy.Principal{Type: policy.PrincipalRoleSession,
			ARN: "arn:aws:sts::123456789012:assumed-role/R/s2", RoleARN: "arn:aws:iam::123456789012:role/R", Account: acct},
			Account: acct, UserID: "AROAEXAMPLE:s2", SessionName: "s2", TokenIssueTime: now.Add(-time.Second)}),
		"federated with SAML keys": req(&identity.Caller{Principal: policy.Principal{Type: policy.PrincipalRoleSession,
			ARN: "arn:aws:sts::123456789012:assumed-role/SSO/bob", RoleARN: "arn:aws:iam::123456789012:role/SSO", Account: acct},
			Account: acct, UserID: "AROASSO:bob", SessionName: "bob", TokenIssueTime: now.Add(-time.Hour),
			FederatedProvider: "arn:aws:iam::123456789012:saml-provider/idp",
			FederatedKeys:     map[string]string{"saml:namequalifier": "abc=", "saml:sub": "bob", "saml:sub_type": "persistent"},
			Tags:              map[string]string{"dept": "eng"}}),
		"federated user": req(&identity.Caller{Principal: policy.Principal{Type: policy.PrincipalFederatedUser,
			ARN: "arn:aws:sts::123456789012:federated-user/carol", Account: acct},
			Account: acct, UserID: "123456789012:carol", TokenIssueTime: now.Add(-time.Minute)}),
		"anonymous": {SourceIP: "198.51.100.1", Time: now, Region: "us-east-1"},
		"workload with ec2:SourceInstanceARN": req(&identity.Caller{Principal: policy.Principal{Type: policy.PrincipalRoleSession,
			ARN: "arn:aws:sts::123456789012:assumed-role/Web/i-0abc", RoleARN: "arn:aws:iam::123456789012:role/Web", Account: acct},
			Account: acct, UserID: "AROAWEB:i-0abc", SessionName: "i-0abc", TokenIssueTime: now.Add(-10 * time.Minute),
			SourceInstanceARN: "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"}),
	}
}

// TestContextMatchesOracle: for every kind of caller, the context built
// every way — in one piece, with the shared clock, over the principal's
// prepared keys, over a principal copied from a prepared one
// (SetPrincipal, as authview and STS hand it out) — has exactly the keys
// and values of the old builder, and the service's keys added on top
// shadow nothing else; the prepared keys are never modified.
func TestContextMatchesOracle(t *testing.T) {
	var clock identity.Clock
	for name, c := range oracleCallers() {
		t.Run(name, func(t *testing.T) {
			want := identitytest.Map(identitytest.OracleContext(c))
			flat := *c
			clocked := *c
			clocked.Clock = &clock
			layered := clocked
			layered.PrincipalKeys = c.PrincipalContext()
			before := identitytest.Map(layered.PrincipalKeys)
			copied := identity.Caller{SourceIP: c.SourceIP, SecureTransport: c.SecureTransport, Region: c.Region, Time: c.Time,
				UserAgent: c.UserAgent, Referer: c.Referer, Clock: &clock}
			copied.SetPrincipal(&layered)
			for how, cc := range map[string]*identity.Caller{"flat": &flat, "clock": &clocked, "layered": &layered, "SetPrincipal": &copied} {
				for range 2 { // the second time from the clock's cache
					if got := identitytest.Map(cc.Context()); !maps.Equal(got, want) {
						t.Errorf("%s: context %v\nwant %v", how, got, want)
					}
				}
				ctx := cc.ContextWithRoom(2)
				ctx.Set("iam:PassedToService", "ec2.amazonaws.com")
				ctx.Set("aws:PrincipalTag/team", "changed")
				got := identitytest.Map(ctx)
				if got["iam:passedtoservice"] != "ec2.amazonaws.com" || got["aws:principaltag/team"] != "changed" {
					t.Errorf("%s: keys added on top: %v", how, got)
				}
				delete(got, "iam:passedtoservice")
				delete(got, "aws:principaltag/team")
				w := maps.Clone(want)
				delete(w, "aws:principaltag/team")
				if !maps.Equal(got, w) {
					t.Errorf("%s: after adding keys %v\nwant %v", how, got, w)
				}
			}
			if after := identitytest.Map(layered.PrincipalKeys); !maps.Equal(before, after) {
				t.Errorf("the prepared keys changed: %v, were %v", after, before)
			}
		})
	}
}

// TestPrincipalContextIsThePrincipals: the prepared keys hold no key of
// the request (address, transport, time, region, MFA age, headers), so
// that requests of one principal can share them.
func TestPrincipalContextIsThePrincipals(t *testing.T) {
	request := []string{"aws:sourceip", "aws:securetransport", "aws:currenttime", "aws:epochtime", "aws:requestedregion",
		"aws:multifactorauthage", "aws:useragent", "aws:referer"}
	for name, c := range oracleCallers() {
		for _, k := range c.PrincipalContext().Keys() {
			if slices.Contains(request, k) {
				t.Errorf("%s: the principal's keys hold %s", name, k)
			}
		}
	}
}

// TestClockSeconds: the clock's keys follow the request's second, going
// back as well as forward.
func TestClockSeconds(t *testing.T) {
	var clock identity.Clock
	base := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{0, 999 * time.Millisecond, time.Second, 1500 * time.Millisecond, -time.Second, 0, time.Hour} {
		at := base.Add(d)
		c := &identity.Caller{Time: at, Clock: &clock}
		ctx := c.Context()
		if v, _ := ctx.Get("aws:CurrentTime"); len(v) != 1 || v[0] != at.UTC().Format(time.RFC3339) {
			t.Errorf("%v: aws:CurrentTime %v", at, v)
		}
		if v, _ := ctx.Get("aws:EpochTime"); len(v) != 1 || v[0] != strconv.FormatInt(at.Unix(), 10) {
			t.Errorf("%v: aws:EpochTime %v", at, v)
		}
	}
}

// TestSetPrincipalFields: every field of identity.Caller is either the principal's
// (SetPrincipal copies it) or the request's (it keeps it), so that a field
// added later is sorted into one or the other here.
func TestSetPrincipalFields(t *testing.T) {
	p := oracleCallers()["federated with SAML keys"]
	p.UserName, p.UserPath = "u", "/p/"
	p.PrincipalKeys = p.PrincipalContext()
	requestFields := identity.Caller{AccessKeyID: "k", SourceIP: "a", SecureTransport: true, Region: "r", Time: time.Unix(1, 0),
		UserAgent: "ua", Referer: "ref", AuthType: identity.AuthHeader, SignedAt: time.Unix(2, 0), TLSVersion: "1.3", Clock: &identity.Clock{}}
	// A identity.Caller with the principal's fields of p and the request's of
	// requestFields, field by field.
	want := requestFields
	want.Principal, want.Account, want.UserName, want.UserPath, want.UserID = p.Principal, p.Account, p.UserName, p.UserPath, p.UserID
	want.SessionName, want.MFAAuthenticated, want.TokenIssueTime, want.Tags = p.SessionName, p.MFAAuthenticated, p.TokenIssueTime, p.Tags
	want.SourceIdentity, want.FederatedProvider, want.FederatedKeys = p.SourceIdentity, p.FederatedProvider, p.FederatedKeys
	want.SourceInstanceARN, want.PrincipalKeys = p.SourceInstanceARN, p.PrincipalKeys
	got := requestFields
	got.SetPrincipal(p)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SetPrincipal:\n got %+v\nwant %+v", got, want)
	}
	if n := reflect.TypeFor[identity.Caller]().NumField(); n != 25 {
		t.Errorf("identity.Caller has %d fields: sort the new ones into SetPrincipal (the principal's) or this test's requestFields", n)
	}
}

// TestPrincipalContextRoom: the principal's keys are counted exactly (the
// prepared context is kept as long as its principal is cached, so room
// left over is memory lost), and the request's keys at most.
func TestPrincipalContextRoom(t *testing.T) {
	for name, c := range oracleCallers() {
		if n, want := len(c.PrincipalContext().Keys()), identity.PrincipalKeysForTest(c); n != want {
			t.Errorf("%s: %d principal keys, counted %d", name, n, want)
		}
		if n, want := len(c.Context().Keys())-len(c.PrincipalContext().Keys()), identity.RequestKeysForTest(c); n > want {
			t.Errorf("%s: %d request keys, counted %d", name, n, want)
		}
	}
}

// TestClockConcurrent: requests of several seconds share one clock at
// once (run with -race): each gets its own second's keys.
func TestClockConcurrent(t *testing.T) {
	var clock identity.Clock
	base := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				at := base.Add(time.Duration((g+i)%5) * time.Second)
				c := &identity.Caller{Time: at, Clock: &clock}
				if v, _ := c.Context().Get("aws:EpochTime"); len(v) != 1 || v[0] != strconv.FormatInt(at.Unix(), 10) {
					t.Errorf("%v: aws:EpochTime %v", at, v)
					return
				}
			}
		})
	}
	wg.Wait()
}
