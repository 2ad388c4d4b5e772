package iam_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestConsoleSignIn: the console's first factor. One error for every
// wrong part, the user's identity kept for the audit trail only when the
// user exists, a reset or an expired password (MaxPasswordAge) forcing a
// change, and HardExpiry refusing an expired password.
func TestConsoleSignIn(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	srv := testserver.StartWith(t, testserver.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	ctx := context.Background()
	root := srv.RootIAM()
	const pw = "Correct-Horse-9"
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("Alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(pw)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("NoPassword")}); err != nil {
		t.Fatal(err)
	}

	in, err := srv.IAM.SignInWithPassword(ctx, testserver.AccountID, "alice", pw)
	if err != nil || in.UserName != "Alice" || in.MustChangePassword || len(in.MFASerials) != 0 || in.ARN != "arn:aws:iam::"+testserver.AccountID+":user/Alice" {
		t.Fatalf("sign-in = %+v, %v", in, err)
	}
	u, err := root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("Alice")})
	if err != nil || u.User.PasswordLastUsed == nil {
		t.Errorf("PasswordLastUsed after a sign-in = %v, %v", u, err)
	}
	for _, c := range []struct {
		account, user, pw string
		known             bool
	}{
		{testserver.AccountID, "Alice", "wrong", true},
		{testserver.AccountID, "NoPassword", pw, true},
		{testserver.AccountID, "Bob", pw, false},
		{"000000000000", "Alice", pw, false},
		{"no-such-alias", "Alice", pw, false},
	} {
		in, err := srv.IAM.SignInWithPassword(ctx, c.account, c.user, c.pw)
		if !errors.Is(err, iam.ErrSignInFailed) || (in.UserID != "") != c.known || in.MustChangePassword || in.MFASerials != nil {
			t.Errorf("%+v: %+v, %v", c, in, err)
		}
	}

	// Passwords expire after MaxPasswordAge days: the user must change it,
	// or, under HardExpiry, cannot sign in.
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	skew.Store(int64(49 * time.Hour))
	if in, err := srv.IAM.SignInWithPassword(ctx, testserver.AccountID, "Alice", pw); err != nil || !in.MustChangePassword {
		t.Errorf("expired password = %+v, %v", in, err)
	}
	skew.Store(0)
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1), HardExpiry: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	skew.Store(int64(49 * time.Hour))
	if _, err := srv.IAM.SignInWithPassword(ctx, testserver.AccountID, "Alice", pw); !errors.Is(err, iam.ErrPasswordExpired) {
		t.Errorf("expired password under HardExpiry: %v", err)
	}
	skew.Store(0)

	// The root user signs in with an access key.
	if in, err := srv.IAM.SignInAsRoot(ctx, testserver.AccountID, testserver.RootKeyID, testserver.RootSecretKey); err != nil || in.UserName != "" || in.ARN != "arn:aws:iam::"+testserver.AccountID+":root" {
		t.Errorf("root sign-in = %+v, %v", in, err)
	}
	for _, secret := range []string{"", testserver.RootSecretKey + "x", testserver.RootSecretKey[1:]} {
		if _, err := srv.IAM.SignInAsRoot(ctx, testserver.AccountID, testserver.RootKeyID, secret); !errors.Is(err, iam.ErrSignInFailed) {
			t.Errorf("root sign-in with secret %q: %v", secret, err)
		}
	}
	if _, err := srv.IAM.SignInAsRoot(ctx, "000000000000", testserver.RootKeyID, testserver.RootSecretKey); !errors.Is(err, iam.ErrSignInFailed) {
		t.Errorf("root key for another account: %v", err)
	}
}
