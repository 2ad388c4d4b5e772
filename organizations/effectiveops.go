package organizations

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// DescribeEffectivePolicy and the effective policies' validation listings.
// They concern management policies only (the EffectivePolicyType
// enumeration: tag, backup, AI services opt-out, chatbot, declarative
// policies…). A type that is not enabled in the root has no effective
// policy: EffectivePolicyNotFoundException ("If you ran this action on the
// management account, this policy type is not enabled"). Gatehouse's
// validation of an effective policy is its merge (effective.go): a merged
// policy has no validation errors, so no account is listed as having an
// invalid one.

// The Service Authorization Reference decides these actions with
// organizations:PolicyType, DescribeEffectivePolicy and
// ListEffectivePolicyValidationErrors on the account resource.
func (s *Service) effectivePolicyOps() []operation.Op {
	return []operation.Op{
		// Any account of an organization may ask (for itself): no
		// delegation.
		operation.New("DescribeEffectivePolicy", func(ctx context.Context, c *identity.Caller, in *orgapi.DescribeEffectivePolicyRequest) (operation.Authz, error) {
			target := c.Account
			if in.TargetId != nil {
				target = *in.TargetId
			}
			// The organization's ARNs are its management account's; a
			// member asking about itself acts within its own account.
			az := operation.Authz{Action: "organizations:DescribeEffectivePolicy", Resource: "*", ResourceAccount: c.Account,
				Context: map[string][]string{policyTypeKey: {string(in.PolicyType)}}}
			if r := s.resolve(ctx, c, target); r.ARN != "" {
				az.Resource = r.ARN
			}
			return az, nil
		}, func(ctx context.Context, c *identity.Caller, in *orgapi.DescribeEffectivePolicyRequest) (*orgapi.DescribeEffectivePolicyResponse, error) {
			return s.describeEffectivePolicy(withOperation(ctx, "DescribeEffectivePolicy"), c, in)
		}),
		op(s, "ListAccountsWithInvalidEffectivePolicy", ofType(func(in *orgapi.ListAccountsWithInvalidEffectivePolicyRequest) orgapi.EffectivePolicyType {
			return in.PolicyType
		}), s.listAccountsWithInvalidEffectivePolicy),
		op(s, "ListEffectivePolicyValidationErrors", func(ctx context.Context, c *identity.Caller, in *orgapi.ListEffectivePolicyValidationErrorsRequest) (resource, error) {
			return resource{ARN: s.resolve(ctx, c, in.AccountId).ARN, PolicyType: string(in.PolicyType)}, nil
		}, s.listEffectivePolicyValidationErrors),
	}
}

func effectivePolicyNotFound() error {
	return orgErr("EffectivePolicyNotFoundException", "We can't find an effective policy of the specified type for the specified target.")
}

// accountPath returns the targets from the root down to the account m.
func accountPath(ctx context.Context, tx store.ReadTx, o orgRecord, m memberRecord) ([]string, error) {
	path := []string{m.AccountID}
	for id := m.ParentID; id != "" && id != o.RootID; {
		u, err := store.GetJSON[unitRecord](ctx, tx, kindOrgUnit, "", id)
		if err != nil {
			return nil, err
		}
		path = append(path, u.ID)
		id = u.ParentID
		if len(path) > maxDepth+2 {
			break
		}
	}
	path = append(path, o.RootID)
	slices.Reverse(path)
	return path, nil
}

// effectiveFor merges the policies of type typ along account m's path; nil
// when the type is not enabled or no policy of it applies.
func effectiveFor(ctx context.Context, tx store.ReadTx, o orgRecord, m memberRecord, typ string) (map[string]any, error) {
	root, err := getRoot(ctx, tx, o)
	if err != nil {
		return nil, err
	}
	if !root.typeEnabled(typ) {
		return nil, nil
	}
	path, err := accountPath(ctx, tx, o, m)
	if err != nil {
		return nil, err
	}
	levels := make([][]mgmtPolicy, 0, len(path))
	for _, id := range path {
		atts, err := attachedTo(ctx, tx, o.ID, id)
		if err != nil {
			return nil, err
		}
		var level []mgmtPolicy
		for _, a := range atts {
			if a.PolicyType != typ {
				continue
			}
			p, err := getPolicy(ctx, tx, o.ID, a.PolicyID)
			if err != nil {
				return nil, err
			}
			level = append(level, mgmtPolicy{ID: p.ID, Content: p.Content})
		}
		slices.SortFunc(level, func(a, b mgmtPolicy) int { return strings.Compare(a.ID, b.ID) })
		levels = append(levels, level)
	}
	return mergeEffective(levels)
}

// describeEffectivePolicy may be called from any account of an
// organization for itself; only the management account names another
// account (TargetId). Roots and OUs are not supported targets.
func (s *Service) describeEffectivePolicy(ctx context.Context, c *identity.Caller, in *orgapi.DescribeEffectivePolicyRequest) (*orgapi.DescribeEffectivePolicyResponse, error) {
	var content map[string]any
	target := c.Account
	err := s.view(ctx, func(tx store.ReadTx) error {
		o, self, err := orgOf(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		m := self
		if in.TargetId != nil && *in.TargetId != c.Account {
			id := *in.TargetId
			if strings.HasPrefix(id, "r-") || strings.HasPrefix(id, "ou-") {
				return invalidInput("TARGET_NOT_SUPPORTED", "You can't perform the specified operation on that target entity.")
			}
			if o.MasterAccountID != c.Account {
				return accessDenied()
			}
			if m, err = member(ctx, tx, o, id); err != nil {
				if _, ok := isAWS(err); ok {
					return targetNotFound()
				}
				return err
			}
			target = id
		}
		content, err = effectiveFor(ctx, tx, o, m, string(in.PolicyType))
		return err
	})
	if err != nil {
		return nil, err
	}
	if content == nil {
		return nil, effectivePolicyNotFound()
	}
	b, err := json.Marshal(content)
	if err != nil {
		return nil, serviceErr(err)
	}
	typ := in.PolicyType
	return &orgapi.DescribeEffectivePolicyResponse{EffectivePolicy: &orgapi.EffectivePolicy{
		PolicyContent: str(string(b)), LastUpdatedTimestamp: tm(s.now().UTC().Truncate(time.Millisecond)), TargetId: str(target), PolicyType: &typ,
	}}, nil
}

// typeEnabledIn returns EffectivePolicyNotFoundException when typ is not
// enabled in the organization's root.
func typeEnabledIn(ctx context.Context, tx store.ReadTx, o orgRecord, typ string) error {
	root, err := getRoot(ctx, tx, o)
	if err != nil {
		return err
	}
	if !root.typeEnabled(typ) {
		return effectivePolicyNotFound()
	}
	return nil
}

func (s *Service) listAccountsWithInvalidEffectivePolicy(ctx context.Context, c *identity.Caller, in *orgapi.ListAccountsWithInvalidEffectivePolicyRequest) (*orgapi.ListAccountsWithInvalidEffectivePolicyResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.Account, error) {
		if err := typeEnabledIn(ctx, tx, o, string(in.PolicyType)); err != nil {
			return nil, err
		}
		return nil, nil // every merged effective policy is valid
	})
	if err != nil {
		return nil, err
	}
	typ := in.PolicyType
	return &orgapi.ListAccountsWithInvalidEffectivePolicyResponse{Accounts: out, PolicyType: &typ, NextToken: next}, nil
}

func (s *Service) listEffectivePolicyValidationErrors(ctx context.Context, c *identity.Caller, in *orgapi.ListEffectivePolicyValidationErrorsRequest) (*orgapi.ListEffectivePolicyValidationErrorsResponse, error) {
	var path string
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.EffectivePolicyValidationError, error) {
		m, err := member(ctx, tx, o, in.AccountId)
		if err != nil {
			return nil, err
		}
		if err := typeEnabledIn(ctx, tx, o, string(in.PolicyType)); err != nil {
			return nil, err
		}
		ids, err := accountPath(ctx, tx, o, m)
		if err != nil {
			return nil, err
		}
		path = o.ID + "/" + strings.Join(ids, "/") + "/"
		return nil, nil // every merged effective policy is valid
	})
	if err != nil {
		return nil, err
	}
	typ := in.PolicyType
	return &orgapi.ListEffectivePolicyValidationErrorsResponse{AccountId: str(in.AccountId), PolicyType: &typ, Path: str(path),
		EvaluationTimestamp: tm(s.now().UTC().Truncate(time.Millisecond)), EffectivePolicyValidationErrors: out, NextToken: next}, nil
}
