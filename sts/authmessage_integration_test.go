package sts_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// TestDecodeAuthorizationMessageSDK: the server encodes the explanation of a
// denied call (as services that encode their authorization failures will);
// a caller of the account with sts:DecodeAuthorizationMessage decodes it
// through the SDK, one without the permission is AccessDenied, and garbage is
// InvalidAuthorizationMessageException.
func TestDecodeAuthorizationMessageSDK(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	alice := newUser(t, root, "alice", doc(
		`{"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}`,
		`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`,
		`{"Sid":"KeepBob","Effect":"Deny","Action":"iam:DeleteUser","Resource":"arn:aws:iam::`+acct+`:user/bob"}`))
	bob := newUser(t, root, "bob", "")
	u, err := root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}

	// alice is refused iam:DeleteUser on bob: the engine says why.
	c := &identity.Caller{
		Principal: policy.Principal{Type: policy.PrincipalUser, Account: acct, ARN: *u.User.Arn},
		Account:   acct, UserName: "alice", UserID: *u.User.UserId, AccessKeyID: alice.id,
		Region: "us-east-1", Time: time.Now(),
	}
	msg, err := srv.HTTP.AuthorizationMessage(ctx, c, operation.Authz{Action: "iam:DeleteUser", Resource: "arn:aws:iam::" + acct + ":user/bob"})
	if err != nil {
		t.Fatal(err)
	}

	out, err := stsFor(srv, alice).DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(msg)})
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Allowed           bool `json:"allowed"`
		ExplicitDeny      bool `json:"explicitDeny"`
		MatchedStatements struct {
			Items []struct {
				StatementID string `json:"statementId"`
				Effect      string `json:"effect"`
			} `json:"items"`
		} `json:"matchedStatements"`
		Context struct {
			Principal struct{ ID, ARN string } `json:"principal"`
			Action    string                   `json:"action"`
			Resource  string                   `json:"resource"`
		} `json:"context"`
	}
	if err := json.Unmarshal([]byte(*out.DecodedMessage), &d); err != nil {
		t.Fatalf("%s: %v", *out.DecodedMessage, err)
	}
	if d.Allowed || !d.ExplicitDeny || d.Context.Action != "iam:DeleteUser" || d.Context.Principal.ARN != *u.User.Arn ||
		d.Context.Principal.ID != *u.User.UserId || d.Context.Resource != "arn:aws:iam::"+acct+":user/bob" {
		t.Fatalf("decoded %s", *out.DecodedMessage)
	}
	var deny bool
	for _, s := range d.MatchedStatements.Items {
		deny = deny || (s.StatementID == "KeepBob" && s.Effect == "DENY")
	}
	if !deny {
		t.Errorf("the deny that won is not among the matched statements: %s", *out.DecodedMessage)
	}

	// An allowed call explains itself too.
	ok, err := srv.HTTP.AuthorizationMessage(ctx, c, operation.Authz{Action: "iam:GetUser", Resource: *u.User.Arn})
	if err != nil {
		t.Fatal(err)
	}
	out, err = stsFor(srv, alice).DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(ok)})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(*out.DecodedMessage), &d); err != nil || !d.Allowed || d.ExplicitDeny {
		t.Errorf("allowed call decoded as %s (%v)", *out.DecodedMessage, err)
	}

	// bob lacks sts:DecodeAuthorizationMessage.
	_, err = stsFor(srv, bob).DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(msg)})
	wantCode(t, err, "AccessDenied")
	if _, m := apiError(err); m != "User: arn:aws:iam::"+acct+":user/bob is not authorized to perform: sts:DecodeAuthorizationMessage on resource: * because no identity-based policy allows the sts:DecodeAuthorizationMessage action" {
		t.Errorf("message %q", m)
	}

	// Garbage, and a truncated message.
	for _, bad := range []string{"EXAMPLEWodyRNrtlQARDip-eTA6i6DrlUhHhPQrLWB", msg[:len(msg)-4]} {
		_, err = stsFor(srv, alice).DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(bad)})
		wantCode(t, err, "InvalidAuthorizationMessageException")
	}

	// The root user of the account decodes without any policy (another
	// account cannot: TestDecodeAuthorizationMessageInvalid).
	if _, err := srv.STSClient(testserver.RootKeyID, testserver.RootSecretKey).DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(msg)}); err != nil {
		t.Fatalf("root: %v", err)
	}
}
