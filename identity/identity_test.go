package identity

import (
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// TestSourceIdentityKey: aws:SourceIdentity is in the context exactly when
// the caller's session has a source identity.
func TestSourceIdentityKey(t *testing.T) {
	c := &Caller{Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::123456789012:assumed-role/R/s"},
		Account: "123456789012", Time: time.Unix(0, 0), TokenIssueTime: time.Unix(0, 0)}
	if _, ok := c.Context().Get("aws:SourceIdentity"); ok {
		t.Fatal("aws:SourceIdentity present without a source identity")
	}
	c.SourceIdentity = "alice"
	if v, ok := c.Context().Get("aws:SourceIdentity"); !ok || len(v) != 1 || v[0] != "alice" {
		t.Fatalf("aws:SourceIdentity = %v, %v", v, ok)
	}
}

// sessionCaller is a role session with MFA and two tags, as a request of
// the SDK presents it.
func sessionCaller() *Caller {
	return &Caller{Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::123456789012:assumed-role/R/s",
		RoleARN: "arn:aws:iam::123456789012:role/R"}, Account: "123456789012", UserID: "AROAEXAMPLE:s",
		SourceIP: "192.0.2.1", SecureTransport: true, Time: time.Unix(1_800_000_000, 0), TokenIssueTime: time.Unix(1_799_999_000, 0),
		MFAAuthenticated: true, Region: "us-east-1", UserAgent: "aws-sdk-go-v2/1.0", Tags: map[string]string{"team": "a", "env": "prod"}}
}

// TestContextKeys: the keys a session's request carries, with their values.
func TestContextKeys(t *testing.T) {
	ctx := sessionCaller().Context()
	for k, want := range map[string]string{
		"aws:PrincipalArn": "arn:aws:iam::123456789012:role/R", "aws:PrincipalAccount": "123456789012",
		"aws:PrincipalType": "AssumedRole", "aws:userid": "AROAEXAMPLE:s", "aws:SourceIp": "192.0.2.1",
		"aws:SecureTransport": "true", "aws:CurrentTime": "2027-01-15T08:00:00Z", "aws:EpochTime": "1800000000",
		"aws:RequestedRegion": "us-east-1", "aws:ViaAWSService": "false", "aws:PrincipalIsAWSService": "false",
		"aws:TokenIssueTime": "2027-01-15T07:43:20Z", "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "1000",
		"aws:UserAgent": "aws-sdk-go-v2/1.0", "aws:PrincipalTag/team": "a", "aws:PrincipalTag/env": "prod",
	} {
		if v, ok := ctx.Get(k); !ok || len(v) != 1 || v[0] != want {
			t.Errorf("%s = %v, %v; want %q", k, v, ok, want)
		}
	}
	if n := len(ctx.Keys()); n != 17 {
		t.Errorf("%d keys: %v", n, ctx.Keys())
	}
}

// BenchmarkContext is the request context built for each authorization.
func BenchmarkContext(b *testing.B) {
	c := sessionCaller()
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Context()
	}
}

// BenchmarkContextPrepared is BenchmarkContext as the server builds it:
// the request's keys over the principal's prepared ones, the time keys
// from a shared clock.
func BenchmarkContextPrepared(b *testing.B) {
	c := sessionCaller()
	c.PrincipalKeys = c.PrincipalContext()
	c.Clock = &Clock{}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Context()
	}
}
