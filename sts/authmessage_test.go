package sts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/policy"
)

func messageService(t *testing.T) *Service {
	t.Helper()
	key, _ := keyring.GenerateKey(rand.Reader)
	k, err := keyring.New(rand.Reader, key)
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Sealer: k, Rand: rand.Reader, Now: time.Now})
}

func userCaller(account string) *identity.Caller {
	return &identity.Caller{
		Principal: policy.Principal{Type: policy.PrincipalUser, Account: account, ARN: "arn:aws:iam::" + account + ":user/alice"},
		Account:   account, UserName: "alice", UserID: "AIDAEXAMPLEALICE0001", Region: "us-east-1",
		Time: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
	}
}

// decoded is the decoded message as a client reads it.
type decoded struct {
	Allowed           bool `json:"allowed"`
	ExplicitDeny      bool `json:"explicitDeny"`
	MatchedStatements struct {
		Items []struct {
			StatementID string `json:"statementId"`
			Effect      string `json:"effect"`
			Principals  struct {
				Items []struct{ Value string } `json:"items"`
			} `json:"principals"`
			Actions struct {
				Items []struct{ Value string } `json:"items"`
			} `json:"actions"`
			Resources struct {
				Items []struct{ Value string } `json:"items"`
			} `json:"resources"`
			Conditions struct {
				Items []struct {
					Key string `json:"key"`
				} `json:"items"`
			} `json:"conditions"`
			PolicyName string `json:"policyName"`
		} `json:"items"`
	} `json:"matchedStatements"`
	Failures struct {
		Items []struct{ Value string } `json:"items"`
	} `json:"failures"`
	Context struct {
		Principal struct {
			ID, Name, ARN string
		} `json:"principal"`
		Action     string `json:"action"`
		Resource   string `json:"resource"`
		Conditions struct {
			Items []struct {
				Key    string `json:"key"`
				Values struct {
					Items []struct{ Value string } `json:"items"`
				} `json:"values"`
			} `json:"items"`
		} `json:"conditions"`
	} `json:"context"`
}

func decode(t *testing.T, s *Service, c *identity.Caller, msg string) decoded {
	t.Helper()
	out, err := s.decodeAuthorizationMessage(context.Background(), c, &stsapi.DecodeAuthorizationMessageRequest{EncodedMessage: msg})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var d decoded
	if err := json.Unmarshal([]byte(*out.DecodedMessage), &d); err != nil {
		t.Fatalf("decoded message %s: %v", *out.DecodedMessage, err)
	}
	return d
}

// TestAuthorizationMessageRoundTrip: an explicit deny decodes in AWS's shape
// with the deny that won, the principal, action, resource and context keys.
func TestAuthorizationMessageRoundTrip(t *testing.T) {
	t.Parallel()
	s := messageService(t)
	c := userCaller("123456789012")
	set := &policy.Set{Identity: []*policy.Policy{
		policy.MustCompile("allow-all-iam", `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"iam:*","Resource":"*"}]}`, policy.KindIdentity),
		policy.MustCompile("no-delete", `{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"iam:DeleteUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`, policy.KindIdentity),
	}}
	req := &policy.Request{Principal: c.Principal, Action: "iam:DeleteUser", Resource: "arn:aws:iam::123456789012:user/bob", Context: c.Context()}
	msg, err := s.EncodeAuthorizationMessage(c, set, req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg, "DeleteUser") || strings.ContainsAny(msg, "+/=") {
		t.Fatalf("message is not opaque base64url: %s", msg)
	}
	d := decode(t, s, c, msg)
	if d.Allowed || !d.ExplicitDeny {
		t.Fatalf("allowed=%v explicitDeny=%v", d.Allowed, d.ExplicitDeny)
	}
	if n := len(d.MatchedStatements.Items); n != 2 {
		t.Fatalf("%d matched statements, want 2: %+v", n, d.MatchedStatements)
	}
	deny := d.MatchedStatements.Items[1]
	if deny.StatementID != "NoDelete" || deny.Effect != "DENY" || deny.PolicyName != "no-delete" ||
		deny.Actions.Items[0].Value != "iam:DeleteUser" || deny.Resources.Items[0].Value != "*" ||
		deny.Principals.Items[0].Value != "AIDAEXAMPLEALICE0001" || deny.Conditions.Items[0].Key != "aws:RequestedRegion" {
		t.Errorf("deny statement %+v", deny)
	}
	if d.MatchedStatements.Items[0].Effect != "ALLOW" {
		t.Errorf("allow statement %+v", d.MatchedStatements.Items[0])
	}
	if len(d.Failures.Items) != 1 || d.Failures.Items[0].Value != "with an explicit deny in an identity-based policy" {
		t.Errorf("failures %+v", d.Failures)
	}
	p := d.Context.Principal
	if p.ID != c.UserID || p.Name != "alice" || p.ARN != c.ARN() || d.Context.Action != "iam:DeleteUser" || d.Context.Resource != req.Resource {
		t.Errorf("context %+v", d.Context)
	}
	found := false
	for _, k := range d.Context.Conditions.Items {
		if k.Key == "aws:requestedregion" && len(k.Values.Items) == 1 && k.Values.Items[0].Value == "us-east-1" {
			found = true
		}
	}
	if !found {
		t.Errorf("context conditions lack aws:RequestedRegion: %+v", d.Context.Conditions)
	}
}

// TestAuthorizationMessageImplicitDeny: without an allow, nothing matched and
// the failure names the missing identity-based allow.
func TestAuthorizationMessageImplicitDeny(t *testing.T) {
	t.Parallel()
	s := messageService(t)
	c := userCaller("123456789012")
	req := &policy.Request{Principal: c.Principal, Action: "iam:GetUser", Resource: "*", Context: c.Context()}
	msg, err := s.EncodeAuthorizationMessage(c, &policy.Set{}, req)
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, s, c, msg)
	if d.Allowed || d.ExplicitDeny || len(d.MatchedStatements.Items) != 0 {
		t.Fatalf("%+v", d)
	}
	if len(d.Failures.Items) != 1 || d.Failures.Items[0].Value != "because no identity-based policy allows the iam:GetUser action" {
		t.Errorf("failures %+v", d.Failures)
	}
}

// TestDecodeAuthorizationMessageInvalid: garbage, tampering, another
// account's message and a message from another keyring are all
// InvalidAuthorizationMessageException, 400 Sender.
func TestDecodeAuthorizationMessageInvalid(t *testing.T) {
	t.Parallel()
	s := messageService(t)
	c := userCaller("123456789012")
	req := &policy.Request{Principal: c.Principal, Action: "iam:GetUser", Resource: "*", Context: c.Context()}
	msg, err := s.EncodeAuthorizationMessage(c, &policy.Set{}, req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(msg)
	raw[len(raw)-1] ^= 1
	tampered := base64.RawURLEncoding.EncodeToString(raw)
	other, err := messageService(t).EncodeAuthorizationMessage(c, &policy.Set{}, req)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		msg    string
		caller *identity.Caller
	}{
		"garbage":       {"not a message!", c},
		"base64":        {base64.RawURLEncoding.EncodeToString([]byte("hello, world, hello, world, hello")), c},
		"tampered":      {tampered, c},
		"other account": {msg, userCaller("210987654321")},
		"other keyring": {other, c},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.decodeAuthorizationMessage(context.Background(), tc.caller, &stsapi.DecodeAuthorizationMessageRequest{EncodedMessage: tc.msg})
			e, ok := awserr.As(err)
			if !ok || e.Code != awserr.CodeInvalidAuthorizationMessageException || e.Status != 400 || !e.Sender {
				t.Fatalf("error %v", err)
			}
		})
	}
}

// TestAuthorizationMessageFits: a decision over many long statements still
// encodes within DecodeAuthorizationMessage's 10,240 characters, keeping the
// deny that won.
func TestAuthorizationMessageFits(t *testing.T) {
	t.Parallel()
	s := messageService(t)
	c := userCaller("123456789012")
	var stmts []string
	for i := range 300 {
		// Random condition values, so that compression cannot save the day.
		var b [32]byte
		rand.Read(b[:])
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/*","Condition":{"StringNotEquals":{"aws:userid":"%x"}}}`, i, b))
	}
	stmts = append(stmts, `{"Sid":"Stop","Effect":"Deny","Action":"iam:GetUser","Resource":"*"}`)
	pol := policy.MustCompile("big", `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`, policy.KindIdentity)
	req := &policy.Request{Principal: c.Principal, Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/bob", Context: c.Context()}
	msg, err := s.EncodeAuthorizationMessage(c, &policy.Set{Identity: []*policy.Policy{pol}}, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg) > maxEncodedMessage {
		t.Fatalf("message is %d characters", len(msg))
	}
	d := decode(t, s, c, msg)
	n := len(d.MatchedStatements.Items)
	if n == 301 && len(d.Context.Conditions.Items) > 0 {
		t.Fatalf("the message was not shrunk: the test proves nothing")
	}
	if !d.ExplicitDeny || n == 0 || d.MatchedStatements.Items[n-1].StatementID != "Stop" {
		t.Fatalf("explicitDeny=%v, %d statements", d.ExplicitDeny, n)
	}
}
