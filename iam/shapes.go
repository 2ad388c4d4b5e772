package iam

import (
	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/store"
)

// This file holds the response shapes that differ between operations on
// the same entity: what a Create… or Update… answer carries compared with the
// matching Get….

// The Role that CreateRole and UpdateRoleDescription answer with is not the
// one GetRole returns. Recorded against AWS (localstack/localstack,
// tests/aws/services/iam/test_iam_roles.snapshot.json, February 2026):
// CreateRole's Role carries Arn, AssumeRolePolicyDocument, CreateDate, Path,
// RoleId, RoleName and, when given, PermissionsBoundary and Tags — not
// Description, MaxSessionDuration or RoleLastUsed, though GetRole shows all
// three ("create-role-with-boundary" created with a description answers
// without it); UpdateRoleDescription's Role carries the description but
// neither MaxSessionDuration nor RoleLastUsed. The IAM model's CreateRole
// example agrees (examples-1.json).

// createRoleOut is the Role of CreateRole's answer.
func createRoleOut(r store.Role) *iamapi.Role {
	out := roleOut(r)
	out.Description, out.MaxSessionDuration, out.RoleLastUsed = nil, nil, nil
	return out
}

// updateRoleDescriptionOut is the Role of UpdateRoleDescription's answer.
func updateRoleDescriptionOut(r store.Role) *iamapi.Role {
	out := roleOut(r)
	out.MaxSessionDuration, out.RoleLastUsed = nil, nil
	return out
}

// getPolicyOut is the Policy of GetPolicy's answer: with its description,
// and with Tags even when there are none. Recorded against AWS
// (localstack/localstack, tests/aws/services/iam/
// test_iam_policies.snapshot.json and test_iam_managed_policies.snapshot.json,
// February 2026): "get-policy-response" and the AWS managed policies answer
// "Tags": [], while CreatePolicy leaves both Description and an empty Tags
// out ("create-with-tags" created with a description answers without it).
func getPolicyOut(mp store.ManagedPolicy) *iamapi.Policy {
	out := policyOut(mp, true)
	if out.Tags == nil {
		out.Tags = []iamapi.Tag{}
	}
	return out
}
