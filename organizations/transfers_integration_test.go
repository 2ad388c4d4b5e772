package organizations_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestResponsibilityTransfers follows the API reference of
// InviteOrganizationToTransferResponsibility, AcceptHandshake ("Only the
// management account can accept … Billing transfer (TRANSFER_RESPONSIBILITY)"),
// DeclineHandshake, DescribeResponsibilityTransfer, the inbound and
// outbound listings, UpdateResponsibilityTransfer and
// TerminateResponsibilityTransfer, with the transfer ARN of the Service
// Authorization Reference (transfer/o-…/billing/inbound|outbound/rt-…).
func TestResponsibilityTransfers(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	a := s.OrgClient(testserver.RootKeyID, testserver.RootSecretKey, "")
	coA, err := a.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	orgA := aws.ToString(coA.Organization.Id)
	const bID = "220987654321"
	b := awsorg.NewFromConfig(s.NewStandaloneAccount(t, bID, "AKIAB0000000000BBBBB", "secret-of-account-b-0123456789012345678"))

	now := time.Now().UTC()
	nextMonth := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	invite := func(target string) (*awsorg.InviteOrganizationToTransferResponsibilityOutput, error) {
		return a.InviteOrganizationToTransferResponsibility(ctx, &awsorg.InviteOrganizationToTransferResponsibilityInput{
			Type: types.ResponsibilityTransferTypeBilling, Target: &types.HandshakeParty{Id: aws.String(target), Type: types.HandshakePartyTypeAccount},
			StartTimestamp: aws.Time(nextMonth), SourceName: aws.String("b-billing"), Notes: aws.String("we pay")})
	}
	_, err = a.InviteOrganizationToTransferResponsibility(ctx, &awsorg.InviteOrganizationToTransferResponsibilityInput{
		Type: types.ResponsibilityTransferTypeBilling, Target: &types.HandshakeParty{Id: aws.String(bID), Type: types.HandshakePartyTypeAccount},
		StartTimestamp: aws.Time(nextMonth.Add(time.Hour)), SourceName: aws.String("x")})
	wantError(t, err, "InvalidInputException", "START_DATE_NOT_BEGINNING_OF_MONTH", "")
	_, err = invite(testserver.AccountID)
	wantError(t, err, "HandshakeConstraintViolationException", "SOURCE_AND_TARGET_CANNOT_MATCH", "")

	inv, err := invite(bID)
	if err != nil {
		t.Fatal(err)
	}
	h := inv.Handshake
	hid := aws.ToString(h.Id)
	if h.Action != types.ActionTypeTransferResponsibility || h.State != types.HandshakeStateOpen ||
		aws.ToString(h.Arn) != "arn:aws:organizations::"+testserver.AccountID+":handshake/"+orgA+"/transfer_responsibility/"+hid ||
		len(h.Resources) < 2 || h.Resources[0].Type != types.HandshakeResourceTypeResponsibilityTransfer {
		t.Fatalf("handshake %+v", h)
	}
	rt := aws.ToString(h.Resources[0].Value)
	if !regexp.MustCompile(`^rt-[0-9a-z]{8,32}$`).MatchString(rt) {
		t.Fatalf("transfer id %q", rt)
	}
	_, err = invite(bID)
	wantCode(t, err, "DuplicateHandshakeException")

	// The invited account must manage an organization to accept.
	lb, err := b.ListHandshakesForAccount(ctx, &awsorg.ListHandshakesForAccountInput{})
	if err != nil || len(lb.Handshakes) != 1 || aws.ToString(lb.Handshakes[0].Id) != hid {
		t.Fatalf("ListHandshakesForAccount: %+v %v", lb, err)
	}
	_, err = b.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(hid)})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	coB, err := b.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	orgB := aws.ToString(coB.Organization.Id)
	dt, err := a.DescribeResponsibilityTransfer(ctx, &awsorg.DescribeResponsibilityTransferInput{Id: aws.String(rt)})
	if err != nil || dt.ResponsibilityTransfer.Status != types.ResponsibilityTransferStatusRequested {
		t.Fatalf("DescribeResponsibilityTransfer before accepting: %+v %v", dt, err)
	}
	ah, err := b.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(hid)})
	if err != nil || ah.Handshake.State != types.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake: %+v %v", ah, err)
	}

	// Each side sees it under its own ARN.
	in, err := a.ListInboundResponsibilityTransfers(ctx, &awsorg.ListInboundResponsibilityTransfersInput{Type: types.ResponsibilityTransferTypeBilling})
	if err != nil || len(in.ResponsibilityTransfers) != 1 {
		t.Fatalf("inbound: %+v %v", in, err)
	}
	tr := in.ResponsibilityTransfers[0]
	if aws.ToString(tr.Id) != rt || tr.Status != types.ResponsibilityTransferStatusAccepted || aws.ToString(tr.Name) != "b-billing" ||
		aws.ToString(tr.Arn) != "arn:aws:organizations::"+testserver.AccountID+":transfer/"+orgA+"/billing/inbound/"+rt ||
		aws.ToString(tr.Source.ManagementAccountId) != bID || aws.ToString(tr.Target.ManagementAccountId) != testserver.AccountID ||
		!tr.StartTimestamp.Equal(nextMonth) || aws.ToString(tr.ActiveHandshakeId) != hid {
		t.Fatalf("inbound transfer %+v", tr)
	}
	out, err := b.ListOutboundResponsibilityTransfers(ctx, &awsorg.ListOutboundResponsibilityTransfersInput{Type: types.ResponsibilityTransferTypeBilling})
	if err != nil || len(out.ResponsibilityTransfers) != 1 ||
		aws.ToString(out.ResponsibilityTransfers[0].Arn) != "arn:aws:organizations::"+bID+":transfer/"+orgB+"/billing/outbound/"+rt {
		t.Fatalf("outbound: %+v %v", out, err)
	}
	if out, err := a.ListOutboundResponsibilityTransfers(ctx, &awsorg.ListOutboundResponsibilityTransfersInput{Type: types.ResponsibilityTransferTypeBilling}); err != nil || len(out.ResponsibilityTransfers) != 0 {
		t.Fatalf("the inviter has no outbound transfer: %+v %v", out, err)
	}
	_, err = a.ListInboundResponsibilityTransfers(ctx, &awsorg.ListInboundResponsibilityTransfersInput{Type: types.ResponsibilityTransferTypeBilling, Id: aws.String("rt-00000000")})
	wantCode(t, err, "ResponsibilityTransferNotFoundException")
	_, err = b.DescribeResponsibilityTransfer(ctx, &awsorg.DescribeResponsibilityTransferInput{Id: aws.String("rt-00000000")})
	wantError(t, err, "ResponsibilityTransferNotFoundException", "", "We can't find a transfer that you specified.")

	up, err := b.UpdateResponsibilityTransfer(ctx, &awsorg.UpdateResponsibilityTransferInput{Id: aws.String(rt), Name: aws.String("renamed")})
	if err != nil || aws.ToString(up.ResponsibilityTransfer.Name) != "renamed" {
		t.Fatalf("UpdateResponsibilityTransfer: %+v %v", up, err)
	}
	// An organization with a transfer cannot be deleted.
	_, err = b.DeleteOrganization(ctx, &awsorg.DeleteOrganizationInput{})
	wantError(t, err, "ConstraintViolationException", "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS", "")

	_, err = b.TerminateResponsibilityTransfer(ctx, &awsorg.TerminateResponsibilityTransferInput{Id: aws.String(rt), EndTimestamp: aws.Time(nextMonth)})
	wantError(t, err, "InvalidInputException", "END_DATE_NOT_END_OF_MONTH", "")
	end := time.Date(nextMonth.Year(), nextMonth.Month()+1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Millisecond)
	te, err := b.TerminateResponsibilityTransfer(ctx, &awsorg.TerminateResponsibilityTransferInput{Id: aws.String(rt), EndTimestamp: aws.Time(end)})
	if err != nil || te.ResponsibilityTransfer.Status != types.ResponsibilityTransferStatusWithdrawn || !te.ResponsibilityTransfer.EndTimestamp.Equal(end) {
		t.Fatalf("TerminateResponsibilityTransfer: %+v %v", te, err)
	}
	_, err = a.TerminateResponsibilityTransfer(ctx, &awsorg.TerminateResponsibilityTransferInput{Id: aws.String(rt)})
	wantCode(t, err, "ResponsibilityTransferAlreadyInStatusException")

	// A declined invitation declines its transfer, which cannot be ended.
	inv2, err := invite(bID)
	if err != nil {
		t.Fatal(err)
	}
	rt2 := aws.ToString(inv2.Handshake.Resources[0].Value)
	if _, err := b.DeclineHandshake(ctx, &awsorg.DeclineHandshakeInput{HandshakeId: inv2.Handshake.Id}); err != nil {
		t.Fatal(err)
	}
	d2, err := a.DescribeResponsibilityTransfer(ctx, &awsorg.DescribeResponsibilityTransferInput{Id: aws.String(rt2)})
	if err != nil || d2.ResponsibilityTransfer.Status != types.ResponsibilityTransferStatusDeclined {
		t.Fatalf("declined transfer: %+v %v", d2, err)
	}
	_, err = a.TerminateResponsibilityTransfer(ctx, &awsorg.TerminateResponsibilityTransferInput{Id: aws.String(rt2)})
	wantCode(t, err, "InvalidResponsibilityTransferTransitionException")
	if _, err := b.DeleteOrganization(ctx, &awsorg.DeleteOrganizationInput{}); err != nil {
		t.Fatalf("DeleteOrganization once the transfers ended: %v", err)
	}

	// GovCloud is a partition Gatehouse does not serve.
	_, err = a.CreateGovCloudAccount(ctx, &awsorg.CreateGovCloudAccountInput{Email: aws.String("gov@example.com"), AccountName: aws.String("gov")})
	wantError(t, err, "ConstraintViolationException", "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED", "")
	_, err = b.CreateGovCloudAccount(ctx, &awsorg.CreateGovCloudAccountInput{Email: aws.String("gov@example.com"), AccountName: aws.String("gov")})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
}
