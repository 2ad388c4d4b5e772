package accessanalyzer

import (
	"context"
	"encoding/base64"
	"strconv"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/validate"
)

func (s *Service) validateOps() []operation.Op {
	return []operation.Op{op("ValidatePolicy", nil, s.validatePolicy)}
}

// policyKind returns the policy kind ValidatePolicy checks a document as:
// the policy type, and for resource policies the resource type (a role trust
// policy is AWS::IAM::AssumeRolePolicyDocument).
func policyKind(in *analyzerapi.ValidatePolicyRequest) (policy.Kind, error) {
	if in.ValidatePolicyResourceType != nil && in.PolicyType != analyzerapi.PolicyTypeRESOURCE_POLICY {
		return 0, invalid("validatePolicyResourceType", "validatePolicyResourceType can be specified only with the RESOURCE_POLICY policy type.")
	}
	switch in.PolicyType {
	case analyzerapi.PolicyTypeRESOURCE_POLICY:
		if in.ValidatePolicyResourceType != nil && *in.ValidatePolicyResourceType == analyzerapi.ValidatePolicyResourceTypeAWSIAMAssumeRolePolicyDocument {
			return policy.KindTrust, nil
		}
		return policy.KindResource, nil
	case analyzerapi.PolicyTypeSERVICE_CONTROL_POLICY:
		return policy.KindSCP, nil
	case analyzerapi.PolicyTypeRESOURCE_CONTROL_POLICY:
		return policy.KindRCP, nil
	}
	return policy.KindIdentity, nil
}

// validatePolicy checks a document with policy/validate. The findings are
// in English whatever the locale: Gatehouse has AWS's English wording only.
func (s *Service) validatePolicy(_ context.Context, _ *identity.Caller, in *analyzerapi.ValidatePolicyRequest) (*analyzerapi.ValidatePolicyResponse, error) {
	kind, err := policyKind(in)
	if err != nil {
		return nil, err
	}
	all := validate.ToAPI(in.PolicyDocument, validate.Validate(in.PolicyDocument, kind))
	start, limit, err := page(in.NextToken, in.MaxResults, len(all))
	if err != nil {
		return nil, err
	}
	out := &analyzerapi.ValidatePolicyResponse{Findings: []analyzerapi.ValidatePolicyFinding{}}
	end := min(start+limit, len(all))
	for _, f := range all[start:end] {
		out.Findings = append(out.Findings, apiValidateFinding(f))
	}
	out.NextToken = nextToken(end, len(all))
	return out, nil
}

func apiValidateFinding(f validate.APIFinding) analyzerapi.ValidatePolicyFinding {
	vf := analyzerapi.ValidatePolicyFinding{
		FindingDetails: f.FindingDetails, FindingType: analyzerapi.ValidatePolicyFindingType(f.FindingType),
		IssueCode: f.IssueCode, LearnMoreLink: f.LearnMoreLink, Locations: []analyzerapi.Location{},
	}
	for _, l := range f.Locations {
		loc := analyzerapi.Location{Path: []analyzerapi.PathElement{}, Span: analyzerapi.Span{Start: position(l.Span.Start), End: position(l.Span.End)}}
		for _, p := range l.Path {
			var e analyzerapi.PathElement
			switch p.Kind {
			case validate.PathIndex:
				i := int32(p.Index)
				e.Index = &i
			case validate.PathKey:
				e.Key = str(p.Text)
			default:
				e.Value = str(p.Text)
			}
			loc.Path = append(loc.Path, e)
		}
		vf.Locations = append(vf.Locations, loc)
	}
	return vf
}

func position(p validate.Position) analyzerapi.Position {
	return analyzerapi.Position{Line: int32(p.Line), Column: int32(p.Column), Offset: int32(p.Offset)}
}

// defaultPage is the page size of list operations without maxResults.
const defaultPage = 100

// page returns the first index and the size of the page a nextToken and
// maxResults ask for out of n items.
func page(token *string, maxResults *int32, n int) (start, limit int, err error) {
	limit = defaultPage
	if maxResults != nil {
		if *maxResults < 1 {
			return 0, 0, invalid("maxResults", "Value '"+strconv.Itoa(int(*maxResults))+"' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
		}
		limit = int(*maxResults)
	}
	if token == nil {
		return 0, limit, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*token)
	if err == nil {
		start, err = strconv.Atoi(string(b))
	}
	if err != nil || start < 0 || start > n {
		return 0, 0, invalid("nextToken", "Invalid pagination token.")
	}
	return start, limit, nil
}

// nextToken returns the token of the page starting at end, or nil after the
// last page.
func nextToken(end, n int) *string {
	if end >= n {
		return nil
	}
	return str(base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
}
