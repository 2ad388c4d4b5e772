package organizations_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// setEmail gives a standalone account a root email (as `gatehouse admin
// create-account --email` does).
func setEmail(t *testing.T, s *testserver.Server, id, email string) {
	t.Helper()
	ctx := context.Background()
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		a, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", id)
		if err != nil {
			return err
		}
		a.Email = email
		return store.PutJSON(ctx, tx, store.KindAccount, "", id, a)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestInvitations follows the Organizations User Guide's "Inviting an AWS
// account to join your organization"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_invites.html)
// and the API reference of InviteAccountToOrganization, AcceptHandshake,
// DeclineHandshake, CancelHandshake, ListHandshakesForAccount,
// ListHandshakesForOrganization and LeaveOrganization (their examples give
// the handshake's parties and resources): an account Gatehouse holds is
// invited by id or email, accepts, is then governed by the organization's
// SCPs, and leaves.
func TestInvitations(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org

	// An SCP on the root that denies iam:CreateUser: it governs every
	// account that joins.
	cp, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("no-users"), Description: aws.String("d"),
		Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(m.RootID)}); err != nil {
		t.Fatal(err)
	}

	const aID, bID = "210987654321", "310987654321"
	aCfg := s.NewStandaloneAccount(t, aID, "AKIAAAAAAAAAAAAAAAAA", "secret-of-account-a-0123456789012345678")
	bCfg := s.NewStandaloneAccount(t, bID, "AKIABBBBBBBBBBBBBBBB", "secret-of-account-b-0123456789012345678")
	setEmail(t, s, bID, "Bea@example.com")
	a, b := awsorg.NewFromConfig(aCfg), awsorg.NewFromConfig(bCfg)
	aIAM := awsiam.NewFromConfig(aCfg)

	// Bad targets.
	_, err = org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(m.OrgID), Type: types.HandshakePartyTypeOrganization}})
	wantError(t, err, "InvalidInputException", "INVALID_PARTY_TYPE_TARGET", "You specified the wrong type of entity (account, organization, or email) as a party.")
	_, err = org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String("not-an-email"), Type: types.HandshakePartyTypeEmail}})
	wantError(t, err, "InvalidInputException", "INVALID_EMAIL_ADDRESS_TARGET", "")
	_, err = org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(m.Account), Type: types.HandshakePartyTypeAccount}})
	wantError(t, err, "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "The handshake request is invalid because the invited account is already a member of an organization.")
	// Only the management account invites.
	_, err = awsorg.NewFromConfig(m.Admin).InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(aID), Type: types.HandshakePartyTypeAccount}})
	wantCode(t, err, "AccessDeniedException")
	_, err = a.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(bID), Type: types.HandshakePartyTypeAccount}})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	// Tags need organizations:TagResource as well.
	noTag := mgmtUser(t, s, "inviter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:InviteAccountToOrganization","Resource":"*"}]}`)
	_, err = noTag.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(aID), Type: types.HandshakePartyTypeAccount},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	wantCode(t, err, "AccessDeniedException")

	inv, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{
		Target: &types.HandshakeParty{Id: aws.String(aID), Type: types.HandshakePartyTypeAccount},
		Notes:  aws.String("join us"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	h := inv.Handshake
	hid := aws.ToString(h.Id)
	if !regexp.MustCompile(`^h-[0-9a-z]{8,32}$`).MatchString(hid) || h.Action != types.ActionTypeInviteAccountToOrganization || h.State != types.HandshakeStateOpen ||
		aws.ToString(h.Arn) != "arn:aws:organizations::"+testserver.AccountID+":handshake/"+m.OrgID+"/invite/"+hid ||
		h.ExpirationTimestamp.Sub(*h.RequestedTimestamp) != 15*24*time.Hour ||
		len(h.Parties) != 2 || aws.ToString(h.Parties[0].Id) != m.OrgID || h.Parties[0].Type != types.HandshakePartyTypeOrganization ||
		aws.ToString(h.Parties[1].Id) != aID || h.Parties[1].Type != types.HandshakePartyTypeAccount ||
		len(h.Resources) != 3 || h.Resources[0].Type != types.HandshakeResourceTypeOrganization || aws.ToString(h.Resources[0].Value) != m.OrgID ||
		h.Resources[1].Type != types.HandshakeResourceTypeAccount || aws.ToString(h.Resources[1].Value) != aID ||
		h.Resources[2].Type != types.HandshakeResourceTypeNotes || aws.ToString(h.Resources[2].Value) != "join us" {
		t.Fatalf("invitation %+v", h)
	}
	var fs string
	for _, r := range h.Resources[0].Resources {
		if r.Type == types.HandshakeResourceTypeOrganizationFeatureSet {
			fs = aws.ToString(r.Value)
		}
	}
	if fs != "ALL" {
		t.Fatalf("feature set resource %q", fs)
	}
	_, err = org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(aID), Type: types.HandshakePartyTypeAccount}})
	wantCode(t, err, "DuplicateHandshakeException")

	// The invited account sees it; it cannot cancel it, the sender cannot
	// decline it, and it is not in an organization yet.
	la, err := a.ListHandshakesForAccount(ctx, &awsorg.ListHandshakesForAccountInput{})
	if err != nil || len(la.Handshakes) != 1 || aws.ToString(la.Handshakes[0].Id) != hid {
		t.Fatalf("ListHandshakesForAccount: %+v %v", la, err)
	}
	if dh, err := a.DescribeHandshake(ctx, &awsorg.DescribeHandshakeInput{HandshakeId: aws.String(hid)}); err != nil || dh.Handshake.State != types.HandshakeStateOpen {
		t.Fatalf("DescribeHandshake by the invited account: %+v %v", dh, err)
	}
	if _, err := b.DescribeHandshake(ctx, &awsorg.DescribeHandshakeInput{HandshakeId: aws.String(hid)}); code(err) != "HandshakeNotFoundException" {
		t.Fatalf("another account sees the invitation: %v", err)
	}
	_, err = a.ListHandshakesForAccount(ctx, &awsorg.ListHandshakesForAccountInput{Filter: &types.HandshakeFilter{ActionType: types.ActionTypeInviteAccountToOrganization, ParentHandshakeId: aws.String("h-abcdefgh")}})
	wantError(t, err, "InvalidInputException", "MAX_FILTER_LIMIT_EXCEEDED", "")
	if la, err := a.ListHandshakesForAccount(ctx, &awsorg.ListHandshakesForAccountInput{Filter: &types.HandshakeFilter{ActionType: types.ActionTypeEnableAllFeatures}}); err != nil || len(la.Handshakes) != 0 {
		t.Fatalf("filtered: %+v %v", la, err)
	}
	_, err = a.CancelHandshake(ctx, &awsorg.CancelHandshakeInput{HandshakeId: aws.String(hid)})
	wantCode(t, err, "AccessDeniedException")
	_, err = org.DeclineHandshake(ctx, &awsorg.DeclineHandshakeInput{HandshakeId: aws.String(hid)})
	wantCode(t, err, "AccessDeniedException")
	_, err = org.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(hid)})
	wantCode(t, err, "AccessDeniedException")
	_, err = a.ListHandshakesForOrganization(ctx, &awsorg.ListHandshakesForOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	_, err = a.LeaveOrganization(ctx, &awsorg.LeaveOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	if _, err := aIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("before")}); err != nil {
		t.Fatalf("a standalone account is governed by no SCP: %v", err)
	}

	// Accepting moves the account into the root, with FullAWSAccess, the
	// root's SCP, and the invitation's tags.
	ah, err := a.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(hid)})
	if err != nil || ah.Handshake.State != types.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake: %+v %v", ah, err)
	}
	_, err = a.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(hid)})
	wantError(t, err, "HandshakeAlreadyInStateException", "", "The specified handshake is already in the requested state.")
	da, err := org.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(aID)})
	if err != nil || da.Account.JoinedMethod != types.AccountJoinedMethodInvited || da.Account.Status != types.AccountStatusActive {
		t.Fatalf("DescribeAccount: %+v %v", da, err)
	}
	par, err := org.ListParents(ctx, &awsorg.ListParentsInput{ChildId: aws.String(aID)})
	if err != nil || len(par.Parents) != 1 || aws.ToString(par.Parents[0].Id) != m.RootID {
		t.Fatalf("ListParents: %+v %v", par, err)
	}
	pt, err := org.ListPoliciesForTarget(ctx, &awsorg.ListPoliciesForTargetInput{TargetId: aws.String(aID), Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil || len(pt.Policies) != 1 || aws.ToString(pt.Policies[0].Id) != "p-FullAWSAccess" {
		t.Fatalf("ListPoliciesForTarget: %+v %v", pt, err)
	}
	tg, err := org.ListTagsForResource(ctx, &awsorg.ListTagsForResourceInput{ResourceId: aws.String(aID)})
	if err != nil || len(tg.Tags) != 1 || aws.ToString(tg.Tags[0].Key) != "team" {
		t.Fatalf("ListTagsForResource: %+v %v", tg, err)
	}
	_, err = aIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")})
	wantCode(t, err, "AccessDenied")
	if do, err := a.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{}); err != nil || aws.ToString(do.Organization.Id) != m.OrgID {
		t.Fatalf("DescribeOrganization from the new member: %+v %v", do, err)
	}

	// An invitation by email, canceled by the sender: it can no longer be
	// answered.
	byMail := func() string {
		t.Helper()
		inv, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String("bea@example.com"), Type: types.HandshakePartyTypeEmail}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(inv.Handshake.Id)
	}
	h2 := byMail()
	lb, err := b.ListHandshakesForAccount(ctx, &awsorg.ListHandshakesForAccountInput{})
	if err != nil || len(lb.Handshakes) != 1 || aws.ToString(lb.Handshakes[0].Id) != h2 || lb.Handshakes[0].Parties[1].Type != types.HandshakePartyTypeEmail {
		t.Fatalf("ListHandshakesForAccount by email: %+v %v", lb, err)
	}
	ch, err := org.CancelHandshake(ctx, &awsorg.CancelHandshakeInput{HandshakeId: aws.String(h2)})
	if err != nil || ch.Handshake.State != types.HandshakeStateCanceled {
		t.Fatalf("CancelHandshake: %+v %v", ch, err)
	}
	_, err = org.CancelHandshake(ctx, &awsorg.CancelHandshakeInput{HandshakeId: aws.String(h2)})
	wantCode(t, err, "HandshakeAlreadyInStateException")
	_, err = b.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(h2)})
	wantError(t, err, "InvalidHandshakeTransitionException", "", "You can't perform the operation on the handshake in its current state.")
	_, err = b.DeclineHandshake(ctx, &awsorg.DeclineHandshakeInput{HandshakeId: aws.String(h2)})
	wantCode(t, err, "InvalidHandshakeTransitionException")

	// A second invitation, declined.
	h3 := byMail()
	dc, err := b.DeclineHandshake(ctx, &awsorg.DeclineHandshakeInput{HandshakeId: aws.String(h3)})
	if err != nil || dc.Handshake.State != types.HandshakeStateDeclined {
		t.Fatalf("DeclineHandshake: %+v %v", dc, err)
	}
	_, err = b.DeclineHandshake(ctx, &awsorg.DeclineHandshakeInput{HandshakeId: aws.String(h3)})
	wantCode(t, err, "HandshakeAlreadyInStateException")
	_, err = b.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")

	// The organization lists what it sent, a page at a time.
	var got []string
	var next *string
	for {
		p, err := org.ListHandshakesForOrganization(ctx, &awsorg.ListHandshakesForOrganizationInput{MaxResults: aws.Int32(1), NextToken: next,
			Filter: &types.HandshakeFilter{ActionType: types.ActionTypeInviteAccountToOrganization}})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Handshakes {
			got = append(got, aws.ToString(h.Id)+":"+string(h.State))
		}
		if next = p.NextToken; next == nil {
			break
		}
	}
	if want := []string{hid + ":ACCEPTED", h2 + ":CANCELED", h3 + ":DECLINED"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("ListHandshakesForOrganization: %v, want %v", got, want)
	}
	_, err = org.ListHandshakesForOrganization(ctx, &awsorg.ListHandshakesForOrganizationInput{NextToken: aws.String("bogus")})
	wantCode(t, err, "InvalidInputException")
	_, err = awsorg.NewFromConfig(m.Admin).ListHandshakesForOrganization(ctx, &awsorg.ListHandshakesForOrganizationInput{})
	wantCode(t, err, "AccessDeniedException")

	// Leaving: never the management account, nor a created account in its
	// first four days; an invited account at once, and its SCPs no longer
	// apply.
	_, err = org.LeaveOrganization(ctx, &awsorg.LeaveOrganizationInput{})
	wantError(t, err, "MasterCannotLeaveOrganizationException", "", "")
	_, err = awsorg.NewFromConfig(m.Admin).LeaveOrganization(ctx, &awsorg.LeaveOrganizationInput{})
	wantError(t, err, "ConstraintViolationException", "WAIT_PERIOD_ACTIVE", "")
	if _, err := a.LeaveOrganization(ctx, &awsorg.LeaveOrganizationInput{}); err != nil {
		t.Fatalf("LeaveOrganization: %v", err)
	}
	_, err = org.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(aID)})
	wantCode(t, err, "AccountNotFoundException")
	_, err = a.LeaveOrganization(ctx, &awsorg.LeaveOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	if _, err := aIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("left")}); err != nil {
		t.Fatalf("after leaving, the SCP still applies: %v", err)
	}

	// An SCP may deny leaving.
	h4, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(aID), Type: types.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: h4.Handshake.Id}); err != nil {
		t.Fatal(err)
	}
	stay, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("stay"), Description: aws.String("d"),
		Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: stay.Policy.PolicySummary.Id, TargetId: aws.String(aID)}); err != nil {
		t.Fatal(err)
	}
	_, err = a.LeaveOrganization(ctx, &awsorg.LeaveOrganizationInput{})
	wantCode(t, err, "AccessDeniedException")
}

// TestInvitationQuota: an open invitation counts against the account quota
// of 10 ("Quotas for AWS Organizations",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html),
// and the count returns when it is canceled.
func TestInvitationQuota(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	org := s.OrgClient(testserver.RootKeyID, testserver.RootSecretKey, "")
	if _, err := org.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 9 { // the management account is the tenth
		inv, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{
			Target: &types.HandshakeParty{Id: aws.String(fmt.Sprintf("4000000000%02d", i)), Type: types.HandshakePartyTypeAccount}})
		if err != nil {
			t.Fatalf("invitation %d: %v", i, err)
		}
		ids = append(ids, aws.ToString(inv.Handshake.Id))
	}
	_, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String("500000000000"), Type: types.HandshakePartyTypeAccount}})
	wantError(t, err, "HandshakeConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED", "")
	ca, err := org.CreateAccount(ctx, &awsorg.CreateAccountInput{Email: aws.String("c@example.com"), AccountName: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &awsorg.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonAccountLimitExceeded {
		t.Fatalf("CreateAccount over the quota: %+v %v", st, err)
	}
	if _, err := org.CancelHandshake(ctx, &awsorg.CancelHandshakeInput{HandshakeId: aws.String(ids[0])}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String("500000000000"), Type: types.HandshakePartyTypeAccount}}); err != nil {
		t.Fatalf("after a cancellation: %v", err)
	}
}

// TestEnableAllFeaturesWithInvitedMembers follows the API reference's
// handshake types: ENABLE_ALL_FEATURES "is always sent from the management
// account to only invited member accounts"; APPROVE_ALL_FEATURES "is sent …
// when all member accounts have approved the ENABLE_ALL_FEATURES
// invitation. It is sent only to the management account", which accepts it
// to finalize (AcceptHandshake: "Only the management account can accept …
// APPROVE_ALL_FEATURES").
func TestEnableAllFeaturesWithInvitedMembers(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	org := s.OrgClient(testserver.RootKeyID, testserver.RootSecretKey, "")
	if _, err := org.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	const aID = "240987654321"
	a := awsorg.NewFromConfig(s.NewStandaloneAccount(t, aID, "AKIAD0000000000DDDDD", "secret-of-account-d-0123456789012345678"))
	inv, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(aID), Type: types.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: inv.Handshake.Id}); err != nil {
		t.Fatal(err)
	}
	createAccount(t, org, "created") // created accounts approve implicitly
	// A second invited member, which leaves before it answers.
	const bID = "250987654321"
	b := awsorg.NewFromConfig(s.NewStandaloneAccount(t, bID, "AKIAE0000000000EEEEE", "secret-of-account-e-0123456789012345678"))
	invB, err := org.InviteAccountToOrganization(ctx, &awsorg.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(bID), Type: types.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: invB.Handshake.Id}); err != nil {
		t.Fatal(err)
	}

	ef, err := org.EnableAllFeatures(ctx, &awsorg.EnableAllFeaturesInput{})
	if err != nil {
		t.Fatal(err)
	}
	parent := aws.ToString(ef.Handshake.Id)
	la, err := a.ListHandshakesForAccount(ctx, &awsorg.ListHandshakesForAccountInput{Filter: &types.HandshakeFilter{ParentHandshakeId: aws.String(parent)}})
	if err != nil || len(la.Handshakes) != 1 || la.Handshakes[0].Action != types.ActionTypeEnableAllFeatures || la.Handshakes[0].State != types.HandshakeStateOpen {
		t.Fatalf("the invited member's request: %+v %v", la, err)
	}
	child := aws.ToString(la.Handshakes[0].Id)
	// The management account cannot finalize before the member approves.
	_, err = org.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(parent)})
	wantCode(t, err, "InvalidHandshakeTransitionException")
	_, err = org.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(child)})
	wantCode(t, err, "AccessDeniedException")

	if _, err := a.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(child)}); err != nil {
		t.Fatalf("the member approves: %v", err)
	}
	lo, err := org.ListHandshakesForOrganization(ctx, &awsorg.ListHandshakesForOrganizationInput{Filter: &types.HandshakeFilter{ParentHandshakeId: aws.String(parent)}})
	if err != nil || len(lo.Handshakes) != 2 {
		t.Fatalf("children of the request while a member has not answered: %+v %v", lo, err)
	}
	// The member that has not answered leaves: its request is withdrawn,
	// and all the remaining members have approved.
	if _, err := b.LeaveOrganization(ctx, &awsorg.LeaveOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	lo, err = org.ListHandshakesForOrganization(ctx, &awsorg.ListHandshakesForOrganizationInput{Filter: &types.HandshakeFilter{ParentHandshakeId: aws.String(parent)}})
	if err != nil || len(lo.Handshakes) != 3 {
		t.Fatalf("children of the request: %+v %v", lo, err)
	}
	var approve string
	for _, h := range lo.Handshakes {
		if h.Action == types.ActionTypeApproveAllFeatures && h.State == types.HandshakeStateOpen {
			approve = aws.ToString(h.Id)
		}
	}
	if approve == "" {
		t.Fatalf("no APPROVE_ALL_FEATURES for the management account: %+v", lo.Handshakes)
	}
	_, err = a.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(approve)})
	wantCode(t, err, "AccessDeniedException")
	if d, err := org.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{}); err != nil || d.Organization.FeatureSet != types.OrganizationFeatureSetConsolidatedBilling {
		t.Fatalf("before finalizing: %+v %v", d, err)
	}
	if _, err := org.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(approve)}); err != nil {
		t.Fatalf("finalizing: %v", err)
	}
	if d, err := org.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{}); err != nil || d.Organization.FeatureSet != types.OrganizationFeatureSetAll {
		t.Fatalf("after finalizing: %+v %v", d, err)
	}
	if dh, err := org.DescribeHandshake(ctx, &awsorg.DescribeHandshakeInput{HandshakeId: aws.String(parent)}); err != nil || dh.Handshake.State != types.HandshakeStateAccepted {
		t.Fatalf("the request: %+v %v", dh, err)
	}
}
