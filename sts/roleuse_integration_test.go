package sts_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestRoleLastUsed: AssumeRole records the role's last use (date and the
// request's region) off the request path, written by the server's periodic
// flush; GetRole then reports it (RoleLastUsed in the IAM API reference).
func TestRoleLastUsed(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Used", trustAccount(acct, ""), doc(listUsers), 0)
	newRole(t, root, "Unused", trustAccount(acct, ""), "", 0)
	user := newUser(t, root, "u", allowAssume(roleARN))

	lastUsed := func(name string) (*time.Time, *string) {
		t.Helper()
		out, err := root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Role.RoleLastUsed == nil {
			t.Fatalf("GetRole %s: RoleLastUsed absent", name)
		}
		return out.Role.RoleLastUsed.LastUsedDate, out.Role.RoleLastUsed.Region
	}

	before := time.Now().Add(-time.Second)
	cfg := srv.Config(user.id, user.secret)
	cfg.Region = "eu-west-3"
	if _, err := awssts.NewFromConfig(cfg).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	// Batched: nothing is written until the flush.
	if d, r := lastUsed("Used"); d != nil || r != nil {
		t.Fatalf("RoleLastUsed written on the request path: %v %v", d, r)
	}
	if err := srv.HTTP.FlushKeyUse(ctx); err != nil {
		t.Fatal(err)
	}
	d, r := lastUsed("Used")
	if d == nil || d.Before(before.Truncate(time.Second)) || d.After(time.Now()) || r == nil || *r != "eu-west-3" {
		t.Fatalf("RoleLastUsed = %v, %v; want about now in eu-west-3", d, r)
	}
	if d, r := lastUsed("Unused"); d != nil || r != nil {
		t.Errorf("unused role: RoleLastUsed = %v, %v", d, r)
	}
	// A denied AssumeRole is no use of the role.
	other := newUser(t, root, "other", "")
	_, err := stsFor(srv, other).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("x1")})
	wantCode(t, err, "AccessDenied")
	if err := srv.HTTP.FlushKeyUse(ctx); err != nil {
		t.Fatal(err)
	}
	if d2, _ := lastUsed("Used"); d2 == nil || !d2.Equal(*d) {
		t.Errorf("after a denied AssumeRole: %v, want %v", d2, d)
	}

	// A role deleted between the use and the flush is skipped, and a new
	// role of the same name does not inherit the use.
	if _, err := stsFor(srv, user).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("Used"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("Used")}); err != nil {
		t.Fatal(err)
	}
	newRole(t, root, "Used", trustAccount(acct, ""), "", 0)
	if err := srv.HTTP.FlushKeyUse(ctx); err != nil {
		t.Fatal(err)
	}
	if d, r := lastUsed("Used"); d != nil || r != nil {
		t.Errorf("recreated role inherited RoleLastUsed %v, %v", d, r)
	}
}
