package organizations

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// maxPoliciesPerOrg is the number of policies an organization may have
// (Organizations quotas); per-type limits are in policyTypes.
const maxPoliciesPerOrg = 1000

func (s *Service) policyOps() []operation.Op {
	return []operation.Op{
		op(s, "EnablePolicyType", targetOfType(s, func(in *orgapi.EnablePolicyTypeRequest) (string, orgapi.PolicyType) { return in.RootId, in.PolicyType }), s.enablePolicyType),
		op(s, "DisablePolicyType", targetOfType(s, func(in *orgapi.DisablePolicyTypeRequest) (string, orgapi.PolicyType) { return in.RootId, in.PolicyType }), s.disablePolicyType),
		op(s, "CreatePolicy", ofType(func(in *orgapi.CreatePolicyRequest) orgapi.PolicyType { return in.Type }), s.createPolicy),
		op(s, "DescribePolicy", targetOf(s, func(in *orgapi.DescribePolicyRequest) string { return in.PolicyId }), s.describePolicy),
		op(s, "UpdatePolicy", targetOf(s, func(in *orgapi.UpdatePolicyRequest) string { return in.PolicyId }), s.updatePolicy),
		op(s, "DeletePolicy", targetOf(s, func(in *orgapi.DeletePolicyRequest) string { return in.PolicyId }), s.deletePolicy),
		op(s, "ListPolicies", ofType(func(in *orgapi.ListPoliciesRequest) orgapi.PolicyType { return in.Filter }), s.listPolicies),
		onTarget(s, op(s, "AttachPolicy", targetOf(s, func(in *orgapi.AttachPolicyRequest) string { return in.PolicyId }), s.attachPolicy),
			func(in *orgapi.AttachPolicyRequest) string { return in.TargetId }),
		onTarget(s, op(s, "DetachPolicy", targetOf(s, func(in *orgapi.DetachPolicyRequest) string { return in.PolicyId }), s.detachPolicy),
			func(in *orgapi.DetachPolicyRequest) string { return in.TargetId }),
		op(s, "ListPoliciesForTarget", targetOfType(s, func(in *orgapi.ListPoliciesForTargetRequest) (string, orgapi.PolicyType) {
			return in.TargetId, in.Filter
		}), s.listPoliciesForTarget),
		op(s, "ListTargetsForPolicy", targetOf(s, func(in *orgapi.ListTargetsForPolicyRequest) string { return in.PolicyId }), s.listTargetsForPolicy),
	}
}

// targetOfType is the resource of an operation on a root, OU or account
// that concerns the policies of one type (EnablePolicyType,
// DisablePolicyType, ListPoliciesForTarget).
func targetOfType[I any](s *Service, of func(in I) (string, orgapi.PolicyType)) func(context.Context, *identity.Caller, I) (resource, error) {
	return func(ctx context.Context, c *identity.Caller, in I) (resource, error) {
		id, typ := of(in)
		r := s.resolve(ctx, c, id)
		r.PolicyType = string(typ)
		return r, nil
	}
}

func summaryOut(p policyRecord) *orgapi.PolicySummary {
	return &orgapi.PolicySummary{Id: str(p.ID), Arn: str(p.ARN), Name: str(p.Name), Description: str(p.Description),
		Type: (*orgapi.PolicyType)(str(p.Type)), AwsManaged: &p.AWSManaged}
}

// supportedType refuses a policy type the API's PolicyType enum does not
// name.
func supportedType(t orgapi.PolicyType) error {
	if _, ok := policyTypes[string(t)]; !ok {
		return policyTypeNotAvailable()
	}
	return nil
}

func policyTypeNotAvailable() error {
	return orgErr("PolicyTypeNotAvailableForOrganizationException", "You can't use the specified policy type with the feature set currently enabled for this organization.")
}

func rootNotFound() error {
	return orgErr("RootNotFoundException", "We can't find a root with the RootId that you specified.")
}

func (s *Service) enablePolicyType(ctx context.Context, c *identity.Caller, in *orgapi.EnablePolicyTypeRequest) (*orgapi.EnablePolicyTypeResponse, error) {
	if err := supportedType(in.PolicyType); err != nil {
		return nil, err
	}
	typ := string(in.PolicyType)
	var root rootRecord
	err := s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		var err error
		if in.RootId != o.RootID {
			return rootNotFound()
		}
		// Policies need all features (User Guide, "Managing organization
		// policies"; API reference, PolicyTypeNotAvailableForOrganizationException).
		if o.FeatureSet != "ALL" {
			return policyTypeNotAvailable()
		}
		if root, err = getRoot(ctx, tx, o); err != nil {
			return err
		}
		if root.typeEnabled(typ) {
			return orgErr("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled in the specified root.")
		}
		root.PolicyTypes = append(root.PolicyTypes, policyTypeState{Type: typ, Status: "ENABLED"})
		if err := store.PutJSON(ctx, tx, kindOrgRoot, "", root.ID, root); err != nil {
			return err
		}
		if !isAuthorization(typ) {
			return nil // management policy types have no AWS managed policy
		}
		// The AWS managed policy of the type goes on every root, OU and account.
		ts := []attachmentRecord{{TargetID: root.ID, TargetType: "ROOT"}}
		us, err := units(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		for _, u := range us {
			ts = append(ts, attachmentRecord{TargetID: u.ID, TargetType: "ORGANIZATIONAL_UNIT"})
		}
		ms, err := members(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			ts = append(ts, attachmentRecord{TargetID: m.AccountID, TargetType: "ACCOUNT"})
		}
		for _, a := range ts {
			a.PolicyID, a.PolicyType = awsPolicies[typ].ID, typ
			if err := attach(ctx, tx, o.ID, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := rootOut(root)
	return &orgapi.EnablePolicyTypeResponse{Root: &out}, nil
}

func (s *Service) disablePolicyType(ctx context.Context, c *identity.Caller, in *orgapi.DisablePolicyTypeRequest) (*orgapi.DisablePolicyTypeResponse, error) {
	typ := string(in.PolicyType)
	var root rootRecord
	err := s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		var err error
		if in.RootId != o.RootID {
			return rootNotFound()
		}
		if root, err = getRoot(ctx, tx, o); err != nil {
			return err
		}
		if !root.typeEnabled(typ) {
			return policyTypeNotEnabled()
		}
		root.PolicyTypes = slices.DeleteFunc(root.PolicyTypes, func(t policyTypeState) bool { return t.Type == typ })
		if err := store.PutJSON(ctx, tx, kindOrgRoot, "", root.ID, root); err != nil {
			return err
		}
		atts, err := store.ListValues[attachmentRecord](ctx, tx, store.ListOptions{Kind: kindOrgAttachment, Prefix: o.ID + "/"})
		if err != nil {
			return err
		}
		for _, a := range atts {
			if a.PolicyType == typ {
				if err := detach(ctx, tx, o.ID, a.TargetID, a.PolicyID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := rootOut(root)
	return &orgapi.DisablePolicyTypeResponse{Root: &out}, nil
}

func policyTypeNotEnabled() error {
	return orgErr("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
}

// checkContent applies the type's size limit and AWS's grammar for it:
// the IAM policy grammar for SCPs and RCPs, the management policy syntax
// for the others (checkManagementContent).
func checkContent(typ, content string) error {
	if utf8.RuneCountInString(content) > policyTypes[typ].size {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than the maximum size.")
	}
	var err error
	switch typ {
	case typeSCP:
		_, err = policy.Parse(content, policy.KindSCP)
	case typeRCP:
		_, err = policy.Parse(content, policy.KindRCP)
	default:
		err = checkManagementContent(content)
	}
	if err != nil {
		return orgErr("MalformedPolicyDocumentException", "The provided policy document does not meet the requirements of the specified policy type.").WithCause(err)
	}
	return nil
}

func (s *Service) createPolicy(ctx context.Context, c *identity.Caller, in *orgapi.CreatePolicyRequest) (*orgapi.CreatePolicyResponse, error) {
	if err := supportedType(in.Type); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	typ := string(in.Type)
	if err := checkContent(typ, in.Content); err != nil {
		return nil, err
	}
	id, err := s.randomID("p-", 8)
	if err != nil {
		return nil, err
	}
	var p policyRecord
	err = s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		if o.FeatureSet != "ALL" {
			return policyTypeNotAvailable() // as EnablePolicyType: policies need all features
		}
		ps, err := store.ListValues[policyRecord](ctx, tx, store.ListOptions{Kind: kindOrgPolicy, Prefix: o.ID + "/"})
		if err != nil {
			return err
		}
		if len(ps) >= maxPoliciesPerOrg {
			return constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization.")
		}
		for _, x := range ps {
			if x.Type == typ && x.Name == in.Name {
				return orgErr("DuplicatePolicyException", "A policy with the same name already exists.")
			}
		}
		if awsPolicies[typ].Name == in.Name {
			return orgErr("DuplicatePolicyException", "A policy with the same name already exists.")
		}
		p = policyRecord{ID: id, ARN: policyARN(o.MasterAccountID, o.ID, typ, id), Name: in.Name, Description: in.Description,
			Type: typ, Content: in.Content, OrgID: o.ID, Tags: storeTags(in.Tags)}
		return store.CreateJSON(ctx, tx, kindOrgPolicy, "", policyKey(o.ID, id), p)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.CreatePolicyResponse{Policy: &orgapi.Policy{PolicySummary: summaryOut(p), Content: str(p.Content)}}, nil
}

func (s *Service) describePolicy(ctx context.Context, c *identity.Caller, in *orgapi.DescribePolicyRequest) (*orgapi.DescribePolicyResponse, error) {
	var p policyRecord
	err := s.viewOrg(ctx, c, func(tx store.ReadTx, o orgRecord) error {
		var err error
		p, err = getPolicy(ctx, tx, o.ID, in.PolicyId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.DescribePolicyResponse{Policy: &orgapi.Policy{PolicySummary: summaryOut(p), Content: str(p.Content)}}, nil
}

func immutable() error {
	return invalidInput("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
}

func (s *Service) updatePolicy(ctx context.Context, c *identity.Caller, in *orgapi.UpdatePolicyRequest) (*orgapi.UpdatePolicyResponse, error) {
	var p policyRecord
	err := s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		var err error
		if p, err = getPolicy(ctx, tx, o.ID, in.PolicyId); err != nil {
			return err
		}
		if p.AWSManaged {
			return immutable()
		}
		if in.Name != nil && *in.Name != p.Name {
			ps, err := store.ListValues[policyRecord](ctx, tx, store.ListOptions{Kind: kindOrgPolicy, Prefix: o.ID + "/"})
			if err != nil {
				return err
			}
			for _, x := range ps {
				if x.Type == p.Type && x.Name == *in.Name {
					return orgErr("DuplicatePolicyException", "A policy with the same name already exists.")
				}
			}
			p.Name = *in.Name
		}
		if in.Description != nil {
			p.Description = *in.Description
		}
		if in.Content != nil {
			if err := checkContent(p.Type, *in.Content); err != nil {
				return err
			}
			p.Content = *in.Content
		}
		return store.PutJSON(ctx, tx, kindOrgPolicy, "", policyKey(o.ID, p.ID), p)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.UpdatePolicyResponse{Policy: &orgapi.Policy{PolicySummary: summaryOut(p), Content: str(p.Content)}}, nil
}

func (s *Service) deletePolicy(ctx context.Context, c *identity.Caller, in *orgapi.DeletePolicyRequest) (*emptyOutput, error) {
	return done(s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		p, err := getPolicy(ctx, tx, o.ID, in.PolicyId)
		if err != nil {
			return err
		}
		if p.AWSManaged {
			return immutable()
		}
		ts, err := targetsOf(ctx, tx, o.ID, p.ID)
		if err != nil {
			return err
		}
		if len(ts) > 0 {
			return orgErr("PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
		return tx.Delete(ctx, kindOrgPolicy, "", policyKey(o.ID, p.ID))
	}))
}

// policiesOf lists the organization's policies of a type, AWS managed first.
func policiesOf(ctx context.Context, tx store.ReadTx, org, typ string) ([]policyRecord, error) {
	ps, err := store.ListValues[policyRecord](ctx, tx, store.ListOptions{Kind: kindOrgPolicy, Prefix: org + "/"})
	if err != nil {
		return nil, err
	}
	out := []policyRecord{}
	if p, ok := awsPolicies[typ]; ok {
		out = append(out, p)
	}
	for _, p := range ps {
		if p.Type == typ {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *Service) listPolicies(ctx context.Context, c *identity.Caller, in *orgapi.ListPoliciesRequest) (*orgapi.ListPoliciesResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.PolicySummary, error) {
		var all []orgapi.PolicySummary
		ps, err := policiesOf(ctx, tx, o.ID, string(in.Filter))
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			all = append(all, *summaryOut(p))
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListPoliciesResponse{Policies: out, NextToken: next}, nil
}

func targetNotFound() error {
	return orgErr("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
}

// policyOnTarget is what AttachPolicy and DetachPolicy read before they
// change anything: the policy, the target, whether the policy is attached to
// the target, and how many policies of its type the target has.
type policyOnTarget struct {
	p        policyRecord
	t        target
	attached bool
	sameType int
}

func readPolicyOnTarget(ctx context.Context, tx store.ReadTx, o orgRecord, policyID, targetID string) (policyOnTarget, error) {
	var pt policyOnTarget
	var err error
	if pt.p, err = getPolicy(ctx, tx, o.ID, policyID); err != nil {
		return pt, err
	}
	if pt.t, err = findTarget(ctx, tx, o, targetID, targetNotFound()); err != nil {
		return pt, err
	}
	atts, err := attachedTo(ctx, tx, o.ID, pt.t.ID)
	if err != nil {
		return pt, err
	}
	for _, a := range atts {
		if a.PolicyID == pt.p.ID {
			pt.attached = true
		}
		if a.PolicyType == pt.p.Type {
			pt.sameType++
		}
	}
	return pt, nil
}

func (s *Service) attachPolicy(ctx context.Context, c *identity.Caller, in *orgapi.AttachPolicyRequest) (*emptyOutput, error) {
	return done(s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		pt, err := readPolicyOnTarget(ctx, tx, o, in.PolicyId, in.TargetId)
		if err != nil {
			return err
		}
		root, err := getRoot(ctx, tx, o)
		if err != nil {
			return err
		}
		switch {
		case !root.typeEnabled(pt.p.Type):
			return policyTypeNotEnabled()
		case pt.attached:
			return orgErr("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
		case pt.sameType >= policyTypes[pt.p.Type].perTarget:
			return constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.")
		}
		return attach(ctx, tx, o.ID, attachmentRecord{PolicyID: pt.p.ID, PolicyType: pt.p.Type, TargetID: pt.t.ID, TargetType: pt.t.Type})
	}))
}

func (s *Service) detachPolicy(ctx context.Context, c *identity.Caller, in *orgapi.DetachPolicyRequest) (*emptyOutput, error) {
	return done(s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		pt, err := readPolicyOnTarget(ctx, tx, o, in.PolicyId, in.TargetId)
		if err != nil {
			return err
		}
		switch {
		case !pt.attached:
			return orgErr("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
		case pt.sameType <= 1 && isAuthorization(pt.p.Type):
			// Every root, OU and account keeps at least one policy of an
			// enabled type (FullAWSAccess, unless replaced).
			return constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
		}
		return detach(ctx, tx, o.ID, pt.t.ID, pt.p.ID)
	}))
}

func (s *Service) listPoliciesForTarget(ctx context.Context, c *identity.Caller, in *orgapi.ListPoliciesForTargetRequest) (*orgapi.ListPoliciesForTargetResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.PolicySummary, error) {
		var all []orgapi.PolicySummary
		t, err := findTarget(ctx, tx, o, in.TargetId, targetNotFound())
		if err != nil {
			return nil, err
		}
		atts, err := attachedTo(ctx, tx, o.ID, t.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			if a.PolicyType != string(in.Filter) {
				continue
			}
			p, err := getPolicy(ctx, tx, o.ID, a.PolicyID)
			if err != nil {
				return nil, err
			}
			all = append(all, *summaryOut(p))
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListPoliciesForTargetResponse{Policies: out, NextToken: next}, nil
}

func (s *Service) listTargetsForPolicy(ctx context.Context, c *identity.Caller, in *orgapi.ListTargetsForPolicyRequest) (*orgapi.ListTargetsForPolicyResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.PolicyTargetSummary, error) {
		var all []orgapi.PolicyTargetSummary
		p, err := getPolicy(ctx, tx, o.ID, in.PolicyId)
		if err != nil {
			return nil, err
		}
		ts, err := targetsOf(ctx, tx, o.ID, p.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range ts {
			t, err := findTarget(ctx, tx, o, a.TargetID, targetNotFound())
			if err != nil {
				continue // removed meanwhile
			}
			all = append(all, orgapi.PolicyTargetSummary{TargetId: str(t.ID), Arn: str(t.ARN), Name: str(t.Name), Type: (*orgapi.TargetType)(str(t.Type))})
		}
		slices.SortFunc(all, func(a, b orgapi.PolicyTargetSummary) int { return strings.Compare(*a.TargetId, *b.TargetId) })
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListTargetsForPolicyResponse{Targets: out, NextToken: next}, nil
}
