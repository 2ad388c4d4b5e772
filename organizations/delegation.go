package organizations

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Who may call an operation. Most operations are the management account's;
// AWS opens some to member accounts in two ways:
//
//   - a member account registered as a delegated administrator for a service
//     (RegisterDelegatedAdministrator) gets "read-only access to Organizations
//     service data": the read operations whose API reference says "You can
//     only call this operation from the management account or a member
//     account that is a delegated administrator";
//   - the organization's resource-based delegation policy (PutResourcePolicy)
//     may allow a member account the actions the Organizations User Guide
//     lists under "Supported delegation policy actions"
//     (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html).
//     The call is then decided as a cross-account one: the caller's own
//     policies and the delegation policy must both allow it.

// memberOps are the operations any caller may make, whether or not it
// manages an organization (a handshake's operations decide who may answer
// it themselves).
var memberOps = setOf("CreateOrganization", "DescribeOrganization", "DescribeHandshake", "AcceptHandshake")

// delegatedReads are the read operations open to delegated administrators.
var delegatedReads = setOf("DescribeAccount", "DescribeCreateAccountStatus", "DescribeOrganizationalUnit", "DescribePolicy",
	"DescribeResourcePolicy", "ListAWSServiceAccessForOrganization", "ListAccounts", "ListAccountsForParent", "ListChildren",
	"ListCreateAccountStatus", "ListDelegatedAdministrators", "ListDelegatedServicesForAccount", "ListHandshakesForOrganization",
	"ListOrganizationalUnitsForParent", "ListParents", "ListPolicies", "ListPoliciesForTarget", "ListRoots",
	"ListTagsForResource", "ListTargetsForPolicy")

// delegableActions are the actions a delegation policy may allow.
var delegableActions = setOf("AttachPolicy", "CreatePolicy", "DeletePolicy", "DescribeAccount", "DescribeCreateAccountStatus",
	"DescribeEffectivePolicy", "DescribeHandshake", "DescribeOrganization", "DescribeOrganizationalUnit", "DescribePolicy",
	"DescribeResourcePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "ListAccounts", "ListAccountsForParent",
	"ListAWSServiceAccessForOrganization", "ListChildren", "ListCreateAccountStatus", "ListDelegatedAdministrators",
	"ListDelegatedServicesForAccount", "ListHandshakesForAccount", "ListHandshakesForOrganization",
	"ListOrganizationalUnitsForParent", "ListParents", "ListPolicies", "ListPoliciesForTarget", "ListRoots",
	"ListTagsForResource", "ListTargetsForPolicy", "TagResource", "UntagResource", "UpdatePolicy")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// grant is how a caller may make an operation on its organization.
type grant int

const (
	grantNone           grant = iota
	grantManagement           // the management account
	grantDelegatedAdmin       // a delegated administrator, reading
	grantResourcePolicy       // a member account, if the delegation policy allows it
)

// grantOf says how account may make operation name on organization o.
func grantOf(ctx context.Context, tx store.ReadTx, o orgRecord, account, name string) (grant, *resourcePolicyRecord, error) {
	if o.MasterAccountID == account {
		return grantManagement, nil, nil
	}
	if delegatedReads[name] {
		das, err := tx.List(ctx, store.ListOptions{Kind: kindOrgDelegatedAdmin, Prefix: o.ID + "/" + account + "/", Limit: 1})
		if err != nil {
			return grantNone, nil, err
		}
		if len(das) > 0 {
			return grantDelegatedAdmin, nil, nil
		}
	}
	if delegableActions[name] {
		rp, err := store.GetJSON[resourcePolicyRecord](ctx, tx, kindOrgResourcePolicy, "", resourcePolicyKey(o.ID))
		if err == nil {
			return grantResourcePolicy, &rp, nil
		}
		if !isNotFound(err) {
			return grantNone, nil, err
		}
	}
	return grantNone, nil, nil
}

// operationKey is the context key of the running operation's name.
type operationKey struct{}

// withOperation records the running operation's name in ctx, so that
// managedOrg can tell which grant a member account's call needs.
func withOperation(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, operationKey{}, name)
}

func operationOf(ctx context.Context) string {
	name, _ := ctx.Value(operationKey{}).(string)
	return name
}

// delegate completes the authorization of a member account's call that
// only the management account or a delegated member may make: a delegated
// administrator's read is decided on its own policies (the resource is
// taken as its account's), a call the delegation policy may allow is
// decided across accounts with that policy, and any other is refused with
// AccessDeniedException. Callers outside an organization, and the
// management account, are left to the operation.
func (s *Service) delegate(ctx context.Context, c *identity.Caller, name string, az *operation.Authz) error {
	if memberOps[name] {
		return nil
	}
	var g grant
	var rp *resourcePolicyRecord
	var mgmt string
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		o, _, err := orgOf(ctx, tx, c.Account)
		if err != nil {
			if _, ok := isAWS(err); ok {
				g = grantManagement // the operation reports it
				return nil
			}
			return err
		}
		mgmt = o.MasterAccountID
		g, rp, err = grantOf(ctx, tx, o, c.Account, name)
		return err
	})
	if err != nil {
		return serviceErr(err)
	}
	switch g {
	case grantManagement:
		return nil
	case grantDelegatedAdmin:
		az.ResourceAccount = c.Account
		return nil
	case grantResourcePolicy:
		p, err := s.dir.Compile(rp.ARN, rp.Content, policy.KindResource)
		if err != nil {
			return serviceErr(err)
		}
		az.ResourceAccount, az.ResourcePolicy = mgmt, p
		return nil
	}
	return accessDenied()
}
