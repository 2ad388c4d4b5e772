package iam_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// mpCounts returns a managed policy's AttachmentCount and
// PermissionsBoundaryUsageCount.
func mpCounts(t *testing.T, c *awsiam.Client, arn string) (attached, bounding int32) {
	t.Helper()
	out, err := c.GetPolicy(context.Background(), &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetPolicy %s: %v", arn, err)
	}
	return *out.Policy.AttachmentCount, *out.Policy.PermissionsBoundaryUsageCount
}

// TestPermissionsBoundaryCapsUser caps an inline administrator policy with a
// read-only boundary, then lifts it.
func TestPermissionsBoundaryCapsUser(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("admin"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("before")}); err != nil {
		t.Fatalf("administrator without boundary: %v", err)
	}
	boundary := mpCreate(t, root, "IAMRead", mpAllow("iam:Get*", "iam:List*"))
	if _, err := root.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(boundary)}); err != nil {
		t.Fatal(err)
	}
	// The boundary caps the administrator policy at once.
	_, err := bob.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")})
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.HasSuffix(ae.ErrorMessage(), "because no permissions boundary allows the iam:CreateUser action") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if _, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers inside the boundary: %v", err)
	}
	u, err := root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
	if err != nil || u.User.PermissionsBoundary == nil || *u.User.PermissionsBoundary.PermissionsBoundaryArn != boundary ||
		u.User.PermissionsBoundary.PermissionsBoundaryType != "Policy" { // AWS sends "Policy" (CLI reference examples), not the enum value
		t.Fatalf("GetUser %+v %v", u, err)
	}
	if a, b := mpCounts(t, root, boundary); a != 0 || b != 1 {
		t.Errorf("counts %d/%d, want 0/1", a, b)
	}
	// A boundary is a use of the policy: ListEntitiesForPolicy lists it (as
	// AWS does: gruntwork-io/cloud-nuke#972) unless PermissionsPolicy is asked.
	ents, err := root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(boundary)})
	if err != nil || len(ents.PolicyUsers) != 1 || *ents.PolicyUsers[0].UserName != "bob" {
		t.Fatalf("ListEntitiesForPolicy %+v %v", ents, err)
	}
	ents, _ = root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(boundary), PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy})
	if len(ents.PolicyUsers) != 0 {
		t.Errorf("PermissionsPolicy filter listed %+v", ents.PolicyUsers)
	}
	ents, _ = root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(boundary), PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary})
	if len(ents.PolicyUsers) != 1 {
		t.Errorf("PermissionsBoundary filter listed %+v", ents.PolicyUsers)
	}
	// A policy in use as a boundary cannot be deleted.
	_, err = root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(boundary)})
	mpWantError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")

	// Replacing the boundary moves the count; an AWS managed boundary is
	// counted per account.
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	if _, err := root.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(ro)}); err != nil {
		t.Fatal(err)
	}
	if _, b := mpCounts(t, root, boundary); b != 0 {
		t.Errorf("old boundary count %d", b)
	}
	if _, b := mpCounts(t, root, ro); b != 1 {
		t.Errorf("ReadOnlyAccess boundary count %d", b)
	}
	_, err = bob.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")})
	wantCode(t, err, "AccessDenied")

	// Removing it restores the administrator policy at once; removing it
	// twice changes nothing.
	for range 2 {
		if _, err := root.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bob.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")}); err != nil {
		t.Fatalf("after the boundary is removed: %v", err)
	}
	if _, b := mpCounts(t, root, ro); b != 0 {
		t.Errorf("ReadOnlyAccess boundary count after removal %d", b)
	}
	u, _ = root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
	if u.User.PermissionsBoundary != nil {
		t.Errorf("boundary still set: %+v", u.User.PermissionsBoundary)
	}
	if _, err := root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(boundary)}); err != nil {
		t.Fatalf("DeletePolicy once unused: %v", err)
	}
}

func TestPermissionsBoundaryErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	put := func(user, arn string) error {
		_, err := root.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String(user), PermissionsBoundary: aws.String(arn)})
		return err
	}
	missing := "arn:aws:iam::123456789012:policy/nope"
	mpWantError(t, put("u", missing), "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.")
	mpWantError(t, put("u", "arn:aws:iam::aws:policy/NoSuchPolicy"), "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.")
	mpWantError(t, put("u", "arn:aws:iam::123456789012:user/u"), "InvalidInput", "ARN arn:aws:iam::123456789012:user/u is not valid.")
	mpWantError(t, put("u", "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"), "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
	mpWantError(t, put("ghost", "arn:aws:iam::aws:policy/ReadOnlyAccess"), "NoSuchEntity", "The user with name ghost cannot be found.")
	_, err := root.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("ghost")})
	mpWantError(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")

	// Deleting a user releases its boundary's count.
	b := mpCreate(t, root, "B", mpAllow("s3:*"))
	if err := put("u", b); err != nil {
		t.Fatal(err)
	}
	if _, n := mpCounts(t, root, b); n != 1 {
		t.Fatalf("count %d", n)
	}
	// CreateUser with a boundary counts too.
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("w"), PermissionsBoundary: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	if _, n := mpCounts(t, root, b); n != 2 {
		t.Fatalf("count with CreateUser %d", n)
	}
	for _, name := range []string{"u", "w"} {
		if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, n := mpCounts(t, root, b); n != 0 {
		t.Errorf("count after DeleteUser %d", n)
	}
}

// TestRolePermissionsBoundary sets and removes a role's boundary (the role
// record is written straight to the store: role operations live elsewhere).
func TestRolePermissionsBoundary(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	acct := testserver.AccountID
	mpPutRecord(t, srv, store.KindRole, store.RoleKey("App"), store.Role{ID: "AROAAAAAAAAAAAAAAAAAA", Name: "App", Path: "/", ARN: arn.Role(acct, "/", "App"), MaxSessionDuration: 3600})
	mpPutRecord(t, srv, store.KindRole, store.RoleKey("AWSServiceRoleForSupport"), store.Role{ID: "AROABBBBBBBBBBBBBBBBB", Name: "AWSServiceRoleForSupport",
		Path: "/aws-service-role/support.amazonaws.com/", ARN: arn.Role(acct, "/aws-service-role/support.amazonaws.com/", "AWSServiceRoleForSupport"), ServiceLinked: true, MaxSessionDuration: 3600})
	b := mpCreate(t, root, "RoleBoundary", mpAllow("s3:*"))

	if _, err := root.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	if _, n := mpCounts(t, root, b); n != 1 {
		t.Errorf("count %d", n)
	}
	ctx2 := context.Background()
	var role store.Role
	if err := srv.Store.View(ctx2, func(tx store.ReadTx) error {
		var err error
		role, err = store.GetJSON[store.Role](ctx2, tx, store.KindRole, acct, store.RoleKey("App"))
		return err
	}); err != nil || role.PermissionsBoundaryARN != b {
		t.Fatalf("stored role %+v %v", role, err)
	}
	ents, err := root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(b), EntityFilter: types.EntityTypeRole})
	if err != nil || len(ents.PolicyRoles) != 1 || *ents.PolicyRoles[0].RoleId != "AROAAAAAAAAAAAAAAAAAA" {
		t.Fatalf("ListEntitiesForPolicy %+v %v", ents, err)
	}
	if _, err := root.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("App")}); err != nil {
		t.Fatal(err)
	}
	if _, n := mpCounts(t, root, b); n != 0 {
		t.Errorf("count after removal %d", n)
	}

	_, err = root.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("nope"), PermissionsBoundary: aws.String(b)})
	mpWantError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")
	_, err = root.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("nope")})
	mpWantError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")
	_, err = root.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("AWSServiceRoleForSupport"), PermissionsBoundary: aws.String(b)})
	mpWantError(t, err, "UnmodifiableEntity", "Cannot perform the operation on the protected role 'AWSServiceRoleForSupport' - this role is only modifiable by AWS")
	_, err = root.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("AWSServiceRoleForSupport")})
	wantCode(t, err, "UnmodifiableEntity")
}

// TestPolicyConditionKeys checks the context keys AWS supplies: iam:PolicyARN
// on Attach/Detach and iam:PermissionsBoundary on the boundary operations.
func TestPolicyConditionKeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	admin := srv.NewUserWithKey(t, "delegate")
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	b := mpCreate(t, root, "DevBoundary", mpAllow("s3:*"))
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:AttachUserPolicy","iam:DetachUserPolicy"],"Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"` + ro + `"}}},
		{"Effect":"Allow","Action":["iam:PutUserPermissionsBoundary","iam:DeleteUserPermissionsBoundary"],"Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + b + `"}}}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("delegate"), PolicyName: aws.String("delegation"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String(ro)}); err != nil {
		t.Fatalf("attach the allowed policy: %v", err)
	}
	_, err := admin.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantCode(t, err, "AccessDenied")
	if _, err := admin.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String(ro)}); err != nil {
		t.Fatalf("detach the allowed policy: %v", err)
	}
	_, err = admin.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("dev"), PermissionsBoundary: aws.String(ro)})
	wantCode(t, err, "AccessDenied")
	// Nothing to remove yet: iam:PermissionsBoundary is absent, so denied.
	_, err = admin.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("dev")})
	wantCode(t, err, "AccessDenied")
	if _, err := admin.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("dev"), PermissionsBoundary: aws.String(b)}); err != nil {
		t.Fatalf("put the allowed boundary: %v", err)
	}
	// The current boundary is the key for its removal.
	if _, err := admin.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("dev")}); err != nil {
		t.Fatalf("delete the allowed boundary: %v", err)
	}
}
