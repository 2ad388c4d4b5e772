package organizations

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Trusted access (EnableAWSServiceAccess and the rest) and delegated
// administrators (RegisterDelegatedAdministrator and the rest), per the
// Organizations API reference and the User Guide's "Using AWS Organizations
// with other AWS services"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html).

func (s *Service) serviceAccessOps() []operation.Op {
	return []operation.Op{
		withPrincipalKey(op(s, "EnableAWSServiceAccess", nil, s.enableServiceAccess),
			func(in *orgapi.EnableAWSServiceAccessRequest) string { return in.ServicePrincipal }),
		withPrincipalKey(op(s, "DisableAWSServiceAccess", nil, s.disableServiceAccess),
			func(in *orgapi.DisableAWSServiceAccessRequest) string { return in.ServicePrincipal }),
		op(s, "ListAWSServiceAccessForOrganization", nil, s.listServiceAccess),
	}
}

func (s *Service) delegatedAdminOps() []operation.Op {
	return []operation.Op{
		withPrincipalKey(op(s, "RegisterDelegatedAdministrator", targetOf(s, func(in *orgapi.RegisterDelegatedAdministratorRequest) string { return in.AccountId }), s.registerDelegatedAdmin),
			func(in *orgapi.RegisterDelegatedAdministratorRequest) string { return in.ServicePrincipal }),
		withPrincipalKey(op(s, "DeregisterDelegatedAdministrator", targetOf(s, func(in *orgapi.DeregisterDelegatedAdministratorRequest) string { return in.AccountId }), s.deregisterDelegatedAdmin),
			func(in *orgapi.DeregisterDelegatedAdministratorRequest) string { return in.ServicePrincipal }),
		op(s, "ListDelegatedAdministrators", nil, s.listDelegatedAdmins),
		op(s, "ListDelegatedServicesForAccount", targetOf(s, func(in *orgapi.ListDelegatedServicesForAccountRequest) string { return in.AccountId }), s.listDelegatedServices),
	}
}

// withPrincipalKey adds the organizations:ServicePrincipal condition key,
// which the Service Authorization Reference gives these actions, to an
// operation's authorization.
func withPrincipalKey[I any](o operation.Op, principal func(I) string) operation.Op {
	authz := o.Authz
	o.Authz = func(ctx context.Context, c *identity.Caller, in any) (operation.Authz, error) {
		az, err := authz(ctx, c, in)
		if err != nil {
			return az, err
		}
		az.Context = map[string][]string{"organizations:ServicePrincipal": {principal(in.(I))}}
		return az, nil
	}
	return o
}

// updateManaged runs fn in a write transaction on the organization whose
// management account the caller's is.
func (s *Service) updateManaged(ctx context.Context, c *identity.Caller, fn func(tx store.Tx, o orgRecord) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		o, err := managementOnly(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		return fn(tx, o)
	})
}

// allFeatures refuses an organization with consolidated billing only:
// trusted access needs all features (User Guide, "Enabling all features in
// your organization").
func allFeatures(o orgRecord) error {
	if o.FeatureSet != "ALL" {
		return constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "You attempted to perform an operation that requires the organization to be configured to support all features. An organization that supports only consolidated billing features can't perform this operation.")
	}
	return nil
}

// enableServiceAccess enables trusted access. Enabling a service that is
// already enabled succeeds and keeps the date it was first enabled.
func (s *Service) enableServiceAccess(ctx context.Context, c *identity.Caller, in *orgapi.EnableAWSServiceAccessRequest) (*emptyOutput, error) {
	if _, err := lookupService(in.ServicePrincipal); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return done(s.updateManaged(ctx, c, func(tx store.Tx, o orgRecord) error {
		if err := allFeatures(o); err != nil {
			return err
		}
		key := serviceAccessKey(o.ID, in.ServicePrincipal)
		if _, err := tx.Get(ctx, kindOrgServiceAccess, "", key); err == nil {
			return nil
		} else if !isNotFound(err) {
			return err
		}
		return store.CreateJSON(ctx, tx, kindOrgServiceAccess, "", key, serviceAccessRecord{Principal: in.ServicePrincipal, Enabled: now})
	}))
}

// disableServiceAccess disables trusted access; a service without it is
// left as it is.
func (s *Service) disableServiceAccess(ctx context.Context, c *identity.Caller, in *orgapi.DisableAWSServiceAccessRequest) (*emptyOutput, error) {
	if _, err := lookupService(in.ServicePrincipal); err != nil {
		return nil, err
	}
	return done(s.updateManaged(ctx, c, func(tx store.Tx, o orgRecord) error {
		if err := tx.Delete(ctx, kindOrgServiceAccess, "", serviceAccessKey(o.ID, in.ServicePrincipal)); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	}))
}

// servicesEnabled lists the services with trusted access, in the order
// they were enabled.
func servicesEnabled(ctx context.Context, tx store.ReadTx, org string) ([]serviceAccessRecord, error) {
	rs, err := store.ListValues[serviceAccessRecord](ctx, tx, store.ListOptions{Kind: kindOrgServiceAccess, Prefix: org + "/"})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rs, func(a, b serviceAccessRecord) int {
		if c := a.Enabled.Compare(b.Enabled); c != 0 {
			return c
		}
		return strings.Compare(a.Principal, b.Principal)
	})
	return rs, nil
}

func (s *Service) listServiceAccess(ctx context.Context, c *identity.Caller, in *orgapi.ListAWSServiceAccessForOrganizationRequest) (*orgapi.ListAWSServiceAccessForOrganizationResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.EnabledServicePrincipal, error) {
		rs, err := servicesEnabled(ctx, tx, o.ID)
		if err != nil {
			return nil, err
		}
		all := make([]orgapi.EnabledServicePrincipal, 0, len(rs))
		for _, r := range rs {
			all = append(all, orgapi.EnabledServicePrincipal{ServicePrincipal: str(r.Principal), DateEnabled: tm(r.Enabled)})
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListAWSServiceAccessForOrganizationResponse{EnabledServicePrincipals: out, NextToken: next}, nil
}

// delegations lists the organization's delegated administrators, those of
// account when it is set, in the order they were registered.
func delegations(ctx context.Context, tx store.ReadTx, org, account string) ([]delegationRecord, error) {
	prefix := org + "/"
	if account != "" {
		prefix += account + "/"
	}
	rs, err := store.ListValues[delegationRecord](ctx, tx, store.ListOptions{Kind: kindOrgDelegatedAdmin, Prefix: prefix})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rs, func(a, b delegationRecord) int {
		if c := a.Enabled.Compare(b.Enabled); c != 0 {
			return c
		}
		if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
			return c
		}
		return strings.Compare(a.Principal, b.Principal)
	})
	return rs, nil
}

func notRegistered() error {
	return orgErr("AccountNotRegisteredException", "The specified account is not a delegated administrator for this Amazon Web Services service.")
}

// registerDelegatedAdmin registers a member account as a delegated
// administrator, after the checks AWS makes: the service supports it and has
// trusted access (SERVICE_ACCESS_NOT_ENABLED), the account is an active
// member that is not the management account, it is not registered yet, and
// the service's limit is not reached.
func (s *Service) registerDelegatedAdmin(ctx context.Context, c *identity.Caller, in *orgapi.RegisterDelegatedAdministratorRequest) (*emptyOutput, error) {
	svc, err := lookupService(in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	if !svc.Delegation {
		// The service does not take delegated administrators ("Supports
		// Delegated Administrator": No).
		return nil, invalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return done(s.updateManaged(ctx, c, func(tx store.Tx, o orgRecord) error {
		m, err := member(ctx, tx, o, in.AccountId)
		if err != nil {
			return err
		}
		switch {
		case m.AccountID == o.MasterAccountID:
			// The message AWS returns (aws-samples/iam-identity-center-team
			// issue 355).
			return constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You cannot register management account/yourself as delegated administrator for your organization.")
		case m.Status != "ACTIVE":
			return constraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR", "You cannot register a suspended account as a delegated administrator.")
		}
		if _, err := tx.Get(ctx, kindOrgServiceAccess, "", serviceAccessKey(o.ID, in.ServicePrincipal)); isNotFound(err) {
			return constraint("SERVICE_ACCESS_NOT_ENABLED", "You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.")
		} else if err != nil {
			return err
		}
		all, err := delegations(ctx, tx, o.ID, "")
		if err != nil {
			return err
		}
		n := 0
		for _, d := range all {
			if d.Principal != in.ServicePrincipal {
				continue
			}
			if d.AccountID == m.AccountID {
				// AWS's message (pepperize/cdk-organizations issue 716).
				return orgErr("AccountAlreadyRegisteredException", "The provided account is already a delegated administrator for your organization.")
			}
			n++
		}
		if n >= svc.maxAdmins() {
			if svc.maxAdmins() == 1 {
				return constraint("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE", "You attempted to register an Amazon Web Services account as a delegated administrator for an Amazon Web Services service that already has a delegated administrator. To complete this operation, you must first deregister any existing delegated administrators for this service.")
			}
			return constraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED", "You attempted to register more delegated administrators than allowed for the service principal.")
		}
		return store.CreateJSON(ctx, tx, kindOrgDelegatedAdmin, "", delegationKey(o.ID, m.AccountID, in.ServicePrincipal),
			delegationRecord{AccountID: m.AccountID, Principal: in.ServicePrincipal, Enabled: now})
	}))
}

func (s *Service) deregisterDelegatedAdmin(ctx context.Context, c *identity.Caller, in *orgapi.DeregisterDelegatedAdministratorRequest) (*emptyOutput, error) {
	if _, err := lookupService(in.ServicePrincipal); err != nil {
		return nil, err
	}
	return done(s.updateManaged(ctx, c, func(tx store.Tx, o orgRecord) error {
		m, err := member(ctx, tx, o, in.AccountId)
		if err != nil {
			return err
		}
		err = tx.Delete(ctx, kindOrgDelegatedAdmin, "", delegationKey(o.ID, m.AccountID, in.ServicePrincipal))
		if isNotFound(err) {
			return notRegistered()
		}
		return err
	}))
}

// listDelegatedAdmins lists each delegated administrator account once,
// with the date of its first delegation (of the service given, if one is).
func (s *Service) listDelegatedAdmins(ctx context.Context, c *identity.Caller, in *orgapi.ListDelegatedAdministratorsRequest) (*orgapi.ListDelegatedAdministratorsResponse, error) {
	if in.ServicePrincipal != nil {
		if _, err := lookupService(*in.ServicePrincipal); err != nil {
			return nil, err
		}
	}
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.DelegatedAdministrator, error) {
		ds, err := delegations(ctx, tx, o.ID, "")
		if err != nil {
			return nil, err
		}
		all := []orgapi.DelegatedAdministrator{}
		seen := map[string]bool{}
		for _, d := range ds {
			if seen[d.AccountID] || (in.ServicePrincipal != nil && d.Principal != *in.ServicePrincipal) {
				continue
			}
			seen[d.AccountID] = true
			m, err := member(ctx, tx, o, d.AccountID)
			if err != nil {
				return nil, err
			}
			a := accountOut(m)
			all = append(all, orgapi.DelegatedAdministrator{Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: a.Status, State: a.State,
				JoinedMethod: a.JoinedMethod, JoinedTimestamp: a.JoinedTimestamp, DelegationEnabledDate: tm(d.Enabled)})
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListDelegatedAdministratorsResponse{DelegatedAdministrators: out, NextToken: next}, nil
}

func (s *Service) listDelegatedServices(ctx context.Context, c *identity.Caller, in *orgapi.ListDelegatedServicesForAccountRequest) (*orgapi.ListDelegatedServicesForAccountResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.DelegatedService, error) {
		m, err := member(ctx, tx, o, in.AccountId)
		if err != nil {
			return nil, err
		}
		ds, err := delegations(ctx, tx, o.ID, m.AccountID)
		if err != nil {
			return nil, err
		}
		if len(ds) == 0 {
			return nil, notRegistered()
		}
		all := make([]orgapi.DelegatedService, 0, len(ds))
		for _, d := range ds {
			all = append(all, orgapi.DelegatedService{ServicePrincipal: str(d.Principal), DelegationEnabledDate: tm(d.Enabled)})
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListDelegatedServicesForAccountResponse{DelegatedServices: out, NextToken: next}, nil
}
