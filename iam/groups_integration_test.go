package iam_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// wantCodeMessage checks an API error's code and exact message.
func wantCodeMessage(t *testing.T, err error, code, message string) {
	t.Helper()
	wantCode(t, err, code)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != message {
		t.Fatalf("%s message %q, want %q", code, ae.ErrorMessage(), message)
	}
}

const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"

const allowListUsers = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}`

func TestGroupsLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	out, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("Admins"), Path: aws.String("/ops/")})
	if err != nil {
		t.Fatal(err)
	}
	g := out.Group
	if !strings.HasPrefix(*g.GroupId, "AGPA") || len(*g.GroupId) != 21 || *g.Arn != "arn:aws:iam::123456789012:group/ops/Admins" || *g.Path != "/ops/" || g.CreateDate == nil {
		t.Errorf("created group %+v", g)
	}
	// Names are unique regardless of case (reference_iam-quotas.md).
	_, err = root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("admins")})
	wantCodeMessage(t, err, "EntityAlreadyExists", "Group with name admins already exists.")
	_, err = root.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("nobody")})
	wantCodeMessage(t, err, "NoSuchEntity", "The group with name nobody cannot be found.")

	// Pagination across pages and PathPrefix.
	for _, n := range []string{"g1", "g2", "g3"} {
		if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pages := 0
	for p := awsiam.NewListGroupsPaginator(root, &awsiam.ListGroupsInput{MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range pg.Groups {
			names = append(names, *g.GroupName)
		}
	}
	if pages != 2 || strings.Join(names, ",") != "Admins,g1,g2,g3" {
		t.Errorf("pages %d names %v", pages, names)
	}
	lg, err := root.ListGroups(ctx, &awsiam.ListGroupsInput{PathPrefix: aws.String("/ops/")})
	if err != nil || len(lg.Groups) != 1 || *lg.Groups[0].GroupName != "Admins" {
		t.Errorf("PathPrefix: %+v %v", lg, err)
	}

	// Membership: both names must exist.
	for _, u := range []string{"ann", "ben", "cat"} {
		if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
		if _, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("admins"), UserName: aws.String(strings.ToUpper(u))}); err != nil {
			t.Fatal(err)
		}
	}
	// Adding a member again is not an error and adds nothing.
	if _, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("Admins"), UserName: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("nogroup"), UserName: aws.String("ann")})
	wantCodeMessage(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
	_, err = root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("Admins"), UserName: aws.String("nouser")})
	wantCodeMessage(t, err, "NoSuchEntity", "The user with name nouser cannot be found.")

	// GetGroup pages through the members.
	var members []string
	pages = 0
	for p := awsiam.NewGetGroupPaginator(root, &awsiam.GetGroupInput{GroupName: aws.String("Admins"), MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if *pg.Group.GroupName != "Admins" {
			t.Errorf("group %+v", pg.Group)
		}
		for _, u := range pg.Users {
			members = append(members, *u.UserName)
		}
	}
	if pages != 2 || strings.Join(members, ",") != "ann,ben,cat" {
		t.Errorf("members pages %d %v", pages, members)
	}

	// An inline and an attached policy, then a rename that keeps them and the
	// members.
	if _, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("Admins"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("Admins"), PolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("Admins"), NewGroupName: aws.String("G1")})
	wantCodeMessage(t, err, "EntityAlreadyExists", "Group with name G1 already exists.")
	_, err = root.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("nogroup"), NewPath: aws.String("/x/")})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("Admins"), NewGroupName: aws.String("Operators"), NewPath: aws.String("/team/")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("Admins")})
	wantCode(t, err, "NoSuchEntity")
	gg, err := root.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("operators")})
	if err != nil || *gg.Group.Arn != "arn:aws:iam::123456789012:group/team/Operators" || *gg.Group.GroupId != *g.GroupId || len(gg.Users) != 3 {
		t.Fatalf("after rename: %+v %v", gg, err)
	}
	fu, err := root.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("ben")})
	if err != nil || len(fu.Groups) != 1 || *fu.Groups[0].GroupName != "Operators" {
		t.Fatalf("ListGroupsForUser after rename: %+v %v", fu, err)
	}
	pol, err := root.GetGroupPolicy(ctx, &awsiam.GetGroupPolicyInput{GroupName: aws.String("Operators"), PolicyName: aws.String("p")})
	if err != nil || *pol.GroupName != "Operators" {
		t.Fatalf("GetGroupPolicy after rename: %+v %v", pol, err)
	}
	ap, err := root.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String("Operators")})
	if err != nil || len(ap.AttachedPolicies) != 1 || *ap.AttachedPolicies[0].PolicyArn != readOnly {
		t.Fatalf("attached policies after rename: %+v %v", ap, err)
	}
	_, err = root.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("nouser")})
	wantCode(t, err, "NoSuchEntity")

	// DeleteUser refuses while the user is a member.
	_, err = root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("cat")})
	wantCode(t, err, "DeleteConflict")

	// DeleteGroup: members first, then inline policies, then attached policies
	// (AWS's messages, API_DeleteGroup.html lists DeleteConflict).
	_, err = root.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("Operators")})
	wantCodeMessage(t, err, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	for _, u := range []string{"ann", "ben", "cat"} {
		if _, err := root.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("Operators"), UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = root.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("Operators"), UserName: aws.String("ann")})
	wantCodeMessage(t, err, "NoSuchEntity", "The user with name ann cannot be found.")
	_, err = root.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("nogroup"), UserName: aws.String("ann")})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("Operators")})
	wantCodeMessage(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	if _, err := root.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: aws.String("Operators"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("Operators")})
	wantCodeMessage(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	if _, err := root.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: aws.String("Operators"), PolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("Operators")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("Operators")})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("cat")}); err != nil {
		t.Fatalf("DeleteUser after leaving the group: %v", err)
	}
}

func TestGroupsPerUserQuota(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	// "Groups an IAM user can be a member of: 10" (reference_iam-quotas.md).
	for i := range 11 {
		n := fmt.Sprintf("g%02d", i)
		if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
		_, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String(n), UserName: aws.String("u")})
		if i < 10 && err != nil {
			t.Fatalf("group %d: %v", i, err)
		}
		if i == 10 {
			wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
		}
	}
	// Pagination of ListGroupsForUser.
	var names []string
	pages := 0
	for p := awsiam.NewListGroupsForUserPaginator(root, &awsiam.ListGroupsForUserInput{UserName: aws.String("u"), MaxItems: aws.Int32(4)}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range pg.Groups {
			names = append(names, *g.GroupName)
		}
	}
	if pages != 3 || len(names) != 10 || names[0] != "g00" || names[9] != "g09" {
		t.Errorf("pages %d names %v", pages, names)
	}
}

func TestGroupInlinePolicies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	_, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("nogroup"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)})
	wantCodeMessage(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
	_, err = root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`)})
	wantCodeMessage(t, err, "MalformedPolicyDocument", "Policy statement must contain actions.")
	// The aggregate inline size quota for groups is 5120 characters.
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("b", 5200) + `"]}}`
	_, err = root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, err, "LimitExceeded")
	// 4000 characters fit a group (not a user: 2048).
	mid := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("b", 4000) + `"]}}`
	if _, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("mid"), PolicyDocument: aws.String(mid)}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if _, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String(n), PolicyDocument: aws.String(allowListUsers)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := root.GetGroupPolicy(ctx, &awsiam.GetGroupPolicyInput{GroupName: aws.String("G"), PolicyName: aws.String("a")})
	if err != nil || *got.PolicyName != "a" || *got.GroupName != "g" || !strings.HasPrefix(*got.PolicyDocument, "%7B%22Version%22") {
		t.Fatalf("GetGroupPolicy %+v %v", got, err)
	}
	_, err = root.GetGroupPolicy(ctx, &awsiam.GetGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("none")})
	wantCodeMessage(t, err, "NoSuchEntity", "The group policy with name none cannot be found.")
	var names []string
	pages := 0
	for p := awsiam.NewListGroupPoliciesPaginator(root, &awsiam.ListGroupPoliciesInput{GroupName: aws.String("g"), MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, pg.PolicyNames...)
	}
	if pages != 2 || strings.Join(names, ",") != "a,b,mid" {
		t.Errorf("pages %d names %v", pages, names)
	}
	_, err = root.ListGroupPolicies(ctx, &awsiam.ListGroupPoliciesInput{GroupName: aws.String("nogroup")})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("a")})
	wantCodeMessage(t, err, "NoSuchEntity", "The group policy with name a cannot be found.")
}

func TestGroupPolicyEnforcement(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")
	if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("readers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("list"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	_, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")

	// Joining the group grants its policy at once; leaving takes it away at once.
	if _, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("as a member: %v", err)
	}
	if _, err := root.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")

	// A user's own allow loses to an explicit deny in one of its groups.
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("own"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("own allow: %v", err)
	}
	if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("deny")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("deny"), PolicyName: aws.String("d"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:List*","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("deny"), UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.HasSuffix(ae.ErrorMessage(), "with an explicit deny in an identity-based policy") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	// A renamed group keeps applying to its members.
	if _, err := root.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("deny"), NewGroupName: aws.String("denied")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")

	// Group operations are authorized on the group's ARN with its path.
	_, err = bob.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("readers")})
	wantCode(t, err, "AccessDenied")
	errors.As(err, &ae)
	if !strings.Contains(ae.ErrorMessage(), "iam:GetGroup on resource: arn:aws:iam::123456789012:group/readers") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
}
