package iam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// wantMessage checks an API error's code and message.
func wantMessage(t *testing.T, err error, code, msg string) {
	t.Helper()
	wantCode(t, err, code)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != msg {
		t.Fatalf("message %q, want %q", ae.ErrorMessage(), msg)
	}
}

func TestAccountPasswordPolicy(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	_, err := root.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantMessage(t, err, "NoSuchEntity", "The Password Policy with domain name ACCOUNT cannot be found.")
	_, err = root.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{})
	wantMessage(t, err, "NoSuchEntity", "The Password Policy with domain name ACCOUNT cannot be found.")

	// No parameters: every default.
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	got, err := root.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p := got.PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != 6 || p.RequireSymbols || p.RequireNumbers || p.RequireUppercaseCharacters ||
		p.RequireLowercaseCharacters || p.AllowUsersToChangePassword || p.ExpirePasswords || p.MaxPasswordAge != nil ||
		p.PasswordReusePrevention != nil || p.HardExpiry != nil {
		t.Errorf("default policy %+v", p)
	}

	// A full policy; a later update without a parameter resets it.
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(12), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(90),
		PasswordReusePrevention: aws.Int32(5), HardExpiry: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	got, err = root.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p = got.PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != 12 || !p.RequireSymbols || !p.RequireNumbers || !p.RequireUppercaseCharacters ||
		!p.RequireLowercaseCharacters || !p.AllowUsersToChangePassword || !p.ExpirePasswords || aws.ToInt32(p.MaxPasswordAge) != 90 ||
		aws.ToInt32(p.PasswordReusePrevention) != 5 || !aws.ToBool(p.HardExpiry) {
		t.Errorf("full policy %+v", p)
	}
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{RequireNumbers: true}); err != nil {
		t.Fatal(err)
	}
	got, err = root.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if err != nil || aws.ToInt32(got.PasswordPolicy.MinimumPasswordLength) != 6 || !got.PasswordPolicy.RequireNumbers ||
		got.PasswordPolicy.RequireSymbols || got.PasswordPolicy.MaxPasswordAge != nil {
		t.Errorf("no partial updates: %+v %v", got, err)
	}

	// The model's limits.
	for _, in := range []*awsiam.UpdateAccountPasswordPolicyInput{
		{MinimumPasswordLength: aws.Int32(5)}, {MinimumPasswordLength: aws.Int32(129)},
		{MaxPasswordAge: aws.Int32(0)}, {MaxPasswordAge: aws.Int32(1096)},
		{PasswordReusePrevention: aws.Int32(0)}, {PasswordReusePrevention: aws.Int32(25)},
	} {
		_, err := root.UpdateAccountPasswordPolicy(ctx, in)
		wantCode(t, err, "ValidationError")
	}

	if _, err := root.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantCode(t, err, "NoSuchEntity")

	// A user needs the permissions; the resource is "*".
	bob := srv.NewUserWithKey(t, "bob")
	_, err = bob.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantCode(t, err, "AccessDenied")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("pp"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:*AccountPasswordPolicy"],"Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
}
