package trail

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// TestKnownIdentityIsTheCallers checks the Builder's remembered
// userIdentities: callers that differ in any one thing identify reads get
// their own, whatever the order of their requests, and two callers whose
// key ids share a slot never get each other's.
func TestKnownIdentityIsTheCallers(t *testing.T) {
	base := func() *identity.Caller {
		return &identity.Caller{
			Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111111111111:assumed-role/R/s",
				RoleARN: "arn:aws:iam::111111111111:role/R", Account: "111111111111"},
			Account: "111111111111", UserID: "AROAEXAMPLE:s", SessionName: "s", AccessKeyID: "ASIAEXAMPLE",
			TokenIssueTime: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
		}
	}
	changes := map[string]func(c *identity.Caller){
		"type":        func(c *identity.Caller) { c.Principal.Type = policy.PrincipalFederatedUser },
		"arn":         func(c *identity.Caller) { c.Principal.ARN = "arn:aws:sts::111111111111:assumed-role/R/t" },
		"role":        func(c *identity.Caller) { c.Principal.RoleARN = "arn:aws:iam::111111111111:role/path/R2" },
		"account":     func(c *identity.Caller) { c.Account = "222222222222" },
		"user name":   func(c *identity.Caller) { c.Principal.Type, c.UserName = policy.PrincipalUser, "alice" },
		"user id":     func(c *identity.Caller) { c.UserID = "AROAOTHER:s" },
		"session":     func(c *identity.Caller) { c.SessionName = "t" },
		"mfa":         func(c *identity.Caller) { c.MFAAuthenticated = true },
		"issued":      func(c *identity.Caller) { c.TokenIssueTime = c.TokenIssueTime.Add(time.Second) },
		"not issued":  func(c *identity.Caller) { c.TokenIssueTime = time.Time{} },
		"source":      func(c *identity.Caller) { c.SourceIdentity = "alice" },
		"federated":   func(c *identity.Caller) { c.FederatedProvider = "arn:aws:iam::111111111111:oidc-provider/example.com" },
		"instance":    func(c *identity.Caller) { c.SourceInstanceARN = "arn:aws:ec2:us-east-1:111111111111:instance/i-1" },
		"another key": func(c *identity.Caller) { c.AccessKeyID = collidingKey(t, "ASIAEXAMPLE") },
	}
	record := func(b *Builder, c *identity.Caller) (identity json.RawMessage, username string) {
		t.Helper()
		entries, err := b.Events(&Call{Time: time.Now(), Service: "iam", Operation: "GetUser", Caller: c, ReadOnly: true, Management: true})
		if err != nil || len(entries) != 1 {
			t.Fatalf("Events = %v, %v", entries, err)
		}
		var rec struct {
			UserIdentity json.RawMessage `json:"userIdentity"`
		}
		if err := json.Unmarshal(entries[0].JSON, &rec); err != nil {
			t.Fatalf("%s: %v", entries[0].JSON, err)
		}
		return rec.UserIdentity, entries[0].Username + " " + entries[0].Principal + " " + entries[0].Account
	}
	for name, change := range changes {
		other := base()
		change(other)
		// What a Builder that never saw another caller writes.
		wantBase, wantBaseUser := record(testBuilder(), base())
		wantOther, wantOtherUser := record(testBuilder(), other)
		if bytes.Equal(wantBase, wantOther) && wantBaseUser == wantOtherUser {
			t.Fatalf("%s: the change changes nothing: %s", name, wantBase)
		}
		b := testBuilder()
		for i, c := range []*identity.Caller{base(), other, other, base(), other} {
			want, wantUser := wantBase, wantBaseUser
			if c == other {
				want, wantUser = wantOther, wantOtherUser
			}
			if got, user := record(b, c); !bytes.Equal(got, want) || user != wantUser {
				t.Errorf("%s, request %d: userIdentity %s (%s), want %s (%s)", name, i, got, user, want, wantUser)
			}
		}
	}
}

// collidingKey returns a key id other than id in the same slot.
func collidingKey(t *testing.T, id string) string {
	for i := range 1 << 20 {
		k := id + string(rune('A'+i%26)) + string(rune('A'+i/26%26)) + string(rune('A'+i/676%26))
		if identitySlot(k) == identitySlot(id) {
			return k
		}
	}
	t.Fatal("no colliding key")
	return ""
}
