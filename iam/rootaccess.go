package iam

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/organizations"
)

// Centralized root access for member accounts (IAM User Guide,
// id_root-user.md "Centrally manage root access for member accounts"; API
// reference of ListOrganizationsFeatures and Enable/Disable
// OrganizationsRootCredentialsManagement and OrganizationsRootSessions).
// The organization must use all features and give IAM trusted access; the
// management account enables the features, the management account and
// IAM's delegated administrator list and disable them. Organizations keeps
// them (organizations.Service.RootAccess); STS's AssumeRoot reads
// RootSessions.

// RootAccessOrg reads and changes an organization's centralized root
// access; implemented by organizations.Service.
type RootAccessOrg interface {
	RootAccess(ctx context.Context, account string) (*organizations.RootAccess, error)
	SetRootAccessFeature(ctx context.Context, account, feature string, enabled bool) (*organizations.RootAccess, error)
}

// rootOp builds one of these operations: its action has no resource type
// (Service Authorization Reference), so it is decided on "*".
func rootOp[I, O any](name string, run func(ctx context.Context, c *identity.Caller, in I) (O, error)) Op {
	return op(name, func(context.Context, *identity.Caller, I) (Authz, error) {
		return Authz{Action: "iam:" + name, Resource: "*"}, nil
	}, run)
}

func (s *Service) rootAccessOps() []Op {
	return []Op{
		rootOp("ListOrganizationsFeatures", func(ctx context.Context, c *identity.Caller, _ *iamapi.ListOrganizationsFeaturesRequest) (*iamapi.ListOrganizationsFeaturesResponse, error) {
			ra, err := s.rootAccess(ctx, c, false)
			if err != nil {
				return nil, err
			}
			return &iamapi.ListOrganizationsFeaturesResponse{OrganizationId: &ra.OrgID, EnabledFeatures: features(ra)}, nil
		}),
		rootOp("EnableOrganizationsRootCredentialsManagement", func(ctx context.Context, c *identity.Caller, _ *iamapi.EnableOrganizationsRootCredentialsManagementRequest) (*iamapi.EnableOrganizationsRootCredentialsManagementResponse, error) {
			id, fs, err := s.setRootFeature(ctx, c, organizations.FeatureRootCredentialsManagement, true)
			return &iamapi.EnableOrganizationsRootCredentialsManagementResponse{OrganizationId: id, EnabledFeatures: fs}, err
		}),
		rootOp("EnableOrganizationsRootSessions", func(ctx context.Context, c *identity.Caller, _ *iamapi.EnableOrganizationsRootSessionsRequest) (*iamapi.EnableOrganizationsRootSessionsResponse, error) {
			id, fs, err := s.setRootFeature(ctx, c, organizations.FeatureRootSessions, true)
			return &iamapi.EnableOrganizationsRootSessionsResponse{OrganizationId: id, EnabledFeatures: fs}, err
		}),
		rootOp("DisableOrganizationsRootCredentialsManagement", func(ctx context.Context, c *identity.Caller, _ *iamapi.DisableOrganizationsRootCredentialsManagementRequest) (*iamapi.DisableOrganizationsRootCredentialsManagementResponse, error) {
			id, fs, err := s.setRootFeature(ctx, c, organizations.FeatureRootCredentialsManagement, false)
			return &iamapi.DisableOrganizationsRootCredentialsManagementResponse{OrganizationId: id, EnabledFeatures: fs}, err
		}),
		rootOp("DisableOrganizationsRootSessions", func(ctx context.Context, c *identity.Caller, _ *iamapi.DisableOrganizationsRootSessionsRequest) (*iamapi.DisableOrganizationsRootSessionsResponse, error) {
			id, fs, err := s.setRootFeature(ctx, c, organizations.FeatureRootSessions, false)
			return &iamapi.DisableOrganizationsRootSessionsResponse{OrganizationId: id, EnabledFeatures: fs}, err
		}),
	}
}

func features(ra *organizations.RootAccess) []iamapi.FeatureType {
	out := make([]iamapi.FeatureType, 0, len(ra.Features))
	for _, f := range ra.Features {
		out = append(out, iamapi.FeatureType(f))
	}
	return out
}

// rootAccess checks the caller may use centralized root access, with the
// model's errors in this order: an organization, all features, IAM's
// trusted access, the management account (only it may enable a feature:
// management) or IAM's delegated administrator.
func (s *Service) rootAccess(ctx context.Context, c *identity.Caller, management bool) (*organizations.RootAccess, error) {
	var ra *organizations.RootAccess
	var err error
	if s.rootOrg != nil {
		if ra, err = s.rootOrg.RootAccess(ctx, c.Account); err != nil {
			return nil, awserr.InternalFailure(err)
		}
	}
	switch {
	case ra == nil:
		return nil, awserr.OrganizationNotFoundException("The request was rejected because no organization is associated with your account.")
	case !ra.AllFeatures:
		return nil, awserr.OrganizationNotInAllFeaturesModeException("The request was rejected because your organization does not have All features enabled.")
	case !ra.TrustedAccess:
		return nil, awserr.ServiceAccessNotEnabledException("The request was rejected because trusted access is not enabled for IAM in Organizations.")
	case management && !ra.Management:
		return nil, awserr.CallerIsNotManagementAccountException("The request was rejected because the account making the request is not the management account for the organization.")
	case !ra.Management && !ra.DelegatedAdmin:
		return nil, awserr.AccountNotManagementOrDelegatedAdministratorException("The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.")
	}
	return ra, nil
}

// setRootFeature enables (management account only) or disables a feature.
func (s *Service) setRootFeature(ctx context.Context, c *identity.Caller, feature string, enabled bool) (*string, []iamapi.FeatureType, error) {
	if _, err := s.rootAccess(ctx, c, enabled); err != nil {
		return nil, nil, err
	}
	ra, err := s.rootOrg.SetRootAccessFeature(ctx, c.Account, feature, enabled)
	if err != nil {
		return nil, nil, awserr.InternalFailure(err)
	}
	return &ra.OrgID, features(ra), nil
}
