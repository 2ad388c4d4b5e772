package iam

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Quotas of managed policies (IAM User Guide, reference_iam-quotas.md).
const (
	// maxPolicySize is the size of a managed policy document, in characters
	// without white space.
	maxPolicySize = 6144
	// maxPolicyVersions is the number of versions a managed policy can keep.
	maxPolicyVersions = 5
	// maxCustomerPolicies is the number of customer managed policies in an
	// account.
	maxCustomerPolicies = 1500
)

// awsPolicyPrefix starts the ARN of every AWS managed policy.
const awsPolicyPrefix = "arn:aws:iam::aws:policy/"

// serviceRolePolicyPath is the path of the AWS managed policies reserved for
// service-linked roles, which customers cannot attach.
const serviceRolePolicyPath = "/aws-service-role/"

// policyRef is a parsed managed policy ARN: arn:aws:iam::ACCOUNT:policy/PATH/NAME.
type policyRef struct {
	arn     string
	account string // a 12-digit account, or store.AWSAccount
	path    string // "/" or "/a/b/"
	name    string
}

func (r policyRef) isAWS() bool { return r.account == store.AWSAccount }

// parsePolicyARN parses a managed policy ARN, or fails with AWS's InvalidInput.
func parsePolicyARN(arn string) (policyRef, error) {
	acct, path, name, ok := policyARNParts(arn)
	if !ok || name == "" || (acct != store.AWSAccount && !store.IsAccountID(acct)) {
		return policyRef{}, awserr.InvalidInput("ARN %s is not valid.", arn)
	}
	return policyRef{arn: arn, account: acct, path: path, name: name}, nil
}

// policyARNParts splits arn:aws:iam::ACCOUNT:policy/PATH/NAME into its
// account, path ("/" or "/a/b/") and name, without checking them.
func policyARNParts(s string) (account, path, name string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Partition != arn.Partition || a.Service != "iam" || a.Region != "" {
		return "", "", "", false
	}
	res, ok := strings.CutPrefix(a.Resource, "policy")
	if !ok || !strings.HasPrefix(res, "/") || strings.HasSuffix(res, "/") {
		return "", "", "", false
	}
	i := strings.LastIndexByte(res, '/')
	return a.Account, res[:i+1], res[i+1:], true
}

// splitPolicyARN returns the account and name of arn:aws:iam::ACCOUNT:policy/path/NAME.
func splitPolicyARN(s string) (account, name string, ok bool) {
	account, _, name, ok = policyARNParts(s)
	return account, name, ok
}

// The NoSuchEntity errors of the managed policy operations, in AWS's words.
func policyNotFound(arn string) *awserr.Error {
	return awserr.NoSuchEntity("Policy %s was not found.", arn)
}

func policyNotAttachable(arn string) *awserr.Error {
	return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func policyVersionNotFound(arn, version string) *awserr.Error {
	return awserr.NoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, version)
}

// notOwnPolicyMessage is AWS's AccessDenied message for a change to a policy
// of another account, AWS managed policies included (they are read-only to
// customers). The wording is the one IAM-compatible services reproduce (China
// Telecom's OOS IAM); AWS's own page does not quote it.
const notOwnPolicyMessage = "Policy is outside your own account."

// notOwnPolicy is AWS's answer to a change to a policy of another account.
func notOwnPolicy() *awserr.Error {
	return awserr.AccessDenied(notOwnPolicyMessage)
}

// lookupPolicy reads the managed policy ref names as seen from account: an AWS
// managed policy from the catalogue, or a customer managed policy of account
// (the ARN's path must match). Otherwise it returns missing.
func (s *Service) lookupPolicy(ctx context.Context, tx store.ReadTx, account string, ref policyRef, missing *awserr.Error) (store.ManagedPolicy, error) {
	if ref.isAWS() {
		mp, ok := s.managed.Policy(ref.arn)
		if !ok {
			return mp, missing
		}
		return mp, nil
	}
	if ref.account != account {
		return store.ManagedPolicy{}, missing
	}
	mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, account, store.PolicyKey(ref.name))
	if isNotFound(err) || (err == nil && mp.Path != ref.path) {
		return mp, missing
	}
	return mp, err
}

// ownPolicy reads a customer managed policy of account for action, a change
// to it. An AWS managed policy that exists is refused by Reserved.
func (s *Service) ownPolicy(ctx context.Context, tx store.ReadTx, account, action string, ref policyRef, missing *awserr.Error) (store.ManagedPolicy, error) {
	if ref.isAWS() {
		if _, ok := s.managed.Policy(ref.arn); !ok {
			return store.ManagedPolicy{}, missing
		}
		if err := reservedError(action, ref.arn); err != nil {
			return store.ManagedPolicy{}, err
		}
	}
	if ref.account != account {
		return store.ManagedPolicy{}, notOwnPolicy()
	}
	return s.lookupPolicy(ctx, tx, account, ref, missing)
}

// awsAttachmentCounts counts, per AWS managed policy ARN, the entities of
// account it is attached to.
func awsAttachmentCounts(ctx context.Context, tx store.ReadTx, account string) (map[string]int, error) {
	atts, err := store.ListValues[store.Attachment](ctx, tx, store.ListOptions{Kind: store.KindPolicyAttachment, Account: account, Prefix: store.AWSAccount + store.Sep})
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, a := range atts {
		n[a.PolicyARN]++
	}
	return n, nil
}

// awsBoundaryCounts counts, per AWS managed policy ARN, the users and roles of
// account that use it as their permissions boundary. AWS managed policies are
// shared by every account, so there is no record to keep the count in.
func awsBoundaryCounts(ctx context.Context, tx store.ReadTx, account string) (map[string]int, error) {
	n := map[string]int{}
	users, err := store.ListValues[store.User](ctx, tx, store.ListOptions{Kind: store.KindUser, Account: account})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if strings.HasPrefix(u.PermissionsBoundaryARN, awsPolicyPrefix) {
			n[u.PermissionsBoundaryARN]++
		}
	}
	roles, err := store.ListValues[store.Role](ctx, tx, store.ListOptions{Kind: store.KindRole, Account: account})
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if strings.HasPrefix(r.PermissionsBoundaryARN, awsPolicyPrefix) {
			n[r.PermissionsBoundaryARN]++
		}
	}
	return n, nil
}

// boundaryUsers counts the users and roles of account whose permissions
// boundary is arn.
func boundaryUsers(ctx context.Context, tx store.ReadTx, account, arn string) (int, error) {
	n := 0
	users, err := store.ListValues[store.User](ctx, tx, store.ListOptions{Kind: store.KindUser, Account: account})
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		if strings.EqualFold(u.PermissionsBoundaryARN, arn) {
			n++
		}
	}
	roles, err := store.ListValues[store.Role](ctx, tx, store.ListOptions{Kind: store.KindRole, Account: account})
	if err != nil {
		return 0, err
	}
	for _, r := range roles {
		if strings.EqualFold(r.PermissionsBoundaryARN, arn) {
			n++
		}
	}
	return n, nil
}

// withAccountCounts fills an AWS managed policy's counts as seen from account.
func withAccountCounts(ctx context.Context, tx store.ReadTx, account string, mp store.ManagedPolicy) (store.ManagedPolicy, error) {
	if !strings.HasPrefix(mp.ARN, awsPolicyPrefix) {
		return mp, nil
	}
	n, err := attachments.countTo(ctx, tx, account, policyEnd{store.AWSAccount, mp.Name})
	if err != nil {
		return mp, err
	}
	b, err := awsBoundaryCounts(ctx, tx, account)
	if err != nil {
		return mp, err
	}
	mp.AttachmentCount, mp.PermissionsBoundaryUsageCount = n, b[mp.ARN]
	return mp, nil
}

// policyOut converts a managed policy to the API shape.
func policyOut(mp store.ManagedPolicy, withTags bool) *iamapi.Policy {
	out := &iamapi.Policy{
		PolicyName: str(mp.Name), PolicyId: str(mp.ID), Arn: str(mp.ARN), Path: str(mp.Path),
		DefaultVersionId: str(mp.DefaultVersionID), AttachmentCount: ptr(int32(mp.AttachmentCount)),
		PermissionsBoundaryUsageCount: ptr(int32(mp.PermissionsBoundaryUsageCount)), IsAttachable: ptr(true),
		CreateDate: ptr(mp.CreateDate), UpdateDate: ptr(mp.UpdateDate),
	}
	if mp.Description != "" {
		out.Description = str(mp.Description)
	}
	if withTags {
		out.Tags = tagsOut(mp.Tags)
	}
	return out
}

// versionOut converts a policy version to the API shape; the document, when
// included, is URL-encoded as IAM returns it.
func versionOut(v store.PolicyVersion, isDefault, withDocument bool) iamapi.PolicyVersion {
	out := iamapi.PolicyVersion{VersionId: str(v.VersionID), IsDefaultVersion: ptr(isDefault), CreateDate: ptr(v.CreateDate)}
	if withDocument {
		out.Document = str(encodeDocument(v.Document))
	}
	return out
}

// slicePage pages a listing held in memory, sorted by key, as listPage pages
// the store: the marker is the last key returned.
func slicePage[T any](items []T, key func(T) string, p page) (out []T, truncated bool, marker *string) {
	start := 0
	if p.after != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > p.after })
	}
	rest := items[start:]
	if len(rest) > p.limit {
		m := encodeMarker(key(rest[p.limit-1]))
		return rest[:p.limit], true, &m
	}
	return rest, false, nil
}

// checkManagedDocument parses a managed policy document and enforces the
// managed policy size quota.
func checkManagedDocument(doc string) error {
	if _, err := checkPolicyDocument(doc, policy.KindManaged); err != nil {
		return err
	}
	if policy.Size(doc) > maxPolicySize {
		return awserr.LimitExceeded("Cannot exceed quota for PolicySize: %d", maxPolicySize)
	}
	return nil
}

// policyAuthz describes a call on a managed policy: its ARN, and for a customer
// managed policy of the caller's account its tags as aws:ResourceTag.
func (s *Service) policyAuthz(ctx context.Context, c *identity.Caller, action, arn string) (Authz, error) {
	a := Authz{Action: action, Resource: arn}
	ref, err := parsePolicyARN(arn)
	if err == nil && ref.isAWS() {
		// AWS managed policies are shared: every account reads them as its own.
		a.ResourceAccount = c.Account
	}
	if err != nil || ref.account != c.Account {
		return a, nil
	}
	err = s.view(ctx, func(tx store.ReadTx) error {
		mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, c.Account, store.PolicyKey(ref.name))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		a.Context = resourceTagContext(a.Context, mp.Tags)
		return nil
	})
	return a, err
}

// managedPolicyOps returns the managed policy operations: policies and their
// versions and tags (this file), attachments (attachments.go) and permissions
// boundaries (boundaries.go).
func (s *Service) managedPolicyOps() []Op {
	ops := []Op{
		op("CreatePolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.CreatePolicyRequest) (Authz, error) {
			return Authz{Action: "iam:CreatePolicy", Resource: arn.Policy(c.Account, pathOr(in.Path), in.PolicyName), Context: requestTagContext(in.Tags)}, nil
		}, s.createPolicy),
		op("GetPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.GetPolicyRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:GetPolicy", in.PolicyArn)
		}, s.getPolicy),
		op("ListPolicies", func(ctx context.Context, c *identity.Caller, in *iamapi.ListPoliciesRequest) (Authz, error) {
			return Authz{Action: "iam:ListPolicies", Resource: iamARN(c.Account, "policy/")}, nil
		}, s.listPolicies),
		op("DeletePolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.DeletePolicyRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:DeletePolicy", in.PolicyArn)
		}, s.deletePolicy),
		op("CreatePolicyVersion", func(ctx context.Context, c *identity.Caller, in *iamapi.CreatePolicyVersionRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:CreatePolicyVersion", in.PolicyArn)
		}, s.createPolicyVersion),
		op("GetPolicyVersion", func(ctx context.Context, c *identity.Caller, in *iamapi.GetPolicyVersionRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:GetPolicyVersion", in.PolicyArn)
		}, s.getPolicyVersion),
		op("ListPolicyVersions", func(ctx context.Context, c *identity.Caller, in *iamapi.ListPolicyVersionsRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:ListPolicyVersions", in.PolicyArn)
		}, s.listPolicyVersions),
		op("DeletePolicyVersion", func(ctx context.Context, c *identity.Caller, in *iamapi.DeletePolicyVersionRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:DeletePolicyVersion", in.PolicyArn)
		}, s.deletePolicyVersion),
		op("SetDefaultPolicyVersion", func(ctx context.Context, c *identity.Caller, in *iamapi.SetDefaultPolicyVersionRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:SetDefaultPolicyVersion", in.PolicyArn)
		}, s.setDefaultPolicyVersion),
		op("TagPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.TagPolicyRequest) (Authz, error) {
			a, err := s.policyAuthz(ctx, c, "iam:TagPolicy", in.PolicyArn)
			a.Context = mergeContext(a.Context, requestTagContext(in.Tags))
			return a, err
		}, s.tagPolicy),
		op("UntagPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.UntagPolicyRequest) (Authz, error) {
			a, err := s.policyAuthz(ctx, c, "iam:UntagPolicy", in.PolicyArn)
			a.Context = withKey(a.Context, "aws:TagKeys", in.TagKeys...)
			return a, err
		}, s.untagPolicy),
		op("ListPolicyTags", func(ctx context.Context, c *identity.Caller, in *iamapi.ListPolicyTagsRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:ListPolicyTags", in.PolicyArn)
		}, s.listPolicyTags),
	}
	ops = append(ops, s.attachmentOps()...)
	return append(ops, s.boundaryOps()...)
}

func (s *Service) createPolicy(ctx context.Context, c *identity.Caller, in *iamapi.CreatePolicyRequest) (*iamapi.CreatePolicyResponse, error) {
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.ids.UniqueID(ids.PrefixPolicy)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	path := pathOr(in.Path)
	mp := store.ManagedPolicy{
		ID: id, Name: in.PolicyName, Path: path, ARN: arn.Policy(c.Account, path, in.PolicyName),
		DefaultVersionID: store.VersionID(1), CreateDate: now, UpdateDate: now, Tags: storeTags(in.Tags), NextVersion: 2,
	}
	if in.Description != nil {
		mp.Description = *in.Description
	}
	v := store.PolicyVersion{PolicyARN: mp.ARN, VersionID: mp.DefaultVersionID, Document: in.PolicyDocument, IsDefault: true, CreateDate: now}
	err = s.update(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, store.KindPolicy, c.Account, "")
		if err != nil {
			return err
		}
		if n >= maxCustomerPolicies {
			return awserr.LimitExceeded("Cannot exceed quota for PoliciesPerAccount: %d", maxCustomerPolicies)
		}
		if err := store.CreateJSON(ctx, tx, store.KindPolicy, c.Account, store.PolicyKey(mp.Name), mp); err != nil {
			if isExists(err) {
				return awserr.EntityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
			}
			return err
		}
		if err := store.PutJSON(ctx, tx, store.KindPolicyVersion, c.Account, store.PolicyVersionKey(mp.Name, v.VersionID), v); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindUniqueID, "", mp.ID, store.UniqueIDRef{Account: c.Account, Kind: store.KindPolicy, Key: store.PolicyKey(mp.Name)})
	})
	if err != nil {
		return nil, err
	}
	// CreatePolicy answers without the description (GetPolicy returns it).
	out := policyOut(mp, true)
	out.Description = nil
	return &iamapi.CreatePolicyResponse{Policy: out}, nil
}

func (s *Service) getPolicy(ctx context.Context, c *identity.Caller, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var mp store.ManagedPolicy
	err = s.view(ctx, func(tx store.ReadTx) error {
		if mp, err = s.lookupPolicy(ctx, tx, c.Account, ref, policyNotFound(in.PolicyArn)); err != nil {
			return err
		}
		mp, err = withAccountCounts(ctx, tx, c.Account, mp)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyResponse{Policy: getPolicyOut(mp)}, nil
}

// listedPolicy is one policy of a ListPolicies listing with its sort key:
// customer managed policies first ("0/" and the record key), then AWS
// managed policies in the catalogue's order ("1/" and the name).
type listedPolicy struct {
	key string
	mp  store.ManagedPolicy
}

func (s *Service) listPolicies(ctx context.Context, c *identity.Caller, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	scope := iamapi.PolicyScopeTypeAll
	if in.Scope != nil {
		scope = *in.Scope
	}
	prefix := pathOr(in.PathPrefix)
	onlyAttached := in.OnlyAttached != nil && *in.OnlyAttached
	// keep applies OnlyAttached: attached as a permissions policy, used as a
	// permissions boundary, or (without PolicyUsageFilter) either.
	keep := func(mp store.ManagedPolicy) bool {
		if !hasPathPrefix(mp.Path, prefix) {
			return false
		}
		if !onlyAttached {
			return true
		}
		switch {
		case in.PolicyUsageFilter == nil:
			return mp.AttachmentCount > 0 || mp.PermissionsBoundaryUsageCount > 0
		case *in.PolicyUsageFilter == iamapi.PolicyUsageTypePermissionsBoundary:
			return mp.PermissionsBoundaryUsageCount > 0
		default:
			return mp.AttachmentCount > 0
		}
	}
	out := &iamapi.ListPoliciesResponse{Policies: []iamapi.Policy{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		var all []listedPolicy
		if scope != iamapi.PolicyScopeTypeAWS {
			local, err := store.ListJSON[store.ManagedPolicy](ctx, tx, store.ListOptions{Kind: store.KindPolicy, Account: c.Account})
			if err != nil {
				return err
			}
			for _, e := range local {
				if keep(e.Value) {
					all = append(all, listedPolicy{key: "0/" + e.Key, mp: e.Value})
				}
			}
		}
		if scope != iamapi.PolicyScopeTypeLocal {
			attached, err := awsAttachmentCounts(ctx, tx, c.Account)
			if err != nil {
				return err
			}
			bounding, err := awsBoundaryCounts(ctx, tx, c.Account)
			if err != nil {
				return err
			}
			for _, mp := range s.managed.List() {
				mp.AttachmentCount, mp.PermissionsBoundaryUsageCount = attached[mp.ARN], bounding[mp.ARN]
				if keep(mp) {
					all = append(all, listedPolicy{key: "1/" + mp.Name, mp: mp})
				}
			}
		}
		items, truncated, marker := slicePage(all, func(l listedPolicy) string { return l.key }, p)
		for _, l := range items {
			// ListPolicies does not return tags or descriptions.
			po := policyOut(l.mp, false)
			po.Description = nil
			out.Policies = append(out.Policies, *po)
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	return out, err
}

func (s *Service) deletePolicy(ctx context.Context, c *identity.Caller, in *iamapi.DeletePolicyRequest) (*noOutput, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		mp, err := s.ownPolicy(ctx, tx, c.Account, "iam:DeletePolicy", ref, policyNotFound(in.PolicyArn))
		if err != nil {
			return err
		}
		n, err := attachments.countTo(ctx, tx, c.Account, policyEnd{c.Account, mp.Name})
		if err != nil {
			return err
		}
		if n == 0 {
			// A boundary is a use too. Scan rather than trust the counter
			// alone, so a policy never disappears from under an entity.
			if n, err = boundaryUsers(ctx, tx, c.Account, mp.ARN); err != nil {
				return err
			}
		}
		if n > 0 {
			return awserr.DeleteConflict("Cannot delete a policy attached to entities.")
		}
		versions, err := store.ListValues[store.PolicyVersion](ctx, tx, store.ListOptions{Kind: store.KindPolicyVersion, Account: c.Account, Prefix: store.PolicyVersionPrefix(mp.Name)})
		if err != nil {
			return err
		}
		if len(versions) > 1 {
			return awserr.DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		for _, v := range versions {
			if err := tx.Delete(ctx, store.KindPolicyVersion, c.Account, store.PolicyVersionKey(mp.Name, v.VersionID)); err != nil {
				return err
			}
		}
		if err := tx.Delete(ctx, store.KindPolicy, c.Account, store.PolicyKey(mp.Name)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.KindUniqueID, "", mp.ID); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	}))
}

func (s *Service) createPolicyVersion(ctx context.Context, c *identity.Caller, in *iamapi.CreatePolicyVersionRequest) (*iamapi.CreatePolicyVersionResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	setDefault := in.SetAsDefault != nil && *in.SetAsDefault
	var v store.PolicyVersion
	err = s.update(ctx, func(tx store.Tx) error {
		mp, err := s.ownPolicy(ctx, tx, c.Account, "iam:CreatePolicyVersion", ref, policyNotFound(in.PolicyArn))
		if err != nil {
			return err
		}
		n, err := tx.Count(ctx, store.KindPolicyVersion, c.Account, store.PolicyVersionPrefix(mp.Name))
		if err != nil {
			return err
		}
		if n >= maxPolicyVersions {
			return awserr.LimitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		now := s.now().UTC().Truncate(time.Second)
		// Version ids are never reused: NextVersion only grows.
		v = store.PolicyVersion{PolicyARN: mp.ARN, VersionID: store.VersionID(mp.NextVersion), Document: in.PolicyDocument, IsDefault: setDefault, CreateDate: now}
		mp.NextVersion++
		mp.UpdateDate = now
		if setDefault {
			if err := s.setDefault(ctx, tx, c.Account, &mp, v.VersionID); err != nil {
				return err
			}
		}
		if err := store.PutJSON(ctx, tx, store.KindPolicyVersion, c.Account, store.PolicyVersionKey(mp.Name, v.VersionID), v); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindPolicy, c.Account, store.PolicyKey(mp.Name), mp)
	})
	if err != nil {
		return nil, err
	}
	out := versionOut(v, setDefault, false)
	return &iamapi.CreatePolicyVersionResponse{PolicyVersion: &out}, nil
}

// setDefault makes versionID the default version of mp: it clears the flag of
// the previous default version record and sets mp.DefaultVersionID (the
// caller stores mp and the new default's record).
func (s *Service) setDefault(ctx context.Context, tx store.Tx, account string, mp *store.ManagedPolicy, versionID string) error {
	if mp.DefaultVersionID == versionID {
		return nil
	}
	old, err := store.GetJSON[store.PolicyVersion](ctx, tx, store.KindPolicyVersion, account, store.PolicyVersionKey(mp.Name, mp.DefaultVersionID))
	switch {
	case err == nil:
		old.IsDefault = false
		if err := store.PutJSON(ctx, tx, store.KindPolicyVersion, account, store.PolicyVersionKey(mp.Name, old.VersionID), old); err != nil {
			return err
		}
	case !isNotFound(err):
		return err
	}
	mp.DefaultVersionID = versionID
	return nil
}

func (s *Service) getPolicyVersion(ctx context.Context, c *identity.Caller, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	missing := policyVersionNotFound(in.PolicyArn, in.VersionId)
	var out iamapi.PolicyVersion
	err = s.view(ctx, func(tx store.ReadTx) error {
		mp, err := s.lookupPolicy(ctx, tx, c.Account, ref, missing)
		if err != nil {
			return err
		}
		if ref.isAWS() {
			// The catalogue holds each AWS managed policy's default version only.
			doc, ok := s.managed.Document(ref.arn)
			if !ok || in.VersionId != mp.DefaultVersionID {
				return missing
			}
			out = versionOut(store.PolicyVersion{VersionID: mp.DefaultVersionID, Document: doc, CreateDate: mp.UpdateDate}, true, true)
			return nil
		}
		v, err := store.GetJSON[store.PolicyVersion](ctx, tx, store.KindPolicyVersion, c.Account, store.PolicyVersionKey(mp.Name, in.VersionId))
		if isNotFound(err) {
			return missing
		}
		if err != nil {
			return err
		}
		out = versionOut(v, v.VersionID == mp.DefaultVersionID, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyVersionResponse{PolicyVersion: &out}, nil
}

func (s *Service) listPolicyVersions(ctx context.Context, c *identity.Caller, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListPolicyVersionsResponse{Versions: []iamapi.PolicyVersion{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		mp, err := s.lookupPolicy(ctx, tx, c.Account, ref, policyNotFound(in.PolicyArn))
		if err != nil {
			return err
		}
		var versions []store.PolicyVersion
		if ref.isAWS() {
			versions = []store.PolicyVersion{{VersionID: mp.DefaultVersionID, CreateDate: mp.UpdateDate}}
		} else if versions, err = store.ListValues[store.PolicyVersion](ctx, tx, store.ListOptions{Kind: store.KindPolicyVersion, Account: c.Account, Prefix: store.PolicyVersionPrefix(mp.Name)}); err != nil {
			return err
		}
		// Newest first, as IAM lists them.
		sort.Slice(versions, func(i, j int) bool { return versionDescKey(versions[i]) < versionDescKey(versions[j]) })
		items, truncated, marker := slicePage(versions, versionDescKey, p)
		for _, v := range items {
			out.Versions = append(out.Versions, versionOut(v, v.VersionID == mp.DefaultVersionID, false))
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	return out, err
}

// versionDescKey orders versions newest first: the version number subtracted
// from a large constant, zero-padded (it doubles as the listing's marker).
func versionDescKey(v store.PolicyVersion) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(v.VersionID, "v"))
	return fmt.Sprintf("%010d", 9_999_999_999-n)
}

func (s *Service) deletePolicyVersion(ctx context.Context, c *identity.Caller, in *iamapi.DeletePolicyVersionRequest) (*noOutput, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	missing := policyVersionNotFound(in.PolicyArn, in.VersionId)
	return done(s.update(ctx, func(tx store.Tx) error {
		mp, err := s.ownPolicy(ctx, tx, c.Account, "iam:DeletePolicyVersion", ref, missing)
		if err != nil {
			return err
		}
		key := store.PolicyVersionKey(mp.Name, in.VersionId)
		if _, err := tx.Get(ctx, store.KindPolicyVersion, c.Account, key); err != nil {
			return notFound(err, missing)
		}
		if in.VersionId == mp.DefaultVersionID {
			return awserr.DeleteConflict("Cannot delete the default version of a policy.")
		}
		return tx.Delete(ctx, store.KindPolicyVersion, c.Account, key)
	}))
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, c *identity.Caller, in *iamapi.SetDefaultPolicyVersionRequest) (*noOutput, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	missing := policyVersionNotFound(in.PolicyArn, in.VersionId)
	return done(s.update(ctx, func(tx store.Tx) error {
		mp, err := s.ownPolicy(ctx, tx, c.Account, "iam:SetDefaultPolicyVersion", ref, missing)
		if err != nil {
			return err
		}
		v, err := store.GetJSON[store.PolicyVersion](ctx, tx, store.KindPolicyVersion, c.Account, store.PolicyVersionKey(mp.Name, in.VersionId))
		if err != nil {
			return notFound(err, missing)
		}
		if err := s.setDefault(ctx, tx, c.Account, &mp, v.VersionID); err != nil {
			return err
		}
		v.IsDefault = true
		if err := store.PutJSON(ctx, tx, store.KindPolicyVersion, c.Account, store.PolicyVersionKey(mp.Name, v.VersionID), v); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindPolicy, c.Account, store.PolicyKey(mp.Name), mp)
	}))
}

func (s *Service) tagPolicy(ctx context.Context, c *identity.Caller, in *iamapi.TagPolicyRequest) (*noOutput, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		mp, err := s.ownPolicy(ctx, tx, c.Account, "iam:TagPolicy", ref, policyNotFound(in.PolicyArn))
		if err != nil {
			return err
		}
		if mp.Tags, err = mergeTags(mp.Tags, in.Tags); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindPolicy, c.Account, store.PolicyKey(mp.Name), mp)
	}))
}

func (s *Service) untagPolicy(ctx context.Context, c *identity.Caller, in *iamapi.UntagPolicyRequest) (*noOutput, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		mp, err := s.ownPolicy(ctx, tx, c.Account, "iam:UntagPolicy", ref, policyNotFound(in.PolicyArn))
		if err != nil {
			return err
		}
		mp.Tags = removeTags(mp.Tags, in.TagKeys)
		return store.PutJSON(ctx, tx, store.KindPolicy, c.Account, store.PolicyKey(mp.Name), mp)
	}))
}

func (s *Service) listPolicyTags(ctx context.Context, c *identity.Caller, in *iamapi.ListPolicyTagsRequest) (*iamapi.ListPolicyTagsResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var mp store.ManagedPolicy
	err = s.view(ctx, func(tx store.ReadTx) error {
		mp, err = s.lookupPolicy(ctx, tx, c.Account, ref, policyNotFound(in.PolicyArn))
		return err
	})
	if err != nil {
		return nil, err
	}
	return listTagsPage(mp.Tags, in.Marker, in.MaxItems, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListPolicyTagsResponse {
		return &iamapi.ListPolicyTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
	})
}
