package organizations

import (
	"context"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// The organization's resource-based delegation policy (PutResourcePolicy,
// DescribeResourcePolicy, DeleteResourcePolicy): it lets member accounts
// make the Organizations calls that the User Guide's "Delegated
// administrator for AWS Organizations" lists
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html);
// delegate decides those calls with it.

func (s *Service) resourcePolicyOps() []operation.Op {
	return []operation.Op{
		op(s, "PutResourcePolicy", nil, s.putResourcePolicy),
		op(s, "DescribeResourcePolicy", nil, s.describeResourcePolicy),
		op(s, "DeleteResourcePolicy", nil, s.deleteResourcePolicy),
	}
}

func resourcePolicyARN(mgmt, org, id string) string {
	return "arn:aws:organizations::" + mgmt + ":resourcepolicy/" + org + "/" + id
}

func resourcePolicyNotFound() error {
	return orgErr("ResourcePolicyNotFoundException", "We can't find a resource policy request with the parameter that you specified.")
}

func resourcePolicyOut(r resourcePolicyRecord) *orgapi.ResourcePolicy {
	return &orgapi.ResourcePolicy{ResourcePolicySummary: &orgapi.ResourcePolicySummary{Id: str(r.ID), Arn: str(r.ARN)}, Content: str(r.Content)}
}

// checkDelegationPolicy parses content with the grammar of resource-based
// policies and keeps it to what a delegation policy can say: AWS account
// principals, Organizations actions that can be delegated, and
// Organizations resources, with the InvalidInputException reasons of the
// API reference for each.
func checkDelegationPolicy(content string) error {
	doc, err := policy.Parse(content, policy.KindResource)
	if err != nil {
		return orgErr("InvalidInputException", "The resource policy is not valid: "+err.Error()).
			WithMembers(map[string]any{"Reason": "INVALID_RESOURCE_POLICY_JSON"}).WithCause(err)
	}
	for _, st := range doc.Statements {
		if p := st.Principal; p != nil && (len(p.Service) > 0 || len(p.Federated) > 0 || len(p.CanonicalUser) > 0) {
			return invalidInput("INVALID_PRINCIPAL", "You specified an invalid principal element in the policy.")
		}
		if !st.NotAction {
			for _, a := range st.Actions {
				if !delegableAction(a) {
					return invalidInput("UNSUPPORTED_ACTION_IN_RESOURCE_POLICY", "The resource policy contains an action that can't be delegated: "+a+".")
				}
			}
		}
		for _, r := range st.Resources {
			if r != "*" && !strings.HasPrefix(r, "arn:aws:organizations:") {
				return invalidInput("UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY", "The resource policy contains a resource that isn't an Organizations resource: "+r+".")
			}
		}
	}
	return nil
}

// delegableAction reports whether an Action value names, or as a pattern
// matches, an action a delegation policy can allow.
func delegableAction(a string) bool {
	svc, name, ok := strings.Cut(a, ":")
	if !ok || !strings.EqualFold(svc, "organizations") {
		return a == "*"
	}
	for d := range delegableActions {
		if wildcard.MatchFold(name, d) {
			return true
		}
	}
	return false
}

// putResourcePolicy creates the organization's policy, or replaces its
// content (the tags given apply to a new policy only, as the API reference
// says of Tags).
func (s *Service) putResourcePolicy(ctx context.Context, c *identity.Caller, in *orgapi.PutResourcePolicyRequest) (*orgapi.PutResourcePolicyResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := checkDelegationPolicy(in.Content); err != nil {
		return nil, err
	}
	id, err := s.randomID("rp-", 8)
	if err != nil {
		return nil, err
	}
	var rp resourcePolicyRecord
	err = s.updateManaged(ctx, c, func(tx store.Tx, o orgRecord) error {
		key := resourcePolicyKey(o.ID)
		old, err := store.GetJSON[resourcePolicyRecord](ctx, tx, kindOrgResourcePolicy, "", key)
		switch {
		case err == nil:
			rp = old
		case isNotFound(err):
			rp = resourcePolicyRecord{ID: id, ARN: resourcePolicyARN(o.MasterAccountID, o.ID, id), Tags: storeTags(in.Tags)}
		default:
			return err
		}
		rp.Content = in.Content
		return store.PutJSON(ctx, tx, kindOrgResourcePolicy, "", key, rp)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.PutResourcePolicyResponse{ResourcePolicy: resourcePolicyOut(rp)}, nil
}

func (s *Service) describeResourcePolicy(ctx context.Context, c *identity.Caller, _ awsjsonEmpty) (*orgapi.DescribeResourcePolicyResponse, error) {
	var rp resourcePolicyRecord
	err := s.viewOrg(ctx, c, func(tx store.ReadTx, o orgRecord) error {
		var err error
		rp, err = store.GetJSON[resourcePolicyRecord](ctx, tx, kindOrgResourcePolicy, "", resourcePolicyKey(o.ID))
		if isNotFound(err) {
			return resourcePolicyNotFound()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.DescribeResourcePolicyResponse{ResourcePolicy: resourcePolicyOut(rp)}, nil
}

func (s *Service) deleteResourcePolicy(ctx context.Context, c *identity.Caller, _ awsjsonEmpty) (*emptyOutput, error) {
	return done(s.updateManaged(ctx, c, func(tx store.Tx, o orgRecord) error {
		err := tx.Delete(ctx, kindOrgResourcePolicy, "", resourcePolicyKey(o.ID))
		if isNotFound(err) {
			return resourcePolicyNotFound()
		}
		return err
	}))
}
