package organizations

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// defaultAccessRole is the role CreateAccount creates in the new account
// when RoleName is not given.
const defaultAccessRole = "OrganizationAccountAccessRole"

// administratorAccess is the AWS managed policy attached to that role.
const administratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess"

// maxAccounts is AWS's default quota of accounts in an organization.
const maxAccounts = 10

func (s *Service) accountOps() []operation.Op {
	return []operation.Op{
		op(s, "CreateAccount", nil, s.createAccount),
		op(s, "DescribeCreateAccountStatus", nil, s.describeCreateAccountStatus),
		op(s, "ListCreateAccountStatus", nil, s.listCreateAccountStatus),
		op(s, "DescribeAccount", targetOf(s, func(in *orgapi.DescribeAccountRequest) string { return in.AccountId }), s.describeAccount),
		op(s, "ListAccounts", nil, s.listAccounts),
		op(s, "ListAccountsForParent", nil, s.listAccountsForParent),
		op(s, "MoveAccount", targetOf(s, func(in *orgapi.MoveAccountRequest) string { return in.AccountId }), s.moveAccount),
		op(s, "RemoveAccountFromOrganization", targetOf(s, func(in *orgapi.RemoveAccountFromOrganizationRequest) string { return in.AccountId }), s.removeAccount),
		op(s, "CloseAccount", targetOf(s, func(in *orgapi.CloseAccountRequest) string { return in.AccountId }), s.closeAccount),
	}
}

// resolve returns the ARN of a root, OU, account, policy or resource policy
// of the caller's organization for authorization, with a policy's type, or
// the zero resource when there is none (the operation then reports the
// error).
func (s *Service) resolve(ctx context.Context, c *identity.Caller, id string) resource {
	var r resource
	_ = s.st.View(ctx, func(tx store.ReadTx) error {
		o, _, err := orgOf(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		if strings.HasPrefix(id, "rp-") {
			rp, err := store.GetJSON[resourcePolicyRecord](ctx, tx, kindOrgResourcePolicy, "", resourcePolicyKey(o.ID))
			if err == nil && rp.ID == id {
				r.ARN = rp.ARN
			}
			return nil
		}
		if strings.HasPrefix(id, "p-") {
			p, err := getPolicy(ctx, tx, o.ID, id)
			if err == nil {
				r = resource{ARN: p.ARN, PolicyType: p.Type}
			}
			return nil
		}
		t, err := findTarget(ctx, tx, o, id, notInUse())
		if err == nil {
			r.ARN = t.ARN
		}
		return nil
	})
	return r
}

func accountOut(m memberRecord) orgapi.Account {
	out := orgapi.Account{
		Id: str(m.AccountID), Arn: str(m.ARN), Name: str(m.Name),
		Status: (*orgapi.AccountStatus)(str(m.Status)), State: (*orgapi.AccountState)(str(accountState(m.Status))),
		JoinedMethod: (*orgapi.AccountJoinedMethod)(str(m.JoinedMethod)), JoinedTimestamp: tm(m.Joined),
	}
	if m.Email != "" { // the bootstrap management account may have none
		out.Email = str(m.Email)
	}
	return out
}

// accountState maps the deprecated Status to the newer State.
func accountState(status string) string {
	switch status {
	case "SUSPENDED":
		return "SUSPENDED"
	case "PENDING_CLOSURE":
		return "PENDING_CLOSURE"
	}
	return "ACTIVE"
}

func carOut(r carRecord) *orgapi.CreateAccountStatus {
	out := &orgapi.CreateAccountStatus{
		Id: str(r.ID), AccountName: str(r.AccountName), State: (*orgapi.CreateAccountState)(str(r.State)),
		RequestedTimestamp: tm(r.Requested),
	}
	if r.State != "IN_PROGRESS" {
		out.CompletedTimestamp = tm(r.Completed)
	}
	if r.AccountID != "" && r.State == "SUCCEEDED" {
		out.AccountId = str(r.AccountID)
	}
	if r.FailureReason != "" {
		out.FailureReason = (*orgapi.CreateAccountFailureReason)(str(r.FailureReason))
	}
	return out
}

func accountNotFound() error {
	return orgErr("AccountNotFoundException", "You specified an account that doesn't exist.")
}

// trustManagement is the trust policy of the access role: the management
// account may assume it, as AWS writes it.
func trustManagement(mgmt string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
}

// createAccount creates a member account. As on AWS the call answers with a
// request in state IN_PROGRESS; Gatehouse completes it in the same
// transaction, so DescribeCreateAccountStatus reports SUCCEEDED (or FAILED
// with EMAIL_ALREADY_EXISTS) at once.
func (s *Service) createAccount(ctx context.Context, c *identity.Caller, in *orgapi.CreateAccountRequest) (*orgapi.CreateAccountResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	roleName := defaultAccessRole
	if in.RoleName != nil {
		roleName = *in.RoleName
	}
	carID, err := s.randomID("car-", 32)
	if err != nil {
		return nil, err
	}
	accountID, err := s.randomAccountID()
	if err != nil {
		return nil, err
	}
	roleID, err := s.ids.UniqueID(ids.PrefixRole)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	car := carRecord{ID: carID, AccountName: in.AccountName, State: "IN_PROGRESS", Requested: now}
	err = s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		car.OrgID = o.ID
		ms, err := members(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		stored := car
		stored.Completed = now
		switch {
		case slices.ContainsFunc(ms, func(m memberRecord) bool { return strings.EqualFold(m.Email, in.Email) }):
			stored.State, stored.FailureReason = "FAILED", "EMAIL_ALREADY_EXISTS"
		case len(ms) >= maxAccounts:
			stored.State, stored.FailureReason = "FAILED", "ACCOUNT_LIMIT_EXCEEDED"
		default:
			if _, err := tx.Get(ctx, store.KindAccount, "", accountID); err == nil {
				stored.State, stored.FailureReason = "FAILED", "INTERNAL_FAILURE"
				break
			} else if !isNotFound(err) {
				return err
			}
			root, err := getRoot(ctx, tx, o)
			if err != nil {
				return err
			}
			if err := s.createMember(ctx, tx, o, root, accountID, roleID, roleName, in, now); err != nil {
				return err
			}
			stored.State, stored.AccountID = "SUCCEEDED", accountID
		}
		return store.CreateJSON(ctx, tx, kindOrgCreateAccount, "", carID, stored)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.CreateAccountResponse{CreateAccountStatus: carOut(car)}, nil
}

// createMember writes the new account, its membership and its access role.
func (s *Service) createMember(ctx context.Context, tx store.Tx, o orgRecord, root rootRecord, accountID, roleID, roleName string, in *orgapi.CreateAccountRequest, now time.Time) error {
	acct := store.Account{ID: accountID, Name: in.AccountName, Email: in.Email, CreateDate: now.Truncate(time.Second)}
	if err := store.CreateJSON(ctx, tx, store.KindAccount, "", accountID, acct); err != nil {
		return err
	}
	m := memberRecord{AccountID: accountID, ARN: accountARN(o.MasterAccountID, o.ID, accountID), Name: in.AccountName, Email: in.Email,
		OrgID: o.ID, ParentID: root.ID, Status: "ACTIVE", JoinedMethod: "CREATED", Joined: now, Tags: storeTags(in.Tags)}
	if err := store.CreateJSON(ctx, tx, kindOrgAccount, "", accountID, m); err != nil {
		return err
	}
	if err := attachDefaults(ctx, tx, o.ID, root, accountID, "ACCOUNT"); err != nil {
		return err
	}
	// The access role, written as the IAM service writes roles: the role,
	// its unique id, and the AdministratorAccess attachment in both
	// directions (AWS managed policies count attachments from these).
	r := store.Role{
		ID: roleID, Name: roleName, Path: "/", ARN: arn.Role(accountID, "/", roleName),
		CreateDate: now.Truncate(time.Second), AssumeRolePolicyDocument: trustManagement(o.MasterAccountID), MaxSessionDuration: 3600,
	}
	if err := store.CreateJSON(ctx, tx, store.KindRole, accountID, store.RoleKey(roleName), r); err != nil {
		return err
	}
	if err := store.PutJSON(ctx, tx, store.KindUniqueID, "", roleID, store.UniqueIDRef{Account: accountID, Kind: store.KindRole, Key: store.RoleKey(roleName)}); err != nil {
		return err
	}
	a := store.Attachment{PolicyARN: administratorAccess, EntityKind: store.EntityRole, EntityName: roleName}
	if err := store.PutJSON(ctx, tx, store.KindAttachment, accountID, store.AttachmentKey(store.EntityRole, roleName, store.AWSAccount, "AdministratorAccess"), a); err != nil {
		return err
	}
	return store.PutJSON(ctx, tx, store.KindPolicyAttachment, accountID, store.PolicyAttachmentKey(store.AWSAccount, "AdministratorAccess", store.EntityRole, roleName), a)
}

func (s *Service) describeCreateAccountStatus(ctx context.Context, c *identity.Caller, in *orgapi.DescribeCreateAccountStatusRequest) (*orgapi.DescribeCreateAccountStatusResponse, error) {
	var r carRecord
	err := s.viewOrg(ctx, c, func(tx store.ReadTx, o orgRecord) error {
		var err error
		r, err = store.GetJSON[carRecord](ctx, tx, kindOrgCreateAccount, "", in.CreateAccountRequestId)
		if isNotFound(err) || (err == nil && r.OrgID != o.ID) {
			return orgErr("CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.DescribeCreateAccountStatusResponse{CreateAccountStatus: carOut(r)}, nil
}

func (s *Service) listCreateAccountStatus(ctx context.Context, c *identity.Caller, in *orgapi.ListCreateAccountStatusRequest) (*orgapi.ListCreateAccountStatusResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.CreateAccountStatus, error) {
		rs, err := store.ListValues[carRecord](ctx, tx, store.ListOptions{Kind: kindOrgCreateAccount})
		if err != nil {
			return nil, err
		}
		slices.SortFunc(rs, func(a, b carRecord) int { return a.Requested.Compare(b.Requested) })
		var all []orgapi.CreateAccountStatus
		for _, r := range rs {
			if r.OrgID != o.ID || (len(in.States) > 0 && !slices.Contains(in.States, orgapi.CreateAccountState(r.State))) {
				continue
			}
			all = append(all, *carOut(r))
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListCreateAccountStatusResponse{CreateAccountStatuses: out, NextToken: next}, nil
}

// member returns an account of organization o, or AccountNotFoundException.
func member(ctx context.Context, tx store.ReadTx, o orgRecord, id string) (memberRecord, error) {
	m, err := store.GetJSON[memberRecord](ctx, tx, kindOrgAccount, "", id)
	if isNotFound(err) || (err == nil && m.OrgID != o.ID) {
		return m, accountNotFound()
	}
	return m, err
}

func (s *Service) describeAccount(ctx context.Context, c *identity.Caller, in *orgapi.DescribeAccountRequest) (*orgapi.DescribeAccountResponse, error) {
	var m memberRecord
	err := s.viewOrg(ctx, c, func(tx store.ReadTx, o orgRecord) error {
		var err error
		m, err = member(ctx, tx, o, in.AccountId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := accountOut(m)
	return &orgapi.DescribeAccountResponse{Account: &out}, nil
}

// membersUnder lists the organization's accounts, those under parent when it
// is set, in the order they joined.
func membersUnder(ctx context.Context, tx store.ReadTx, o orgRecord, parent string) ([]orgapi.Account, error) {
	if parent != "" {
		if _, err := parentOf(ctx, tx, o, parent); err != nil {
			return nil, err
		}
	}
	ms, err := members(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ms, func(a, b memberRecord) int { return a.Joined.Compare(b.Joined) })
	out := make([]orgapi.Account, 0, len(ms))
	for _, m := range ms {
		if parent == "" || m.ParentID == parent {
			out = append(out, accountOut(m))
		}
	}
	return out, nil
}

func (s *Service) listAccounts(ctx context.Context, c *identity.Caller, in *orgapi.ListAccountsRequest) (*orgapi.ListAccountsResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.Account, error) {
		return membersUnder(ctx, tx, o, "")
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListAccountsResponse{Accounts: out, NextToken: next}, nil
}

func (s *Service) listAccountsForParent(ctx context.Context, c *identity.Caller, in *orgapi.ListAccountsForParentRequest) (*orgapi.ListAccountsForParentResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.Account, error) {
		return membersUnder(ctx, tx, o, in.ParentId)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListAccountsForParentResponse{Accounts: out, NextToken: next}, nil
}

func parentNotFound() error {
	return orgErr("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
}

func (s *Service) moveAccount(ctx context.Context, c *identity.Caller, in *orgapi.MoveAccountRequest) (*emptyOutput, error) {
	return done(s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		m, err := member(ctx, tx, o, in.AccountId)
		if err != nil {
			return err
		}
		if _, err := findTarget(ctx, tx, o, in.SourceParentId, orgErr("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")); err != nil {
			return err
		}
		dst, err := findTarget(ctx, tx, o, in.DestinationParentId, orgErr("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified."))
		if err != nil {
			return err
		}
		if dst.Type == "ACCOUNT" {
			return orgErr("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified.")
		}
		if m.ParentID != in.SourceParentId {
			return accountNotFound()
		}
		if m.ParentID == in.DestinationParentId {
			return orgErr("DuplicateAccountException", "That account is already present in the specified destination.")
		}
		m.ParentID = in.DestinationParentId
		return store.PutJSON(ctx, tx, kindOrgAccount, "", m.AccountID, m)
	}))
}

func (s *Service) removeAccount(ctx context.Context, c *identity.Caller, in *orgapi.RemoveAccountFromOrganizationRequest) (*emptyOutput, error) {
	return done(s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		m, err := member(ctx, tx, o, in.AccountId)
		if err != nil {
			return err
		}
		if m.AccountID == o.MasterAccountID {
			return orgErr("MasterCannotLeaveOrganizationException", "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.")
		}
		if ds, err := delegations(ctx, tx, o.ID, m.AccountID); err != nil {
			return err
		} else if len(ds) > 0 {
			return constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator.")
		}
		if err := detachAll(ctx, tx, o.ID, m.AccountID); err != nil {
			return err
		}
		return tx.Delete(ctx, kindOrgAccount, "", m.AccountID)
	}))
}

// closeAccount closes a member account: it is SUSPENDED in the organization
// (AWS passes through PENDING_CLOSURE; Gatehouse closes at once) and stays
// listed, as AWS keeps closed accounts for 90 days.
func (s *Service) closeAccount(ctx context.Context, c *identity.Caller, in *orgapi.CloseAccountRequest) (*emptyOutput, error) {
	return done(s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		m, err := member(ctx, tx, o, in.AccountId)
		if err != nil {
			return err
		}
		if m.AccountID == o.MasterAccountID {
			return constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization.")
		}
		if m.Status == "SUSPENDED" {
			return orgErr("AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
		}
		m.Status = "SUSPENDED"
		return store.PutJSON(ctx, tx, kindOrgAccount, "", m.AccountID, m)
	}))
}
