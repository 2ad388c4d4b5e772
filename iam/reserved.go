package iam

import (
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// Reserved paths and accounts: resources AWS owns inside a customer account.
const (
	// reservedSSOPath starts the path of the roles IAM Identity Center
	// provisions (AWSReservedSSO_*), which only Identity Center may change
	// (IAM Identity Center User Guide, "Troubleshooting": "Cannot perform the
	// operation on the protected role 'AWSReservedSSO_RoleName_Here' - this
	// role is only modifiable by AWS").
	reservedSSOPath = "/aws-reserved/"
)

// protectedRoleActions are the IAM actions AWS refuses, with UnmodifiableEntity,
// on a service-linked role (and on the roles IAM Identity Center owns),
// whatever the caller's policies allow. They are the role operations whose
// model lists UnmodifiableEntityException, less the two that edit only the
// description, which AWS allows on any role ("You can edit the description of
// any role from the IAM console, API, or CLI", IAM User Guide,
// using-service-linked-roles.md#edit-service-linked-role). TagRole and
// UntagRole are allowed too: "The role can be a regular role or a
// service-linked role" (API_TagRole.html). Sources per action:
//   - DeleteRole, PutRolePolicy, DeleteRolePolicy, AttachRolePolicy,
//     DetachRolePolicy: "You cannot delete or edit the permissions for a
//     service-linked role in IAM" (IAM User Guide, troubleshoot_roles.md);
//   - UpdateAssumeRolePolicy: "You cannot modify the trust policy for a
//     service-linked role" (roles-managingrole-editing-api.md);
//   - PutRolePermissionsBoundary, DeleteRolePermissionsBoundary: "You cannot
//     set the boundary for a service-linked role" (API reference of both);
//   - AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile: the model lists
//     UnmodifiableEntityException for them, and a service-linked role is the
//     only role it can concern (decided from the model alone).
var protectedRoleActions = map[string]bool{
	"deleterole": true, "updateassumerolepolicy": true,
	"putrolepolicy": true, "deleterolepolicy": true,
	"attachrolepolicy": true, "detachrolepolicy": true,
	"putrolepermissionsboundary": true, "deleterolepermissionsboundary": true,
	"addroletoinstanceprofile": true, "removerolefrominstanceprofile": true,
}

// awsPolicyChangeActions are the actions that change a managed policy itself.
// AWS managed policies are "created and administered by AWS" and customers
// "cannot change the permissions defined in AWS managed policies" (IAM User
// Guide, access_policies_managed-vs-inline.md#aws-managed-policies).
var awsPolicyChangeActions = map[string]bool{
	"deletepolicy": true, "createpolicyversion": true, "deletepolicyversion": true,
	"setdefaultpolicyversion": true, "tagpolicy": true, "untagpolicy": true,
}

// Reserved reports whether AWS refuses action on the resource named by
// resourceARN whatever the caller's policies say — even the root user's, even
// with AdministratorAccess — because the resource is AWS's own: a
// service-linked role (path /aws-service-role/…), a role IAM Identity Center
// provisions (path /aws-reserved/…), or an AWS managed policy (account "aws").
// action is an IAM action, with or without the "iam:" prefix, in any case;
// resourceARN is the ARN of the role or policy the action changes (for
// AddRoleToInstanceProfile and RemoveRoleFromInstanceProfile: the role's).
// When denied is true, code and message are AWS's error. The decision uses
// the ARN alone, so the policy simulator can make it without the store.
func Reserved(action, resourceARN string) (code, message string, denied bool) {
	act := strings.ToLower(action)
	if p, rest, ok := strings.Cut(act, ":"); ok {
		if p != "iam" {
			return "", "", false
		}
		act = rest
	}
	switch {
	case protectedRoleActions[act]:
		if name, ok := reservedRoleName(resourceARN); ok {
			return awserr.CodeUnmodifiableEntity, protectedRoleMessage(name), true
		}
	case awsPolicyChangeActions[act]:
		if strings.HasPrefix(resourceARN, awsPolicyPrefix) {
			// AWS's answer to a change to a policy outside the caller's
			// account, the "aws" account included (see notOwnPolicy).
			return awserr.CodeAccessDenied, notOwnPolicyMessage, true
		}
	}
	return "", "", false
}

// reservedRoleName returns the name of the role resourceARN names when the
// role is one AWS owns: its path starts /aws-service-role/ or /aws-reserved/.
func reservedRoleName(resourceARN string) (string, bool) {
	_, res, ok := strings.Cut(resourceARN, ":role/")
	if !ok || !strings.HasPrefix(resourceARN, "arn:") {
		return "", false
	}
	res = "/" + res
	if !strings.HasPrefix(res, slrPathPrefix) && !strings.HasPrefix(res, reservedSSOPath) {
		return "", false
	}
	return res[strings.LastIndexByte(res, '/')+1:], true
}

// reservedError is Reserved's refusal as an error, or nil.
func reservedError(action, resourceARN string) error {
	if code, msg, denied := Reserved(action, resourceARN); denied {
		return awserr.New(code, msg)
	}
	return nil
}

// protectedRoleMessage is AWS's UnmodifiableEntity message for a protected
// role, as AWS words it for service-linked and Identity Center roles alike
// (IAM Identity Center User Guide, "Troubleshooting IAM Identity Center
// issues": "Cannot perform the operation on the protected role
// 'AWSReservedSSO_RoleName_Here' - this role is only modifiable by AWS").
func protectedRoleMessage(name string) string {
	return "Cannot perform the operation on the protected role '" + name + "' - this role is only modifiable by AWS"
}
