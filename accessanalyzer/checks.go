package accessanalyzer

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/check"
)

// checkOps are the custom policy checks: CheckNoNewAccess,
// CheckAccessNotGranted and CheckNoPublicAccess, decided by policy/check.
func (s *Service) checkOps() []operation.Op {
	return []operation.Op{
		op("CheckNoNewAccess", nil, s.checkNoNewAccess),
		op("CheckAccessNotGranted", nil, s.checkAccessNotGranted),
		op("CheckNoPublicAccess", nil, s.checkNoPublicAccess),
	}
}

// parseCheckDocument reads a document of a custom policy check. A document
// the policy grammar refuses is a ValidationException naming the member, with
// the grammar's MalformedPolicyDocument wording.
func parseCheckDocument(field, doc string, t check.PolicyType) (*policy.Document, error) {
	d, err := check.Parse(doc, t)
	if err != nil {
		return nil, invalid(field, "Invalid policy document: "+err.Error())
	}
	return d, nil
}

func (s *Service) checkNoNewAccess(_ context.Context, _ *identity.Caller, in *analyzerapi.CheckNoNewAccessRequest) (*analyzerapi.CheckNoNewAccessResponse, error) {
	t := check.PolicyType(in.PolicyType)
	nd, err := parseCheckDocument("newPolicyDocument", in.NewPolicyDocument, t)
	if err != nil {
		return nil, err
	}
	ed, err := parseCheckDocument("existingPolicyDocument", in.ExistingPolicyDocument, t)
	if err != nil {
		return nil, err
	}
	r := check.CheckNoNewAccess(nd, ed, t)
	res := analyzerapi.CheckNoNewAccessResult(r.Result)
	return &analyzerapi.CheckNoNewAccessResponse{Result: &res, Message: str(r.Message), Reasons: apiReasons(r.Reasons)}, nil
}

func (s *Service) checkAccessNotGranted(_ context.Context, _ *identity.Caller, in *analyzerapi.CheckAccessNotGrantedRequest) (*analyzerapi.CheckAccessNotGrantedResponse, error) {
	t := check.PolicyType(in.PolicyType)
	var access []check.Access
	for _, a := range in.Access {
		if len(a.Actions) == 0 && len(a.Resources) == 0 {
			return nil, invalid("access", "An access object must specify actions, resources, or both.")
		}
		access = append(access, check.Access{Actions: a.Actions, Resources: a.Resources})
	}
	d, err := parseCheckDocument("policyDocument", in.PolicyDocument, t)
	if err != nil {
		return nil, err
	}
	r := check.CheckAccessNotGranted(d, access, t)
	res := analyzerapi.CheckAccessNotGrantedResult(r.Result)
	return &analyzerapi.CheckAccessNotGrantedResponse{Result: &res, Message: str(r.Message), Reasons: apiReasons(r.Reasons)}, nil
}

func (s *Service) checkNoPublicAccess(_ context.Context, _ *identity.Caller, in *analyzerapi.CheckNoPublicAccessRequest) (*analyzerapi.CheckNoPublicAccessResponse, error) {
	d, err := parseCheckDocument("policyDocument", in.PolicyDocument, check.ResourcePolicy)
	if err != nil {
		return nil, err
	}
	r, err := check.CheckNoPublicAccess(d, string(in.ResourceType))
	if err != nil {
		// The decoder admits only the model's enumeration, which check knows.
		return nil, serviceErr(err)
	}
	res := analyzerapi.CheckNoPublicAccessResult(r.Result)
	return &analyzerapi.CheckNoPublicAccessResponse{Result: &res, Message: str(r.Message), Reasons: apiReasons(r.Reasons)}, nil
}

// apiReasons converts reasons to AWS's ReasonSummary (Gatehouse's detail
// stays out of the wire shape).
func apiReasons(rs []check.Reason) []analyzerapi.ReasonSummary {
	out := make([]analyzerapi.ReasonSummary, 0, len(rs))
	for _, r := range rs {
		rs := analyzerapi.ReasonSummary{Description: str(r.Description)}
		if r.StatementIndex != nil {
			i := int32(*r.StatementIndex)
			rs.StatementIndex = &i
		}
		if r.StatementID != "" {
			rs.StatementId = str(r.StatementID)
		}
		out = append(out, rs)
	}
	return out
}
