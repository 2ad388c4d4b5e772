package iam_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// TestReservedRefusals: AWS refuses changes to its own roles and policies
// whatever the caller's policies allow — here the root user and a user with
// AdministratorAccess alike.
//   - Service-linked roles: UnmodifiableEntity "Cannot perform the operation on
//     the protected role 'NAME' - this role is only modifiable by AWS" (the
//     wording of the IAM Identity Center User Guide's troubleshooting page; the
//     IAM model's UnmodifiableEntity shape: "service-linked roles are protected
//     Amazon Web Services resources"). "You cannot delete or edit the
//     permissions for a service-linked role in IAM" (troubleshoot_roles.md);
//     "You cannot modify the trust policy for a service-linked role"
//     (roles-managingrole-editing-api.md); "You cannot set the boundary for a
//     service-linked role" (API_PutRolePermissionsBoundary.html).
//   - Its description may be edited (using-service-linked-roles.md#edit-service-linked-role)
//     and it may be tagged (API_TagRole.html).
//   - AWS managed policies: "You cannot change the permissions defined in AWS
//     managed policies" (access_policies_managed-vs-inline.md).
func TestReservedRefusals(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	admin := srv.NewUserWithKey(t, "admin")
	if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	const slr = "AWSServiceRoleForElasticBeanstalk"
	if _, err := root.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	// A role IAM Identity Center provisioned (path /aws-reserved/), written
	// straight to the store since CreateRole refuses that path.
	const sso = "AWSReservedSSO_Admin_0123456789abcdef"
	ssoPath := "/aws-reserved/sso.amazonaws.com/"
	err := srv.Store.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, store.KindRole, testserver.AccountID, store.RoleKey(sso), store.Role{ID: "AROAEXAMPLESSO000001", Name: sso, Path: ssoPath,
			ARN: arn.Role(testserver.AccountID, ssoPath, sso), CreateDate: time.Now().UTC(), MaxSessionDuration: 3600,
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/AWSSSO_x_DO_NOT_DELETE"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"]}]}`})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range []struct {
		name string
		c    *awsiam.Client
	}{{"root", root}, {"admin", admin}} {
		c := rc.c
		profile := "profile-" + rc.name
		if _, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(profile)}); err != nil {
			t.Fatal(err)
		}
		for _, role := range []string{slr, sso} {
			protected := "Cannot perform the operation on the protected role '" + role + "' - this role is only modifiable by AWS"
			refused := map[string]func() error{
				"DeleteRole": func() error {
					_, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String(role)})
					return err
				},
				"UpdateAssumeRolePolicy": func() error {
					_, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role), PolicyDocument: aws.String(ec2Trust)})
					return err
				},
				"PutRolePolicy": func() error {
					_, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)})
					return err
				},
				"DeleteRolePolicy": func() error {
					_, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("p")})
					return err
				},
				"AttachRolePolicy": func() error {
					_, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
					return err
				},
				"DetachRolePolicy": func() error {
					_, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy")})
					return err
				},
				"PutRolePermissionsBoundary": func() error {
					_, err := c.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String(role), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
					return err
				},
				"DeleteRolePermissionsBoundary": func() error {
					_, err := c.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(role)})
					return err
				},
				"AddRoleToInstanceProfile": func() error {
					_, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{RoleName: aws.String(role), InstanceProfileName: aws.String(profile)})
					return err
				},
				"RemoveRoleFromInstanceProfile": func() error {
					_, err := c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{RoleName: aws.String(role), InstanceProfileName: aws.String(profile)})
					return err
				},
				"UpdateRole MaxSessionDuration": func() error {
					_, err := c.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String(role), MaxSessionDuration: aws.Int32(7200)})
					return err
				},
			}
			for op, call := range refused {
				t.Run(rc.name+"/"+role+"/"+op, func(t *testing.T) {
					mpWantError(t, call(), "UnmodifiableEntity", protected)
				})
			}
			// Allowed: the description and the tags.
			if _, err := c.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String(role), Description: aws.String("by " + rc.name)}); err != nil {
				t.Errorf("%s UpdateRoleDescription %s: %v", rc.name, role, err)
			}
			if _, err := c.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String(role), Description: aws.String("again")}); err != nil {
				t.Errorf("%s UpdateRole description %s: %v", rc.name, role, err)
			}
			if _, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String(role), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}); err != nil {
				t.Errorf("%s TagRole %s: %v", rc.name, role, err)
			}
			if _, err := c.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String(role), TagKeys: []string{"team"}}); err != nil {
				t.Errorf("%s UntagRole %s: %v", rc.name, role, err)
			}
		}
		// The service-linked role is intact: its trust policy and its policy.
		got, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(slr)})
		if err != nil || decoded(t, got.Role.AssumeRolePolicyDocument) != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"elasticbeanstalk.amazonaws.com"},"Action":"sts:AssumeRole"}]}` {
			t.Fatalf("role after the refusals %+v %v", got, err)
		}

		// AWS managed policies, even ones the caller may otherwise change.
		const ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		const outside = "Policy is outside your own account."
		mpRefused := map[string]func() error{
			"DeletePolicy": func() error {
				_, err := c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(ro)})
				return err
			},
			"CreatePolicyVersion": func() error {
				_, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(ro), PolicyDocument: aws.String(mpAllow("s3:*")), SetAsDefault: true})
				return err
			},
			"DeletePolicyVersion": func() error {
				_, err := c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(ro), VersionId: aws.String("v1")})
				return err
			},
			"SetDefaultPolicyVersion": func() error {
				_, err := c.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(ro), VersionId: aws.String("v1")})
				return err
			},
			"TagPolicy": func() error {
				_, err := c.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(ro), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
				return err
			},
			"UntagPolicy": func() error {
				_, err := c.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: aws.String(ro), TagKeys: []string{"k"}})
				return err
			},
		}
		for op, call := range mpRefused {
			t.Run(rc.name+"/ReadOnlyAccess/"+op, func(t *testing.T) {
				mpWantError(t, call(), "AccessDenied", outside)
			})
		}
		// CreateRole keeps AWS's paths to AWS: "Path prefix
		// '/aws-service-role/' can only be used for AWS Service linked Roles"
		// (InvalidInput, github.com/tilfin/aws-iam-policy-tool/pull/9).
		_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("impostor-" + rc.name), Path: aws.String("/aws-service-role/ecs.amazonaws.com/"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
		mpWantError(t, err, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles")
		_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("impostor-" + rc.name), Path: aws.String("/aws-reserved/sso.amazonaws.com/"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
		mpWantError(t, err, "InvalidInput", "Path prefix '/aws-reserved/' can only be used for AWS reserved roles")
	}
	// The simulator answers what the real request meets: not allowed, even
	// for AdministratorAccess, while the same actions on an ordinary role
	// and a customer managed policy are allowed.
	slrARN := "arn:aws:iam::" + testserver.AccountID + ":role/aws-service-role/elasticbeanstalk.amazonaws.com/" + slr
	sim, err := root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":user/admin"),
		ActionNames:     []string{"iam:DeleteRole", "iam:PutRolePolicy", "iam:CreatePolicyVersion"},
		ResourceArns:    []string{slrARN, "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::" + testserver.AccountID + ":role/ordinary"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, er := range sim.EvaluationResults {
		for _, rr := range er.ResourceSpecificResults {
			_, _, reserved := iam.Reserved(*er.EvalActionName, *rr.EvalResourceName)
			ordinary := strings.HasSuffix(*rr.EvalResourceName, ":role/ordinary")
			if !reserved && !ordinary {
				continue // a role action on a policy ARN: not a case here
			}
			want := types.PolicyEvaluationDecisionTypeAllowed
			if reserved {
				want = types.PolicyEvaluationDecisionTypeImplicitDeny
			}
			if rr.EvalResourceDecision != want {
				t.Errorf("simulated %s on %s: %s, want %s", *er.EvalActionName, *rr.EvalResourceName, rr.EvalResourceDecision, want)
			}
		}
	}

	// The service itself may still delete its role (DeleteServiceLinkedRole).
	if _, err := admin.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String(slr)}); err != nil {
		t.Fatal(err)
	}
}
