package iam_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

func TestInstanceProfilesLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	out, err := root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("Web"), Path: aws.String("/fleet/"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	p := out.InstanceProfile
	if !strings.HasPrefix(*p.InstanceProfileId, "AIPA") || len(*p.InstanceProfileId) != 21 || *p.Arn != "arn:aws:iam::123456789012:instance-profile/fleet/Web" ||
		*p.Path != "/fleet/" || p.Roles == nil || len(p.Roles) != 0 || len(p.Tags) != 1 {
		t.Errorf("created profile %+v", p)
	}
	_, err = root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantCodeMessage(t, err, "EntityAlreadyExists", "Instance Profile web already exists.")
	_, err = root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("dup"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
	wantCode(t, err, "InvalidInput")
	_, err = root.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("none")})
	wantCodeMessage(t, err, "NoSuchEntity", "Instance Profile none cannot be found.")

	// One role per profile, and the quota cannot be raised.
	createRole(t, root, "app")
	createRole(t, root, "other")
	_, err = root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("none"), RoleName: aws.String("app")})
	wantCodeMessage(t, err, "NoSuchEntity", "Instance Profile none cannot be found.")
	_, err = root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("none")})
	wantCodeMessage(t, err, "NoSuchEntity", "The role with name none cannot be found.")
	if _, err := root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("APP")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("app")})
	wantCode(t, err, "EntityAlreadyExists")
	// AWS's words: "LimitExceeded: Cannot exceed quota for
	// InstanceSessionsPerInstanceProfile: 1" (github.com/hashicorp/terraform/issues/3851).
	_, err = root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("other")})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")

	// GetInstanceProfile shows the role in full; GetRole does not list profiles.
	gp, err := root.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("WEB")})
	if err != nil {
		t.Fatal(err)
	}
	if len(gp.InstanceProfile.Roles) != 1 || *gp.InstanceProfile.Roles[0].RoleName != "app" || !strings.HasPrefix(*gp.InstanceProfile.Roles[0].RoleId, "AROA") ||
		decoded(t, gp.InstanceProfile.Roles[0].AssumeRolePolicyDocument) != ec2Trust || len(gp.InstanceProfile.Tags) != 1 {
		t.Errorf("GetInstanceProfile %+v", gp.InstanceProfile)
	}

	// Listing: pages, PathPrefix, no tags.
	for _, n := range []string{"p1", "p2", "p3"} {
		if _, err := root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p2"), RoleName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	pages := 0
	for pg := awsiam.NewListInstanceProfilesPaginator(root, &awsiam.ListInstanceProfilesInput{MaxItems: aws.Int32(3)}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, ip := range page.InstanceProfiles {
			names = append(names, *ip.InstanceProfileName)
			if ip.Tags != nil {
				t.Errorf("ListInstanceProfiles returned tags %+v", ip)
			}
		}
	}
	if pages != 2 || strings.Join(names, ",") != "p1,p2,p3,Web" {
		t.Errorf("pages %d names %v", pages, names)
	}
	lp, err := root.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("/fleet/")})
	if err != nil || len(lp.InstanceProfiles) != 1 || len(lp.InstanceProfiles[0].Roles) != 1 {
		t.Errorf("PathPrefix %+v %v", lp, err)
	}
	// ListInstanceProfilesForRole pages through the profiles holding the role.
	names, pages = nil, 0
	for pg := awsiam.NewListInstanceProfilesForRolePaginator(root, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("app"), MaxItems: aws.Int32(1)}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, ip := range page.InstanceProfiles {
			names = append(names, *ip.InstanceProfileName)
		}
	}
	if pages != 2 || strings.Join(names, ",") != "p2,Web" {
		t.Errorf("for role: pages %d names %v", pages, names)
	}
	fr, err := root.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("other")})
	if err != nil || fr.InstanceProfiles == nil || len(fr.InstanceProfiles) != 0 {
		t.Errorf("role in no profile %+v %v", fr, err)
	}
	_, err = root.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("none")})
	wantCode(t, err, "NoSuchEntity")

	// Removal and deletion.
	_, err = root.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	// "DeleteConflict ... when calling the DeleteInstanceProfile operation: Cannot
	// delete entity, must remove roles from instance profile first."
	// (github.com/99designs/iamy/issues/47)
	wantCodeMessage(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = root.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("other")})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("none"), RoleName: aws.String("app")})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantCode(t, err, "NoSuchEntity")
	// The role is still in p2, so it cannot be deleted yet.
	_, err = root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app")})
	wantCode(t, err, "DeleteConflict")

	// A service-linked role cannot be put in a profile.
	slr, err := root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p1"), RoleName: slr.Role.RoleName})
	wantCode(t, err, "UnmodifiableEntity")
}

func TestInstanceProfileTags(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	var tags []types.Tag
	for i := range 5 {
		tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	if _, err := root.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("p"), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	// Replacing a tag whose key differs only in case keeps one tag.
	if _, err := root.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("p"), Tags: []types.Tag{{Key: aws.String("K0"), Value: aws.String("w")}}}); err != nil {
		t.Fatal(err)
	}
	_, err := root.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("none"), Tags: tags})
	wantCode(t, err, "NoSuchEntity")
	var many []types.Tag
	for i := range 46 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("m%d", i)), Value: aws.String("v")})
	}
	_, err = root.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("p"), Tags: many})
	wantCode(t, err, "LimitExceeded")
	var keys []string
	pages := 0
	for pg := awsiam.NewListInstanceProfileTagsPaginator(root, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("p"), MaxItems: aws.Int32(2)}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tg := range page.Tags {
			keys = append(keys, *tg.Key+"="+*tg.Value)
		}
	}
	if pages != 3 || strings.Join(keys, ",") != "K0=w,k1=v,k2=v,k3=v,k4=v" {
		t.Errorf("pages %d tags %v", pages, keys)
	}
	if _, err := root.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("p"), TagKeys: []string{"k0", "k4"}}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("none"), TagKeys: []string{"k"}})
	wantCode(t, err, "NoSuchEntity")
	lt, err := root.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("p")})
	if err != nil || len(lt.Tags) != 3 {
		t.Fatalf("after untag %+v %v", lt, err)
	}
	_, err = root.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("none")})
	wantCode(t, err, "NoSuchEntity")
}

func TestInstanceProfileAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetInstanceProfile","iam:AddRoleToInstanceProfile"],"Resource":"arn:aws:iam::123456789012:instance-profile/*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}},
		{"Effect":"Allow","Action":"iam:CreateInstanceProfile","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"dev"}}}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	_, err := bob.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("prod")})
	wantCode(t, err, "AccessDenied")
	if _, err := bob.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("dev"), Path: aws.String("/x/"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatalf("tagged create: %v", err)
	}
	if _, err := bob.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("dev")}); err != nil {
		t.Fatalf("tagged get: %v", err)
	}
	if _, err := root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("prod")})
	wantCode(t, err, "AccessDenied")
	// Untagging takes effect at once, on the ARN with the profile's path.
	if _, err := root.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("dev"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("dev")})
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.Contains(ae.ErrorMessage(), "on resource: arn:aws:iam::123456789012:instance-profile/x/dev") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
}

// AWS requires iam:PassRole on the role as well as iam:AddRoleToInstanceProfile
// on the profile (API_AddRoleToInstanceProfile.html: "The caller of this
// operation must be granted the PassRole permission on the IAM role by a
// permissions policy.").
func TestAddRoleToInstanceProfileNeedsPassRole(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")
	createRole(t, root, "app")
	if _, err := root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:AddRoleToInstanceProfile","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := bob.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p"), RoleName: aws.String("app")})
	wantCode(t, err, "AccessDenied")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("pass"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p"), RoleName: aws.String("app")}); err != nil {
		t.Fatalf("with PassRole: %v", err)
	}
}
