package iam_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/iam"
)

func TestReserved(t *testing.T) {
	t.Parallel()
	const (
		slr     = "arn:aws:iam::123456789012:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"
		sso     = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
		plain   = "arn:aws:iam::123456789012:role/app/Plain"
		lookAla = "arn:aws:iam::123456789012:role/service-role/aws-service-role-ish"
		awsPol  = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		ownPol  = "arn:aws:iam::123456789012:policy/Mine"
		// "Cannot perform the operation on the protected role '…' - this role
		// is only modifiable by AWS": the wording of the IAM Identity Center
		// User Guide (docs.aws.amazon.com/singlesignon/latest/userguide/
		// troubleshooting.html), which AWS gives for service-linked roles too
		// (the UnmodifiableEntity shape of the IAM API model: "service-linked
		// roles are protected Amazon Web Services resources").
		slrMsg = "Cannot perform the operation on the protected role 'AWSServiceRoleForElasticBeanstalk' - this role is only modifiable by AWS"
		ssoMsg = "Cannot perform the operation on the protected role 'AWSReservedSSO_Admin_0123456789abcdef' - this role is only modifiable by AWS"
	)
	cases := []struct {
		action, arn, code, msg string
	}{
		// IAM User Guide, troubleshoot_roles.md: "You cannot delete or edit the
		// permissions for a service-linked role in IAM"; API references of
		// Put/DeleteRolePermissionsBoundary: "You cannot set the boundary for a
		// service-linked role".
		{"iam:DeleteRole", slr, "UnmodifiableEntity", slrMsg},
		{"iam:PutRolePolicy", slr, "UnmodifiableEntity", slrMsg},
		{"iam:DeleteRolePolicy", slr, "UnmodifiableEntity", slrMsg},
		{"iam:AttachRolePolicy", slr, "UnmodifiableEntity", slrMsg},
		{"iam:DetachRolePolicy", slr, "UnmodifiableEntity", slrMsg},
		{"iam:UpdateAssumeRolePolicy", slr, "UnmodifiableEntity", slrMsg},
		{"iam:PutRolePermissionsBoundary", slr, "UnmodifiableEntity", slrMsg},
		{"iam:DeleteRolePermissionsBoundary", slr, "UnmodifiableEntity", slrMsg},
		{"iam:AddRoleToInstanceProfile", slr, "UnmodifiableEntity", slrMsg},
		{"iam:RemoveRoleFromInstanceProfile", slr, "UnmodifiableEntity", slrMsg},
		{"DeleteRole", slr, "UnmodifiableEntity", slrMsg},     // bare action name
		{"IAM:deleterole", slr, "UnmodifiableEntity", slrMsg}, // actions are case-insensitive
		{"iam:UpdateAssumeRolePolicy", sso, "UnmodifiableEntity", ssoMsg},
		{"iam:PutRolePolicy", sso, "UnmodifiableEntity", ssoMsg},
		// Allowed on a service-linked role: its description
		// (using-service-linked-roles.md#edit-service-linked-role) and its
		// tags (API_TagRole.html: "a regular role or a service-linked role").
		{"iam:UpdateRoleDescription", slr, "", ""},
		{"iam:UpdateRole", slr, "", ""},
		{"iam:TagRole", slr, "", ""},
		{"iam:UntagRole", slr, "", ""},
		{"iam:GetRole", slr, "", ""},
		{"iam:DeleteServiceLinkedRole", slr, "", ""},
		{"iam:PassRole", slr, "", ""},
		// Customer roles are never reserved, whatever their name looks like.
		{"iam:DeleteRole", plain, "", ""},
		{"iam:DeleteRole", lookAla, "", ""},
		{"s3:DeleteRole", slr, "", ""}, // not an IAM action
		// AWS managed policies: "You cannot change the permissions defined in
		// AWS managed policies" (access_policies_managed-vs-inline.md).
		{"iam:DeletePolicy", awsPol, "AccessDenied", "Policy is outside your own account."},
		{"iam:CreatePolicyVersion", awsPol, "AccessDenied", "Policy is outside your own account."},
		{"iam:DeletePolicyVersion", awsPol, "AccessDenied", "Policy is outside your own account."},
		{"iam:SetDefaultPolicyVersion", awsPol, "AccessDenied", "Policy is outside your own account."},
		{"iam:TagPolicy", awsPol, "AccessDenied", "Policy is outside your own account."},
		{"iam:UntagPolicy", awsPol, "AccessDenied", "Policy is outside your own account."},
		{"iam:GetPolicy", awsPol, "", ""},
		{"iam:AttachRolePolicy", awsPol, "", ""}, // the resource of an attachment is the role
		{"iam:DeletePolicy", ownPol, "", ""},
		{"iam:DeletePolicy", "", "", ""},
		{"iam:DeleteRole", "", "", ""},
		{"iam:DeleteRole", "not an arn :role/aws-service-role/x/y", "", ""},
	}
	for _, c := range cases {
		code, msg, denied := iam.Reserved(c.action, c.arn)
		if denied != (c.code != "") || code != c.code || msg != c.msg {
			t.Errorf("Reserved(%q, %q) = %q, %q, %v; want %q, %q", c.action, c.arn, code, msg, denied, c.code, c.msg)
		}
	}
}
