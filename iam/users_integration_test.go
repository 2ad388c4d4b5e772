package iam_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// apiCode returns the AWS error code of err ("" when it is not an API error).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := apiCode(err); got != code {
		t.Fatalf("error %v (code %q), want %s", err, got, code)
	}
}

func TestUsersLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	out, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("John"), Path: aws.String("/eng/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	u := out.User
	if !strings.HasPrefix(*u.UserId, "AIDA") || *u.Arn != "arn:aws:iam::123456789012:user/eng/John" || *u.Path != "/eng/" {
		t.Errorf("created user %+v", u)
	}
	// Names are unique regardless of case.
	_, err = root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("john")})
	wantCode(t, err, "EntityAlreadyExists")
	// Invalid names are rejected by the model's constraints.
	_, err = root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bad name")})
	wantCode(t, err, "ValidationError")

	got, err := root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("JOHN")})
	if err != nil || *got.User.UserName != "John" || len(got.User.Tags) != 1 {
		t.Fatalf("GetUser: %+v %v", got, err)
	}
	_, err = root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")

	// Pagination across pages.
	for _, n := range []string{"a1", "a2", "a3", "a4"} {
		if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := awsiam.NewListUsersPaginator(root, &awsiam.ListUsersInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range pg.Users {
			names = append(names, *u.UserName)
		}
	}
	if pages != 3 || strings.Join(names, ",") != "a1,a2,a3,a4,John" {
		t.Errorf("pages %d names %v", pages, names)
	}
	lu, err := root.ListUsers(ctx, &awsiam.ListUsersInput{PathPrefix: aws.String("/eng/")})
	if err != nil || len(lu.Users) != 1 {
		t.Errorf("PathPrefix: %+v %v", lu, err)
	}

	// Rename keeps the inline policy and access key with the user.
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("John"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("John"), NewUserName: aws.String("Johnny")}); err != nil {
		t.Fatal(err)
	}
	pol, err := root.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: aws.String("Johnny")})
	if err != nil || len(pol.PolicyNames) != 1 {
		t.Fatalf("after rename: %+v %v", pol, err)
	}
	_, err = root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("Johnny")})
	wantCode(t, err, "DeleteConflict")
	if _, err := root.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("Johnny"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("Johnny")}); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedPolicyDocument(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	_, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`)})
	wantCode(t, err, "MalformedPolicyDocument")
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "Policy statement must contain actions." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	// The aggregate inline size quota for users is 2048 characters.
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("b", 2100) + `"]}}`
	_, err = root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, err, "LimitExceeded")
}

func TestEnforcementAndKeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")

	// No policy: AccessDenied in AWS's words.
	_, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	errors.As(err, &ae)
	want := "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action"
	if ae.ErrorMessage() != want {
		t.Errorf("message\n%s\nwant\n%s", ae.ErrorMessage(), want)
	}
	// A policy grants at once; ${aws:username} confines key management to oneself.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"},
		{"Effect":"Allow","Action":["iam:*AccessKey*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("after grant: %v", err)
	}
	keys, err := bob.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil || len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("own keys: %+v %v", keys, err)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("carol")})
	wantCode(t, err, "AccessDenied")

	// Two keys at most.
	if _, err := bob.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{})
	wantCode(t, err, "LimitExceeded")

	// An explicit deny wins.
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	if errors.As(err, &ae); !strings.HasSuffix(ae.ErrorMessage(), "with an explicit deny in an identity-based policy") {
		t.Errorf("message %q", ae.ErrorMessage())
	}

	// A disabled key stops working at once.
	k := keys.AccessKeyMetadata[0].AccessKeyId
	if _, err := root.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: k, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.GetUser(ctx, &awsiam.GetUserInput{})
	wantCode(t, err, "InvalidClientTokenId")
}

func TestCallerIdentityAndAuthErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	id, err := sts.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::123456789012:root" || *id.Account != testserver.AccountID || *id.UserId != testserver.AccountID {
		t.Fatalf("root identity %+v %v", id, err)
	}
	_, err = sts.NewFromConfig(srv.Config(testserver.RootKeyID, "wrong")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	_, err = sts.NewFromConfig(srv.Config("AKIAAAAAAAAAAAAAAAAA", "x")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")
}
