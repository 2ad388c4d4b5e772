package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

func TestLoginProfileLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("Alice")}); err != nil {
		t.Fatal(err)
	}
	const pw = "Correct-Horse-9"

	_, err := root.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("Alice")})
	wantMessage(t, err, "NoSuchEntity", "Login Profile for User Alice cannot be found.")
	_, err = root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(pw)})
	wantMessage(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")

	// Without a custom policy, AWS's default applies: eight characters and
	// three of the four character types.
	for _, weak := range []string{"Ab1!", "alllowercase", "lowercase123"} {
		_, err = root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(weak)})
		wantMessage(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	}
	out, err := root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(pw), PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	if *out.LoginProfile.UserName != "Alice" || !out.LoginProfile.PasswordResetRequired || out.LoginProfile.CreateDate == nil {
		t.Errorf("created %+v", out.LoginProfile)
	}
	_, err = root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(pw)})
	wantMessage(t, err, "EntityAlreadyExists", "Login Profile for user Alice already exists.")

	got, err := root.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("Alice")})
	if err != nil || *got.LoginProfile.UserName != "Alice" || !got.LoginProfile.PasswordResetRequired ||
		!got.LoginProfile.CreateDate.Equal(*out.LoginProfile.CreateDate) {
		t.Fatalf("GetLoginProfile %+v %v", got, err)
	}

	// The store keeps an argon2id hash with its parameters, never the password.
	err = srv.Store.View(ctx, func(tx store.ReadTx) error {
		r, err := tx.Get(ctx, store.KindLoginProfile, testserver.AccountID, store.LoginProfileKey("Alice"))
		if err != nil {
			return err
		}
		if strings.Contains(string(r.Data), pw) || !strings.Contains(string(r.Data), "$argon2id$v=19$m=") {
			t.Errorf("stored profile %s", r.Data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A deletion is refused while the profile exists.
	_, err = root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("Alice")})
	wantCode(t, err, "DeleteConflict")

	// UpdateLoginProfile: the flag alone, then a password checked by the policy.
	if _, err := root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("Alice"), PasswordResetRequired: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	got, err = root.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("Alice")})
	if err != nil || got.LoginProfile.PasswordResetRequired {
		t.Fatalf("after update %+v %v", got, err)
	}
	_, err = root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String("short")})
	wantCode(t, err, "PasswordPolicyViolation")
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(16), RequireSymbols: true}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String("Correct-Horse-10")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String("NoSymbolsButLong16")})
	wantCode(t, err, "PasswordPolicyViolation")
	_, err = root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String("Correct-Horse-10")})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bare")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("bare"), PasswordResetRequired: aws.Bool(true)})
	wantMessage(t, err, "NoSuchEntity", "Login Profile for User bare cannot be found.")

	// A password's length is bounded by the model.
	_, err = root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(strings.Repeat("Aa1!", 33))})
	wantCode(t, err, "ValidationError")

	// Deletion, then the user can go.
	if _, err := root.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("Alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("Alice")})
	wantMessage(t, err, "NoSuchEntity", "Login Profile for User Alice cannot be found.")
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("Alice")}); err != nil {
		t.Fatal(err)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")
	const pw1, pw2, pw3 = "First-Passw0rd", "Second-Passw0rd", "Third-Passw0rd"

	// The root user has no IAM password to change.
	_, err := root.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw2)})
	wantMessage(t, err, "InvalidUserType", "Only IAM Users can change their own password.")

	// Without a permission, AccessDenied; the resource is the caller itself.
	_, err = bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw2)})
	wantCode(t, err, "AccessDenied")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetLoginProfile"],"Resource":"arn:aws:iam::*:user/${aws:username}"}}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw2)})
	wantMessage(t, err, "NoSuchEntity", "Login Profile for User bob cannot be found.")

	if _, err := root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(pw1), PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String("Wrong-Passw0rd"), NewPassword: aws.String(pw2)})
	wantCode(t, err, "AccessDenied")
	_, err = bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String("weak")})
	wantCode(t, err, "PasswordPolicyViolation")
	if _, err := bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw2)}); err != nil {
		t.Fatal(err)
	}
	// The reset requirement is lifted; the old password no longer works.
	got, err := bob.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})
	if err != nil || got.LoginProfile.PasswordResetRequired || *got.LoginProfile.UserName != "bob" {
		t.Fatalf("own profile %+v %v", got, err)
	}
	_, err = bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw1), NewPassword: aws.String(pw3)})
	wantCode(t, err, "AccessDenied")

	// PasswordReusePrevention counts the current password.
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw2), NewPassword: aws.String(pw2)})
	wantCode(t, err, "PasswordPolicyViolation")
	_, err = bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw2), NewPassword: aws.String(pw1)})
	wantCode(t, err, "PasswordPolicyViolation")
	if _, err := bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw2), NewPassword: aws.String(pw3)}); err != nil {
		t.Fatal(err)
	}
	// pw1 is now three passwords back: allowed again.
	if _, err := bob.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(pw3), NewPassword: aws.String(pw1)}); err != nil {
		t.Fatal(err)
	}

	// The history follows the user through a rename.
	if _, err := root.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("robert")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("robert"), Password: aws.String(pw3)})
	wantCode(t, err, "PasswordPolicyViolation")
}
