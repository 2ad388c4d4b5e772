package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// accountOps returns the account-level operations: the account alias, the
// account summary and the authorization details snapshot.
func (s *Service) accountOps() []Op {
	// None of these actions has a resource type in the service authorization
	// reference, so their resource is "*".
	star := func(action string) Authz { return Authz{Action: action, Resource: "*"} }
	return []Op{
		op("CreateAccountAlias", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateAccountAliasRequest) (Authz, error) {
			return star("iam:CreateAccountAlias"), nil
		}, s.createAccountAlias),
		op("DeleteAccountAlias", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteAccountAliasRequest) (Authz, error) {
			return star("iam:DeleteAccountAlias"), nil
		}, s.deleteAccountAlias),
		op("ListAccountAliases", func(ctx context.Context, c *identity.Caller, in *iamapi.ListAccountAliasesRequest) (Authz, error) {
			return star("iam:ListAccountAliases"), nil
		}, s.listAccountAliases),
		op("GetAccountSummary", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return star("iam:GetAccountSummary"), nil
		}, s.getAccountSummary),
		op("GetAccountAuthorizationDetails", func(ctx context.Context, c *identity.Caller, in *iamapi.GetAccountAuthorizationDetailsRequest) (Authz, error) {
			return star("iam:GetAccountAuthorizationDetails"), nil
		}, s.getAccountAuthorizationDetails),
	}
}

// getAccount reads the caller's account record.
func getAccount(ctx context.Context, tx store.ReadTx, id string) (store.Account, error) {
	return store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", id)
}

// createAccountAlias sets the account's alias. An account has at most one alias
// and a new one replaces it; aliases are unique across all accounts.
func (s *Service) createAccountAlias(ctx context.Context, c *identity.Caller, in *iamapi.CreateAccountAliasRequest) (*noOutput, error) {
	alias := in.AccountAlias
	// The model's pattern admits digits only; the IAM User Guide adds that an
	// alias "cannot be a 12-digit number" (reference_iam-quotas.md).
	if store.IsAccountID(alias) {
		return nil, awserr.ValidationError("The account alias %s is not valid: an alias cannot be a 12-digit number.", alias)
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		acct, err := getAccount(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		holder, err := store.GetJSON[store.AccountAlias](ctx, tx, store.KindAccountAlias, "", alias)
		switch {
		case err == nil && holder.AccountID == c.Account:
			return nil // already this account's alias
		case err == nil:
			return awserr.EntityAlreadyExists("The account alias %s already exists.", alias)
		case !isNotFound(err):
			return err
		}
		for _, old := range acct.Aliases {
			if err := tx.Delete(ctx, store.KindAccountAlias, "", old); err != nil && !isNotFound(err) {
				return err
			}
		}
		if err := store.CreateJSON(ctx, tx, store.KindAccountAlias, "", alias, store.AccountAlias{Alias: alias, AccountID: c.Account}); err != nil {
			if isExists(err) {
				return awserr.EntityAlreadyExists("The account alias %s already exists.", alias)
			}
			return err
		}
		acct.Aliases = []string{alias}
		return store.PutJSON(ctx, tx, store.KindAccount, "", acct.ID, acct)
	}))
}

func (s *Service) deleteAccountAlias(ctx context.Context, c *identity.Caller, in *iamapi.DeleteAccountAliasRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		acct, err := getAccount(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		i := slices.Index(acct.Aliases, in.AccountAlias)
		if i < 0 {
			return awserr.NoSuchEntity("The account alias %s cannot be found.", in.AccountAlias)
		}
		if err := tx.Delete(ctx, store.KindAccountAlias, "", in.AccountAlias); err != nil && !isNotFound(err) {
			return err
		}
		acct.Aliases = slices.Delete(acct.Aliases, i, i+1)
		return store.PutJSON(ctx, tx, store.KindAccount, "", acct.ID, acct)
	}))
}

func (s *Service) listAccountAliases(ctx context.Context, c *identity.Caller, in *iamapi.ListAccountAliasesRequest) (*iamapi.ListAccountAliasesResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	var aliases []string
	err = s.view(ctx, func(tx store.ReadTx) error {
		acct, err := getAccount(ctx, tx, c.Account)
		aliases = acct.Aliases
		return err
	})
	if err != nil {
		return nil, err
	}
	aliases = slices.Sorted(slices.Values(aliases))
	items, truncated, marker := pageStrings(aliases, p)
	out := &iamapi.ListAccountAliasesResponse{AccountAliases: items}
	out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
	return out, nil
}

// pageStrings cuts one page out of sorted keys, with pageOf's marker: the last
// key of the previous page.
func pageStrings(keys []string, p page) (items []string, truncated bool, marker *string) {
	items = []string{}
	for _, k := range keys {
		if p.after != "" && k <= p.after {
			continue
		}
		if len(items) == p.limit {
			m := encodeMarker(items[len(items)-1])
			return items, true, &m
		}
		items = append(items, k)
	}
	return items, false, nil
}

// Quotas GetAccountSummary reports: AWS's defaults, from the IAM User Guide
// (reference_iam-quotas.md) and the values AWS's GetAccountSummary returns for
// an account without quota increases.
var summaryQuotas = map[iamapi.SummaryKeyType]int32{
	iamapi.SummaryKeyTypeUsersQuota:                      maxUsers,
	iamapi.SummaryKeyTypeGroupsQuota:                     300,
	iamapi.SummaryKeyTypeRolesQuota:                      1000,
	iamapi.SummaryKeyTypePoliciesQuota:                   1500,
	iamapi.SummaryKeyTypeInstanceProfilesQuota:           1000,
	iamapi.SummaryKeyTypeServerCertificatesQuota:         20,
	iamapi.SummaryKeyTypeAccessKeysPerUserQuota:          2,
	iamapi.SummaryKeyTypeSigningCertificatesPerUserQuota: 2,
	iamapi.SummaryKeyTypeGroupsPerUserQuota:              10,
	iamapi.SummaryKeyTypeAttachedPoliciesPerUserQuota:    10,
	iamapi.SummaryKeyTypeAttachedPoliciesPerGroupQuota:   10,
	iamapi.SummaryKeyTypeAttachedPoliciesPerRoleQuota:    10,
	iamapi.SummaryKeyTypeVersionsPerPolicyQuota:          5,
	iamapi.SummaryKeyTypePolicySizeQuota:                 6144,
	iamapi.SummaryKeyTypeUserPolicySizeQuota:             2048,
	iamapi.SummaryKeyTypeGroupPolicySizeQuota:            5120,
	iamapi.SummaryKeyTypeRolePolicySizeQuota:             10240,
	iamapi.SummaryKeyTypeAssumeRolePolicySizeQuota:       2048,
	iamapi.SummaryKeyTypePolicyVersionsInUseQuota:        10000,
}

// rootMFASerial is the serial number AWS gives the root user's virtual MFA device.
func rootMFASerial(account string) string { return iamARN(account, "mfa/root-account-mfa-device") }

func (s *Service) getAccountSummary(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*iamapi.GetAccountSummaryResponse, error) {
	m := map[iamapi.SummaryKeyType]int32{}
	for k, v := range summaryQuotas {
		m[k] = v
	}
	err := s.view(ctx, func(tx store.ReadTx) error {
		counts := []struct {
			key    iamapi.SummaryKeyType
			kind   store.Kind
			prefix string
		}{
			{iamapi.SummaryKeyTypeUsers, store.KindUser, ""},
			{iamapi.SummaryKeyTypeGroups, store.KindGroup, ""},
			{iamapi.SummaryKeyTypeRoles, store.KindRole, ""},
			{iamapi.SummaryKeyTypePolicies, store.KindPolicy, ""},
			{iamapi.SummaryKeyTypeInstanceProfiles, store.KindInstanceProfile, ""},
			// Every attachment of a managed policy to a user, group or role
			// puts that policy's default version in use.
			{iamapi.SummaryKeyTypePolicyVersionsInUse, store.KindAttachment, ""},
			{iamapi.SummaryKeyTypeMFADevices, store.KindMFADevice, ""},
			{iamapi.SummaryKeyTypeProviders, store.KindOIDCProvider, ""},
			{iamapi.SummaryKeyTypeProviders, store.KindSAMLProvider, ""},
			{iamapi.SummaryKeyTypeServerCertificates, store.KindServerCertificate, ""},
			// The root user's access keys and signing certificates are
			// listed under the empty user name.
			{iamapi.SummaryKeyTypeAccountAccessKeysPresent, store.KindUserAccessKey, store.UserAccessKeyPrefix("")},
			{iamapi.SummaryKeyTypeAccountSigningCertificatesPresent, store.KindSigningCertificate, store.UserCredentialPrefix("")},
		}
		for _, ct := range counts {
			n, err := tx.Count(ctx, ct.kind, c.Account, ct.prefix)
			if err != nil {
				return err
			}
			m[ct.key] += int32(n)
		}
		for _, present := range []iamapi.SummaryKeyType{iamapi.SummaryKeyTypeAccountAccessKeysPresent, iamapi.SummaryKeyTypeAccountSigningCertificatesPresent} {
			if m[present] > 0 {
				m[present] = 1
			}
		}
		mfas, err := store.ListValues[store.MFADevice](ctx, tx, store.ListOptions{Kind: store.KindMFADevice, Account: c.Account})
		if err != nil {
			return err
		}
		inUse, rootMFA := 0, 0
		for _, d := range mfas {
			if d.UserName != "" || (d.SerialNumber == rootMFASerial(c.Account) && !d.EnableDate.IsZero()) {
				inUse++
			}
			if d.SerialNumber == rootMFASerial(c.Account) && !d.EnableDate.IsZero() {
				rootMFA = 1
			}
		}
		m[iamapi.SummaryKeyTypeMFADevicesInUse] = int32(inUse)
		m[iamapi.SummaryKeyTypeAccountMFAEnabled] = int32(rootMFA)
		// Gatehouse keeps no root password in this store: AWS reports 0.
		m[iamapi.SummaryKeyTypeAccountPasswordPresent] = 0
		m[iamapi.SummaryKeyTypeGlobalEndpointTokenVersion], err = globalEndpointTokenVersion(ctx, tx, c.Account)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetAccountSummaryResponse{SummaryMap: m}, nil
}

// Entity kinds of GetAccountAuthorizationDetails, in the order of its combined
// listing: each entry's marker key is the kind's digit, "/", and its store key.
const (
	detailUser       = "1/"
	detailGroup      = "2/"
	detailRole       = "3/"
	detailLocal      = "4/"
	detailAWSManaged = "5/"
)

// detailEntry is one entity of the combined listing, loaded in full only when it
// falls on the requested page.
type detailEntry struct {
	key  string
	load func() error
}

// getAccountAuthorizationDetails lists users, groups, roles and managed policies
// (customer managed ones, and the AWS managed ones attached to something in the
// account) with their policies, paginated over the combined list.
func (s *Service) getAccountAuthorizationDetails(ctx context.Context, c *identity.Caller, in *iamapi.GetAccountAuthorizationDetailsRequest) (*iamapi.GetAccountAuthorizationDetailsResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	want := func(t iamapi.EntityType) bool { return len(in.Filter) == 0 || slices.Contains(in.Filter, t) }
	out := &iamapi.GetAccountAuthorizationDetailsResponse{
		UserDetailList: []iamapi.UserDetail{}, GroupDetailList: []iamapi.GroupDetail{},
		RoleDetailList: []iamapi.RoleDetail{}, Policies: []iamapi.ManagedPolicyDetail{},
	}
	acct := c.Account
	err = s.view(ctx, func(tx store.ReadTx) error {
		var entries []detailEntry
		if want(iamapi.EntityTypeUser) {
			users, err := store.ListJSON[store.User](ctx, tx, store.ListOptions{Kind: store.KindUser, Account: acct})
			if err != nil {
				return err
			}
			for _, e := range users {
				u := e.Value
				entries = append(entries, detailEntry{detailUser + e.Key, func() error {
					d, err := detailUserOf(ctx, tx, acct, u)
					out.UserDetailList = append(out.UserDetailList, d)
					return err
				}})
			}
		}
		if want(iamapi.EntityTypeGroup) {
			groups, err := store.ListJSON[store.Group](ctx, tx, store.ListOptions{Kind: store.KindGroup, Account: acct})
			if err != nil {
				return err
			}
			for _, e := range groups {
				g := e.Value
				entries = append(entries, detailEntry{detailGroup + e.Key, func() error {
					d := iamapi.GroupDetail{Path: str(g.Path), GroupName: str(g.Name), GroupId: str(g.ID), Arn: str(g.ARN), CreateDate: ptr(g.CreateDate)}
					var err error
					if d.GroupPolicyList, err = detailInline(ctx, tx, acct, store.EntityGroup, g.Name); err != nil {
						return err
					}
					d.AttachedManagedPolicies, err = detailAttached(ctx, tx, acct, store.EntityGroup, g.Name)
					out.GroupDetailList = append(out.GroupDetailList, d)
					return err
				}})
			}
		}
		if want(iamapi.EntityTypeRole) {
			roles, err := store.ListJSON[store.Role](ctx, tx, store.ListOptions{Kind: store.KindRole, Account: acct})
			if err != nil {
				return err
			}
			var profiles map[string][]store.InstanceProfile // by folded role name, read once
			for _, e := range roles {
				r := e.Value
				entries = append(entries, detailEntry{detailRole + e.Key, func() error {
					if profiles == nil {
						var err error
						if profiles, err = detailProfilesByRole(ctx, tx, acct); err != nil {
							return err
						}
					}
					d, err := detailRoleOf(ctx, tx, acct, r, profiles[store.RoleKey(r.Name)])
					out.RoleDetailList = append(out.RoleDetailList, d)
					return err
				}})
			}
		}
		if want(iamapi.EntityTypeLocalManagedPolicy) {
			pols, err := store.ListJSON[store.ManagedPolicy](ctx, tx, store.ListOptions{Kind: store.KindPolicy, Account: acct})
			if err != nil {
				return err
			}
			for _, e := range pols {
				mp := e.Value
				entries = append(entries, detailEntry{detailLocal + e.Key, func() error {
					vs, err := store.ListValues[store.PolicyVersion](ctx, tx, store.ListOptions{Kind: store.KindPolicyVersion, Account: acct, Prefix: store.PolicyVersionPrefix(mp.Name)})
					if err != nil {
						return err
					}
					out.Policies = append(out.Policies, detailPolicy(mp, mp.AttachmentCount, vs))
					return nil
				}})
			}
		}
		if want(iamapi.EntityTypeAWSManagedPolicy) {
			// AWS managed policies appear only when attached in the account.
			atts, err := store.ListJSON[store.Attachment](ctx, tx, store.ListOptions{Kind: store.KindPolicyAttachment, Account: acct, Prefix: store.AWSAccount + store.Sep})
			if err != nil {
				return err
			}
			counts := map[string]int{}
			var order []string
			for _, e := range atts {
				if counts[e.Value.PolicyARN] == 0 {
					order = append(order, e.Value.PolicyARN)
				}
				counts[e.Value.PolicyARN]++
			}
			for _, arn := range order {
				mp, ok := s.managed.Policy(arn)
				if !ok {
					continue
				}
				_, name, _ := splitPolicyARN(arn)
				entries = append(entries, detailEntry{detailAWSManaged + store.PolicyKey(name), func() error {
					doc, _ := s.managed.Document(arn)
					v := store.PolicyVersion{PolicyARN: arn, VersionID: mp.DefaultVersionID, Document: doc, IsDefault: true, CreateDate: mp.UpdateDate}
					out.Policies = append(out.Policies, detailPolicy(mp, counts[arn], []store.PolicyVersion{v}))
					return nil
				}})
			}
			slices.SortFunc(entries, func(a, b detailEntry) int { return strings.Compare(a.key, b.key) })
		}
		n, last := 0, ""
		for _, e := range entries {
			if p.after != "" && e.key <= p.after {
				continue
			}
			if n == p.limit {
				m := encodeMarker(last)
				out.IsTruncated, out.Marker = truncatedOut(true, &m)
				return nil
			}
			if err := e.load(); err != nil {
				return err
			}
			n, last = n+1, e.key
		}
		out.IsTruncated, out.Marker = truncatedOut(false, nil)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// detailUserOf builds a user's UserDetail.
func detailUserOf(ctx context.Context, tx store.ReadTx, acct string, u store.User) (iamapi.UserDetail, error) {
	d := iamapi.UserDetail{Path: str(u.Path), UserName: str(u.Name), UserId: str(u.ID), Arn: str(u.ARN), CreateDate: ptr(u.CreateDate), Tags: tagsOut(u.Tags)}
	if u.PermissionsBoundaryARN != "" {
		d.PermissionsBoundary = detailBoundary(u.PermissionsBoundaryARN)
	}
	var err error
	if d.UserPolicyList, err = detailInline(ctx, tx, acct, store.EntityUser, u.Name); err != nil {
		return d, err
	}
	if d.AttachedManagedPolicies, err = detailAttached(ctx, tx, acct, store.EntityUser, u.Name); err != nil {
		return d, err
	}
	ms, err := memberships.listTo(ctx, tx, acct, u.Name)
	d.GroupList = []string{}
	for _, m := range ms {
		d.GroupList = append(d.GroupList, m.GroupName)
	}
	return d, err
}

// detailRoleOf builds a role's RoleDetail; profiles are the instance profiles
// holding the role.
func detailRoleOf(ctx context.Context, tx store.ReadTx, acct string, r store.Role, profiles []store.InstanceProfile) (iamapi.RoleDetail, error) {
	d := iamapi.RoleDetail{
		Path: str(r.Path), RoleName: str(r.Name), RoleId: str(r.ID), Arn: str(r.ARN), CreateDate: ptr(r.CreateDate),
		AssumeRolePolicyDocument: str(encodeDocument(r.AssumeRolePolicyDocument)), Tags: tagsOut(r.Tags),
		RoleLastUsed: detailLastUsed(r.RoleLastUsed), InstanceProfileList: []iamapi.InstanceProfile{},
	}
	if r.PermissionsBoundaryARN != "" {
		d.PermissionsBoundary = detailBoundary(r.PermissionsBoundaryARN)
	}
	var err error
	if d.RolePolicyList, err = detailInline(ctx, tx, acct, store.EntityRole, r.Name); err != nil {
		return d, err
	}
	if d.AttachedManagedPolicies, err = detailAttached(ctx, tx, acct, store.EntityRole, r.Name); err != nil {
		return d, err
	}
	for _, ip := range profiles {
		p := iamapi.InstanceProfile{Path: ip.Path, InstanceProfileName: ip.Name, InstanceProfileId: ip.ID, Arn: ip.ARN, CreateDate: ip.CreateDate, Roles: []iamapi.Role{}, Tags: tagsOut(ip.Tags)}
		for _, name := range ip.Roles {
			member, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, acct, store.RoleKey(name))
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return d, err
			}
			p.Roles = append(p.Roles, iamapi.Role{
				Path: member.Path, RoleName: member.Name, RoleId: member.ID, Arn: member.ARN, CreateDate: member.CreateDate,
				AssumeRolePolicyDocument: str(encodeDocument(member.AssumeRolePolicyDocument)),
			})
		}
		d.InstanceProfileList = append(d.InstanceProfileList, p)
	}
	return d, nil
}

// detailProfilesByRole indexes the account's instance profiles by the folded
// names of their roles.
func detailProfilesByRole(ctx context.Context, tx store.ReadTx, acct string) (map[string][]store.InstanceProfile, error) {
	ips, err := store.ListValues[store.InstanceProfile](ctx, tx, store.ListOptions{Kind: store.KindInstanceProfile, Account: acct})
	if err != nil {
		return nil, err
	}
	m := map[string][]store.InstanceProfile{}
	for _, ip := range ips {
		for _, r := range ip.Roles {
			m[store.RoleKey(r)] = append(m[store.RoleKey(r)], ip)
		}
	}
	return m, nil
}

// detailInline lists an entity's inline policies with their URL-encoded documents.
func detailInline(ctx context.Context, tx store.ReadTx, acct string, kind store.EntityKind, name string) ([]iamapi.PolicyDetail, error) {
	ips, err := store.ListValues[store.InlinePolicy](ctx, tx, store.ListOptions{Kind: store.KindInlinePolicy, Account: acct, Prefix: store.InlinePolicyPrefix(kind, name)})
	out := []iamapi.PolicyDetail{}
	for _, ip := range ips {
		out = append(out, iamapi.PolicyDetail{PolicyName: str(ip.PolicyName), PolicyDocument: str(encodeDocument(ip.Document))})
	}
	return out, err
}

// detailAttached lists the managed policies attached to an entity.
func detailAttached(ctx context.Context, tx store.ReadTx, acct string, kind store.EntityKind, name string) ([]iamapi.AttachedPolicy, error) {
	atts, err := attachments.listFrom(ctx, tx, acct, principal{kind, name})
	out := []iamapi.AttachedPolicy{}
	for _, a := range atts {
		_, pname, _ := splitPolicyARN(a.PolicyARN)
		out = append(out, iamapi.AttachedPolicy{PolicyName: str(pname), PolicyArn: str(a.PolicyARN)})
	}
	return out, err
}

// detailBoundary describes a permissions boundary. AWS reports the type as
// "Policy" on the wire, not the model enumeration's "PermissionsBoundaryPolicy"
// (the acceptance scenario seed-04 checks the AWS value).
func detailBoundary(arn string) *iamapi.AttachedPermissionsBoundary {
	return &iamapi.AttachedPermissionsBoundary{
		PermissionsBoundaryType: ptr(iamapi.PermissionsBoundaryAttachmentType("Policy")),
		PermissionsBoundaryArn:  str(arn),
	}
}

// detailLastUsed converts RoleLastUsed; AWS returns the element, empty, for a
// role never used.
func detailLastUsed(lu store.RoleLastUsed) *iamapi.RoleLastUsed {
	out := &iamapi.RoleLastUsed{}
	if !lu.Date.IsZero() {
		out.LastUsedDate = ptr(lu.Date)
	}
	if lu.Region != "" {
		out.Region = str(lu.Region)
	}
	return out
}

// detailPolicy builds a ManagedPolicyDetail with its versions, documents
// URL-encoded.
func detailPolicy(mp store.ManagedPolicy, attachments int, versions []store.PolicyVersion) iamapi.ManagedPolicyDetail {
	d := iamapi.ManagedPolicyDetail{
		PolicyName: str(mp.Name), PolicyId: str(mp.ID), Arn: str(mp.ARN), Path: str(mp.Path),
		DefaultVersionId: str(mp.DefaultVersionID), AttachmentCount: ptr(int32(attachments)),
		PermissionsBoundaryUsageCount: ptr(int32(mp.PermissionsBoundaryUsageCount)), IsAttachable: ptr(true),
		CreateDate: ptr(mp.CreateDate), UpdateDate: ptr(mp.UpdateDate), PolicyVersionList: []iamapi.PolicyVersion{},
	}
	if mp.Description != "" {
		d.Description = str(mp.Description)
	}
	for _, v := range versions {
		d.PolicyVersionList = append(d.PolicyVersionList, iamapi.PolicyVersion{
			Document: str(encodeDocument(v.Document)), VersionId: str(v.VersionID),
			IsDefaultVersion: ptr(v.IsDefault), CreateDate: ptr(v.CreateDate),
		})
	}
	return d
}
