package iam_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`

// createRole creates a role with the EC2 trust policy.
func createRole(t *testing.T, c *awsiam.Client, name string) *types.Role {
	t.Helper()
	out, err := c.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return out.Role
}

func decoded(t *testing.T, s *string) string {
	t.Helper()
	if s == nil {
		t.Fatal("no document")
	}
	d, err := url.QueryUnescape(*s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRolesLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	out, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("App"), Path: aws.String("/svc/"),
		AssumeRolePolicyDocument: aws.String(ec2Trust), Description: aws.String("the app"), MaxSessionDuration: aws.Int32(7200),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"),
		Tags:                []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if !strings.HasPrefix(*r.RoleId, "AROA") || len(*r.RoleId) != 21 || *r.Arn != "arn:aws:iam::123456789012:role/svc/App" || *r.Path != "/svc/" ||
		r.Description != nil || r.MaxSessionDuration != nil || decoded(t, r.AssumeRolePolicyDocument) != ec2Trust || len(r.Tags) != 1 {
		// CreateRole answers without Description and MaxSessionDuration
		// (iam/roleshapes.go); GetRole below shows them.
		t.Errorf("created role %+v", r)
	}
	// Role names are unique regardless of case.
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	wantCodeMessage(t, err, "EntityAlreadyExists", "Role with name app already exists.")
	// MaxSessionDuration is 3600–43200 seconds, checked as the model's range.
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("short"), AssumeRolePolicyDocument: aws.String(ec2Trust), MaxSessionDuration: aws.Int32(100)})
	wantCode(t, err, "ValidationError")
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.Contains(ae.ErrorMessage(), "Member must have value greater than or equal to 3600") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("long"), AssumeRolePolicyDocument: aws.String(ec2Trust), MaxSessionDuration: aws.Int32(43201)})
	wantCode(t, err, "ValidationError")
	// The trust policy is a trust policy: it must name a principal.
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(allowListUsers)})
	wantCodeMessage(t, err, "MalformedPolicyDocument", "Missing required field Principal")
	// "Role trust policy length: 2048 characters" (reference_iam-quotas.md).
	bigTrust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":[` +
		strings.TrimSuffix(strings.Repeat(`"arn:aws:iam::123456789012:root",`, 70), ",") + `]},"Action":"sts:AssumeRole"}}`
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("big"), AssumeRolePolicyDocument: aws.String(bigTrust)})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")
	// The boundary must be an existing managed policy.
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("nb"), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/none")})
	wantCode(t, err, "NoSuchEntity")

	got, err := root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("APP")})
	if err != nil {
		t.Fatal(err)
	}
	g := got.Role
	if *g.RoleName != "App" || *g.Description != "the app" || *g.MaxSessionDuration != 7200 || g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate != nil || g.PermissionsBoundary == nil ||
		*g.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/ReadOnlyAccess" || len(g.Tags) != 1 || decoded(t, g.AssumeRolePolicyDocument) != ec2Trust {
		t.Errorf("GetRole %+v", g)
	}
	_, err = root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("nobody")})
	wantCodeMessage(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")

	// ListRoles: pages, PathPrefix, and no tags, boundary or last use.
	for _, n := range []string{"r1", "r2", "r3"} {
		createRole(t, root, n)
	}
	var names []string
	pages := 0
	for p := awsiam.NewListRolesPaginator(root, &awsiam.ListRolesInput{MaxItems: aws.Int32(3)}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range pg.Roles {
			names = append(names, *r.RoleName)
			if r.Tags != nil || r.PermissionsBoundary != nil || r.RoleLastUsed != nil || r.AssumeRolePolicyDocument == nil {
				t.Errorf("ListRoles returned %+v", r)
			}
		}
	}
	if pages != 2 || strings.Join(names, ",") != "App,r1,r2,r3" {
		t.Errorf("pages %d names %v", pages, names)
	}
	lr, err := root.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String("/svc")})
	if err != nil || len(lr.Roles) != 1 || *lr.Roles[0].RoleName != "App" {
		t.Errorf("PathPrefix: %+v %v", lr, err)
	}

	// Updates.
	if _, err := root.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("r1"), Description: aws.String("one"), MaxSessionDuration: aws.Int32(43200)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("none"), Description: aws.String("x")})
	wantCode(t, err, "NoSuchEntity")
	ud, err := root.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("r1"), Description: aws.String("uno")})
	if err != nil || *ud.Role.Description != "uno" || ud.Role.MaxSessionDuration != nil || ud.Role.RoleLastUsed != nil {
		t.Fatalf("UpdateRoleDescription %+v %v", ud, err)
	}
	_, err = root.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("none"), Description: aws.String("x")})
	wantCode(t, err, "NoSuchEntity")
	lambdaTrust := strings.ReplaceAll(ec2Trust, "ec2", "lambda")
	if _, err := root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r1"), PolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r1"), PolicyDocument: aws.String(allowListUsers)})
	wantCode(t, err, "MalformedPolicyDocument")
	_, err = root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r1"), PolicyDocument: aws.String(bigTrust)})
	wantCode(t, err, "LimitExceeded")
	_, err = root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("none"), PolicyDocument: aws.String(ec2Trust)})
	wantCode(t, err, "NoSuchEntity")
	got, err = root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r1")})
	if err != nil || *got.Role.Description != "uno" || *got.Role.MaxSessionDuration != 43200 || decoded(t, got.Role.AssumeRolePolicyDocument) != lambdaTrust {
		t.Fatalf("after updates %+v %v", got, err)
	}

	// DeleteRole refuses while the role has inline policies, attached
	// policies or instance profiles (API_DeleteRole.html), with AWS's messages.
	if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r2"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r2")})
	wantCodeMessage(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	if _, err := root.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("r2"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("r2"), PolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r2")})
	wantCodeMessage(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	if _, err := root.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("r2"), PolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r2")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r2")})
	// "DeleteConflict ... when calling the DeleteRole operation: Cannot delete
	// entity, must remove roles from instance profile first." (github.com/99designs/iamy/pull/68)
	wantCodeMessage(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	if _, err := root.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r2")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r2")})
	wantCode(t, err, "NoSuchEntity")
	// The name is free again.
	createRole(t, root, "R2")
	// Deleting a role with a boundary works and the role is gone.
	if _, err := root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("App")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("App")})
	wantCode(t, err, "NoSuchEntity")
}

func TestRoleTagsAndInlinePolicies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	createRole(t, root, "r")

	var tags []types.Tag
	for i := range 5 {
		tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	if _, err := root.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	_, err := root.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
	wantCode(t, err, "InvalidInput")
	_, err = root.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("none"), Tags: tags})
	wantCode(t, err, "NoSuchEntity")
	var many []types.Tag
	for i := range 46 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("m%d", i)), Value: aws.String("v")})
	}
	_, err = root.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: many})
	wantCode(t, err, "LimitExceeded")
	var keys []string
	pages := 0
	for p := awsiam.NewListRoleTagsPaginator(root, &awsiam.ListRoleTagsInput{RoleName: aws.String("r"), MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tg := range pg.Tags {
			keys = append(keys, *tg.Key)
		}
	}
	if pages != 3 || strings.Join(keys, ",") != "k0,k1,k2,k3,k4" {
		t.Errorf("pages %d keys %v", pages, keys)
	}
	if _, err := root.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("r"), TagKeys: []string{"K1", "k3"}}); err != nil {
		t.Fatal(err)
	}
	_, err = root.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("none"), TagKeys: []string{"k"}})
	wantCode(t, err, "NoSuchEntity")
	lt, err := root.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("r")})
	if err != nil || len(lt.Tags) != 3 {
		t.Fatalf("after untag %+v %v", lt, err)
	}
	_, err = root.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("none")})
	wantCode(t, err, "NoSuchEntity")

	// Inline policies: quota 10240 characters per role.
	_, err = root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("none"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)})
	wantCodeMessage(t, err, "NoSuchEntity", "The role with name none cannot be found.")
	_, err = root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(ec2Trust)})
	wantCodeMessage(t, err, "MalformedPolicyDocument", "Policy document should not specify a principal.")
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("b", 10300) + `"]}}`
	_, err = root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, err, "LimitExceeded")
	for _, n := range []string{"c", "a", "b"} {
		if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(n), PolicyDocument: aws.String(allowListUsers)}); err != nil {
			t.Fatal(err)
		}
	}
	gp, err := root.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("R"), PolicyName: aws.String("a")})
	if err != nil || *gp.RoleName != "r" || decoded(t, gp.PolicyDocument) != allowListUsers {
		t.Fatalf("GetRolePolicy %+v %v", gp, err)
	}
	_, err = root.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("z")})
	wantCodeMessage(t, err, "NoSuchEntity", "The role policy with name z cannot be found.")
	var names []string
	pages = 0
	for p := awsiam.NewListRolePoliciesPaginator(root, &awsiam.ListRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, pg.PolicyNames...)
	}
	if pages != 2 || strings.Join(names, ",") != "a,b,c" {
		t.Errorf("pages %d names %v", pages, names)
	}
	_, err = root.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("none")})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("a")})
	wantCodeMessage(t, err, "NoSuchEntity", "The role policy with name a cannot be found.")
}

func TestServiceLinkedRoles(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	out, err := root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com"), Description: aws.String("eb")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	// The role's name, path and ARN as AWS gives them, e.g.
	// arn:aws:iam::…:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk.
	if *r.RoleName != "AWSServiceRoleForElasticBeanstalk" || *r.Path != "/aws-service-role/elasticbeanstalk.amazonaws.com/" ||
		*r.Arn != "arn:aws:iam::123456789012:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk" ||
		!strings.HasPrefix(*r.RoleId, "AROA") || *r.Description != "eb" {
		t.Errorf("service-linked role %+v", r)
	}
	if d := decoded(t, r.AssumeRolePolicyDocument); !strings.Contains(d, `"Service":"elasticbeanstalk.amazonaws.com"`) || !strings.Contains(d, "sts:AssumeRole") {
		t.Errorf("trust policy %s", d)
	}
	// A second one for the same service needs a suffix: AWS answers
	// "InvalidInput: Service role name AWSServiceRoleForECS has been taken in
	// this account, please try a different suffix."
	// (github.com/Rayraegah/terraform-aws-hasura/issues/17).
	_, err = root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")})
	wantCodeMessage(t, err, "InvalidInput", "Service role name AWSServiceRoleForElasticBeanstalk has been taken in this account, please try a different suffix.")
	// Amazon EC2 Auto Scaling takes a custom suffix
	// ("AWSServiceRoleForAutoScaling_suffix", autoscaling-service-linked-role.html);
	// most services refuse one: "Custom suffix is not allowed for
	// es.amazonaws.com" (InvalidInput, recorded against AWS in LocalStack's
	// validated snapshots, github.com/localstack/localstack/pull/12387).
	sfx, err := root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("batch")})
	if err != nil || *sfx.Role.RoleName != "AWSServiceRoleForAutoScaling_batch" || *sfx.Role.Path != "/aws-service-role/autoscaling.amazonaws.com/" {
		t.Fatalf("custom suffix %+v %v", sfx, err)
	}
	for _, svc := range []string{"ecs.amazonaws.com", "es.amazonaws.com", "organizations.amazonaws.com"} {
		_, err = root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc), CustomSuffix: aws.String("x")})
		wantCodeMessage(t, err, "InvalidInput", "Custom suffix is not allowed for "+svc)
	}
	// Each service fixes its role's name, which follows no rule
	// (using-service-linked-roles.md: "Do not try to guess the service
	// principal"), e.g. AWSServiceRoleForAmazonGuardDuty and
	// AWSServiceRoleForEC2Spot.
	for svc, name := range map[string]string{"guardduty.amazonaws.com": "AWSServiceRoleForAmazonGuardDuty", "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
		"replicator.lambda.amazonaws.com": "AWSServiceRoleForLambdaReplicator"} {
		out, err := root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc)})
		if err != nil || *out.Role.RoleName != name || *out.Role.Arn != "arn:aws:iam::123456789012:role/aws-service-role/"+svc+"/"+name {
			t.Errorf("%s: %+v %v", svc, out, err)
		}
	}
	// A principal of no service that has a service-linked role is refused.
	for _, svc := range []string{"my-svc.amazonaws.com", "notaservice"} {
		_, err = root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc)})
		wantCodeMessage(t, err, "InvalidInput", "Service principal "+svc+" does not support service-linked roles.")
	}
	// The service's policy comes attached ("Service-linked roles are
	// predefined by the service and include all the permissions that the
	// service requires", using-service-linked-roles.md).
	att, err := root.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("AWSServiceRoleForElasticBeanstalk")})
	if err != nil || len(att.AttachedPolicies) != 1 || *att.AttachedPolicies[0].PolicyArn != "arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy" {
		t.Fatalf("attached %+v %v", att, err)
	}

	// The role is protected from direct changes.
	const slr = "AWSServiceRoleForElasticBeanstalk"
	protected := "Cannot perform the operation on the protected role '" + slr + "' - this role is only modifiable by AWS"
	_, err = root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String(slr)})
	wantCodeMessage(t, err, "UnmodifiableEntity", protected)
	_, err = root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(slr), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)})
	wantCodeMessage(t, err, "UnmodifiableEntity", protected)
	_, err = root.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String(slr), PolicyName: aws.String("p")})
	wantCodeMessage(t, err, "UnmodifiableEntity", protected)
	_, err = root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String(slr), PolicyDocument: aws.String(ec2Trust)})
	wantCodeMessage(t, err, "UnmodifiableEntity", protected)
	_, err = root.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String(slr), MaxSessionDuration: aws.Int32(7200)})
	wantCodeMessage(t, err, "UnmodifiableEntity", protected)
	// Its description can be edited.
	if _, err := root.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String(slr), Description: aws.String("new")}); err != nil {
		t.Fatal(err)
	}

	// DeleteServiceLinkedRole: only for service-linked roles.
	createRole(t, root, "plain")
	_, err = root.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("none")})
	wantCode(t, err, "NoSuchEntity")
	del, err := root.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String(slr)})
	if err != nil {
		t.Fatal(err)
	}
	// The documented task id format:
	// task/aws-service-role/<service-principal-name>/<role-name>/<task-uuid>.
	re := regexp.MustCompile(`^task/aws-service-role/elasticbeanstalk\.amazonaws\.com/AWSServiceRoleForElasticBeanstalk/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !re.MatchString(*del.DeletionTaskId) {
		t.Errorf("task id %s", *del.DeletionTaskId)
	}
	st, err := root.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	if err != nil || st.Status != types.DeletionTaskStatusTypeSucceeded || st.Reason != nil {
		t.Fatalf("status %+v %v", st, err)
	}
	_, err = root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(slr)})
	wantCode(t, err, "NoSuchEntity")
	// The name can be taken again once the role is gone.
	if _, err := root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("not-a-task")})
	wantCode(t, err, "InvalidInput")
	_, err = root.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{
		DeletionTaskId: aws.String("task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/00000000-0000-4000-8000-000000000000")})
	wantCode(t, err, "NoSuchEntity")

	// Deleting the role takes its policy with it (the service removes what it
	// attached): the policy lists no entity once the role is gone.
	ents, err := root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy")})
	if err != nil || len(ents.PolicyRoles) != 1 {
		t.Fatalf("entities before %+v %v", ents, err)
	}

	// A role still in use is not deleted: "If you submit a deletion request
	// for a service-linked role whose linked service is still accessing a
	// resource, then the deletion task fails" (API_DeleteServiceLinkedRole).
	// In Gatehouse, in use means in an instance profile (written straight to
	// the store, since AddRoleToInstanceProfile refuses service-linked roles).
	err = srv.Store.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, store.KindInstanceProfile, testserver.AccountID, store.InstanceProfileKey("asg"),
			store.InstanceProfile{ID: "AIPAEXAMPLEEXAMPLE001", Name: "asg", Path: "/", ARN: "arn:aws:iam::123456789012:instance-profile/asg", Roles: []string{"AWSServiceRoleForAutoScaling_batch"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	del, err = root.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForAutoScaling_batch")})
	if err != nil {
		t.Fatal(err)
	}
	st, err = root.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	if err != nil || st.Status != types.DeletionTaskStatusTypeFailed || st.Reason == nil || st.Reason.Reason == nil || !strings.Contains(*st.Reason.Reason, "instance profile asg") {
		t.Fatalf("failed status %+v %v", st, err)
	}
	if _, err := root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForAutoScaling_batch")}); err != nil {
		t.Fatalf("role deleted despite the failure: %v", err)
	}
	// Once the resource is gone, the deletion succeeds.
	err = srv.Store.Update(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, store.KindInstanceProfile, testserver.AccountID, store.InstanceProfileKey("asg"))
	})
	if err != nil {
		t.Fatal(err)
	}
	del, err = root.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForAutoScaling_batch")})
	if err != nil {
		t.Fatal(err)
	}
	st, err = root.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	if err != nil || st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("status %+v %v", st, err)
	}
	ents, err = root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy")})
	if err != nil || len(ents.PolicyRoles) != 0 {
		t.Fatalf("entities after %+v %v", ents, err)
	}
}

// fillAccount writes n records of a kind straight into the store, to reach an
// account quota without n API calls.
func fillAccount(t *testing.T, srv *testserver.Server, kind store.Kind, n int) {
	t.Helper()
	err := srv.Store.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put(context.Background(), store.Record{Kind: kind, Account: testserver.AccountID, Key: fmt.Sprintf("filler%05d", i), Data: []byte(`{}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccountQuotas(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	// reference_iam-quotas.md: roles 1000, groups 300, instance profiles 1000
	// per account; AWS words it "Cannot exceed quota for InstanceProfilesPerAccount:
	// 1000" (github.com/ansible/workshops/issues/1801).
	fillAccount(t, srv, store.KindRole, 999)
	createRole(t, root, "last")
	_, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("one-more"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000")
	// "if you have reached your limit, you can still create service-linked
	// roles in your account. Only service-linked roles can exceed the limit"
	// (IAM User Guide, using-service-linked-roles.md).
	if _, err := root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}); err != nil {
		t.Fatalf("service-linked role beyond the quota: %v", err)
	}
	_, err = root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("one-more-still"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000")

	fillAccount(t, srv, store.KindGroup, 300)
	_, err = root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g")})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for GroupsPerAccount: 300")

	fillAccount(t, srv, store.KindInstanceProfile, 1000)
	_, err = root.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("p")})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for InstanceProfilesPerAccount: 1000")
}

func TestRoleAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")
	// Bob may read roles tagged team=blue under /app/, and create
	// service-linked roles for ECS only.
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:role/app/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},
		{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"ecs.amazonaws.com"}}},
		{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	for _, rc := range []struct{ name, path, team string }{{"blue", "/app/", "blue"}, {"red", "/app/", "red"}, {"top", "/", "blue"}} {
		if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(rc.name), Path: aws.String(rc.path), AssumeRolePolicyDocument: aws.String(ec2Trust),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(rc.team)}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bob.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("blue")}); err != nil {
		t.Fatalf("tagged role under /app/: %v", err)
	}
	_, err := bob.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("red")})
	wantCode(t, err, "AccessDenied")
	_, err = bob.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("top")})
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.Contains(ae.ErrorMessage(), "iam:GetRole on resource: arn:aws:iam::123456789012:role/top") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	// A retag takes effect at once.
	if _, err := root.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("red"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("red")}); err != nil {
		t.Fatalf("after retag: %v", err)
	}

	if _, err := bob.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}); err != nil {
		t.Fatalf("ECS service-linked role: %v", err)
	}
	_, err = bob.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("rds.amazonaws.com")})
	wantCode(t, err, "AccessDenied")

	// iam:PermissionsBoundary confines CreateRole to roles with that boundary.
	_, err = bob.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("nob"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	wantCode(t, err, "AccessDenied")
	if _, err := bob.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("withb"), AssumeRolePolicyDocument: aws.String(ec2Trust),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatalf("with boundary: %v", err)
	}
}
