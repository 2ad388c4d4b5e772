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
