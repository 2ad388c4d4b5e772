package iam_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

const (
	partnerAccount = "210987654321"
	thirdAccount   = "333333333333"
	// delegationTemplate lets the partner read users and create one role
	// whose name the request fixes (temporary-delegation-policy-templates.html).
	delegationTemplate = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"},
 {"Effect":"Allow","Action":"iam:CreateRole","Resource":"arn:aws:iam::*:role/@{roleName}"}]}`
)

// partnerInbox is the partner's notification endpoint: it records the SNS
// notifications SendDelegationToken posts.
type partnerInbox struct {
	srv   *httptest.Server
	notes chan map[string]string
}

func newPartnerInbox(t *testing.T) *partnerInbox {
	in := &partnerInbox{notes: make(chan map[string]string, 4)}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env map[string]string
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &env); err != nil || r.Header.Get("x-amz-sns-message-type") != "Notification" {
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		var msg map[string]string
		if err := json.Unmarshal([]byte(env["Message"]), &msg); err != nil {
			http.Error(w, "bad message", http.StatusBadRequest)
			return
		}
		msg["TopicArn"] = env["TopicArn"]
		in.notes <- msg
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *partnerInbox) next(t *testing.T) map[string]string {
	t.Helper()
	select {
	case m := <-in.notes:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no notification reached the partner")
		return nil
	}
}

// customerUser creates a user of the customer account with an inline policy
// and returns a client signed with its key and its ARN.
func customerUser(t *testing.T, srv *testserver.Server, name, doc string) (*awsiam.Client, aws.Config) {
	t.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey)
	return awsiam.NewFromConfig(cfg), cfg
}

const adminPolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`

func createDelegation(ctx context.Context, c *awsiam.Client, tmplARN, workflow string, owner *string, duration int32) (*awsiam.CreateDelegationRequestOutput, error) {
	return c.CreateDelegationRequest(ctx, &awsiam.CreateDelegationRequestInput{
		OwnerAccountId: owner, Description: aws.String("Set up the Example integration"),
		Permissions: &types.DelegationPermission{PolicyTemplateArn: aws.String(tmplARN),
			Parameters: []types.PolicyParameter{{Name: aws.String("roleName"), Values: []string{"ExampleIntegration"}, Type: types.PolicyParameterTypeEnumString}}},
		RequestorWorkflowId: aws.String(workflow), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partnerAccount + ":delegation"),
		SessionDuration: aws.Int32(duration),
	})
}

// TestDelegationFlow drives IAM temporary delegation end to end: a partner
// account creates a request from its template, a customer user associates,
// forwards, accepts and releases it, the token reaches the partner's
// endpoint, the partner exchanges it once for credentials limited to the
// request's policy (access_policies-temporary-delegation.html,
// temporary-delegation-building-integration.html, API_*DelegationRequest,
// API_GetDelegatedAccessToken).
func TestDelegationFlow(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	partnerCfg := srv.NewStandaloneAccount(t, partnerAccount, "AKIAPARTNEREXAMPLE01", "partnerSecretKeyExampleExampleExample0001")
	thirdCfg := srv.NewStandaloneAccount(t, thirdAccount, "AKIATHIRDACCTEXAMPLE", "thirdSecretKeyExampleExampleExample00001")
	partner, third := awsiam.NewFromConfig(partnerCfg), awsiam.NewFromConfig(thirdCfg)
	inbox := newPartnerInbox(t)

	// Not onboarded: "This API is not available for general use."
	_, err := createDelegation(ctx, partner, "arn:aws:iam::"+partnerAccount+":delegation-template/setup", "wf-00001", nil, 3600)
	wantCode(t, err, "AccessDenied")

	arns, err := srv.IAM.RegisterDelegationPartner(ctx, partnerAccount, "Example Partner", inbox.srv.URL, map[string]string{"setup": delegationTemplate})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := arns[0]

	// Bad inputs.
	_, err = createDelegation(ctx, partner, "arn:aws:iam::"+partnerAccount+":delegation-template/other", "wf-00002", nil, 3600)
	wantCode(t, err, "InvalidInput")
	_, err = partner.CreateDelegationRequest(ctx, &awsiam.CreateDelegationRequestInput{Description: aws.String("x"),
		Permissions:         &types.DelegationPermission{PolicyTemplateArn: aws.String(tmpl)},
		RequestorWorkflowId: aws.String("wf-00003"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partnerAccount + ":delegation"),
		SessionDuration: aws.Int32(3600)})
	wantCodeMessage(t, err, "InvalidInput", "The policy parameter roleName is missing.")
	_, err = createDelegation(ctx, partner, tmpl, "wf-00004", nil, 43200+1)
	wantCode(t, err, "ValidationError")

	owner := aws.String(testserver.AccountID)
	cr, err := createDelegation(ctx, partner, tmpl, "wf-10001", owner, 3600)
	if err != nil {
		t.Fatal(err)
	}
	id := *cr.DelegationRequestId
	_, err = createDelegation(ctx, partner, tmpl, "wf-10001", nil, 3600)
	wantCode(t, err, "EntityAlreadyExists")

	alice, aliceCfg := customerUser(t, srv, "alice", adminPolicy)
	bob, _ := customerUser(t, srv, "bob", "")

	// A request targeted to the customer is invisible to other accounts.
	_, err = third.GetDelegationRequest(ctx, &awsiam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "NoSuchEntity")
	_, err = third.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "NoSuchEntity")

	// Unowned: any identity of the owner account may get it (bob has no
	// policy at all: the default permission).
	g, err := bob.GetDelegationRequest(ctx, &awsiam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	dr := g.DelegationRequest
	if dr.State != types.StateTypeUnassigned || *dr.RequestorId != partnerAccount || *dr.RequestorName != "Example Partner" ||
		!strings.Contains(*dr.PermissionPolicy, `arn:aws:iam::*:role/ExampleIntegration`) || *dr.SessionDuration != 3600 || dr.OwnerId != nil {
		t.Fatalf("request %+v", dr)
	}
	// ...but not associate it without iam:AssociateDelegationRequest.
	_, err = bob.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "AccessDenied")
	// Not yet associated: cannot be accepted.
	_, err = alice.AcceptDelegationRequest(ctx, &awsiam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "InvalidInput")

	if _, err := alice.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "InvalidInput")
	// Owned by alice: bob (no policy) may no longer read it.
	_, err = bob.GetDelegationRequest(ctx, &awsiam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "AccessDenied")
	aliceARN := "arn:aws:iam::" + testserver.AccountID + ":user/alice"
	l, err := alice.ListDelegationRequests(ctx, &awsiam.ListDelegationRequestsInput{OwnerId: aws.String(aliceARN)})
	if err != nil || len(l.DelegationRequests) != 1 || *l.DelegationRequests[0].OwnerId != aliceARN || l.DelegationRequests[0].State != types.StateTypeAssigned {
		t.Fatalf("ListDelegationRequests %+v %v", l, err)
	}
	if l, err := partner.ListDelegationRequests(ctx, &awsiam.ListDelegationRequestsInput{}); err != nil || len(l.DelegationRequests) != 0 {
		t.Fatalf("partner's ListDelegationRequests %+v %v", l, err)
	}

	// Forwarded for approval, then accepted.
	if _, err := alice.UpdateDelegationRequest(ctx, &awsiam.UpdateDelegationRequestInput{DelegationRequestId: aws.String(id), Notes: aws.String("please approve")}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.AcceptDelegationRequest(ctx, &awsiam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	g, err = alice.GetDelegationRequest(ctx, &awsiam.GetDelegationRequestInput{DelegationRequestId: aws.String(id), DelegationPermissionCheck: true})
	if err != nil || g.DelegationRequest.State != types.StateTypeAccepted || *g.DelegationRequest.ApproverId != aliceARN ||
		*g.DelegationRequest.Notes != "please approve" || g.PermissionCheckStatus != types.PermissionCheckStatusTypeComplete {
		t.Fatalf("accepted request %+v %v", g, err)
	}

	sum, err := alice.GetHumanReadableSummary(ctx, &awsiam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":delegation-request/" + id)})
	if err != nil || sum.SummaryState != types.SummaryStateTypeAvailable || !strings.Contains(*sum.SummaryContent, "list users (List, iam:ListUsers)") ||
		!strings.Contains(*sum.SummaryContent, "Example Partner (AWS account "+partnerAccount+") asks for temporary access to your account for 1 hour") {
		t.Fatalf("summary %+v %v", sum, err)
	}
	sum, err = alice.GetHumanReadableSummary(ctx, &awsiam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":delegation-request/" + id), Locale: aws.String("fr-FR")})
	if err != nil || sum.SummaryState != types.SummaryStateTypeNotSupported || *sum.Locale != "fr-FR" {
		t.Fatalf("summary fr-FR %+v %v", sum, err)
	}
	_, err = alice.GetHumanReadableSummary(ctx, &awsiam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":user/alice")})
	wantCode(t, err, "InvalidInput")

	// Released: the token reaches the partner's endpoint.
	if _, err := alice.SendDelegationToken(ctx, &awsiam.SendDelegationTokenInput{DelegationRequestId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	note := inbox.next(t)
	token := note["tradeInToken"]
	if note["delegationRequestId"] != id || note["requestorWorkflowId"] != "wf-10001" || len(token) < 40 ||
		note["TopicArn"] != "arn:aws:sns:us-east-1:"+partnerAccount+":delegation" {
		t.Fatalf("notification %v", note)
	}
	_, err = alice.SendDelegationToken(ctx, &awsiam.SendDelegationTokenInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "InvalidInput")
	_, err = alice.RejectDelegationRequest(ctx, &awsiam.RejectDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantCode(t, err, "InvalidInput")

	// Only the partner's account can trade the token in; a wrong token
	// and another account's attempt are refused without spending it.
	partnerSTS, thirdSTS := awssts.NewFromConfig(partnerCfg), awssts.NewFromConfig(thirdCfg)
	_, err = thirdSTS.GetDelegatedAccessToken(ctx, &awssts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)})
	wantCodeMessage(t, err, "ExpiredTradeInTokenException", "The trade-in token provided in the request has expired and can no longer be exchanged for credentials. Request a new token and retry the operation.")
	_, err = partnerSTS.GetDelegatedAccessToken(ctx, &awssts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token + "x")})
	wantCode(t, err, "ExpiredTradeInTokenException")
	dt, err := partnerSTS.GetDelegatedAccessToken(ctx, &awssts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)})
	if err != nil {
		t.Fatal(err)
	}
	if *dt.AssumedPrincipal != aliceARN || !strings.HasPrefix(*dt.Credentials.AccessKeyId, "ASIA") ||
		time.Until(*dt.Credentials.Expiration) > time.Hour || time.Until(*dt.Credentials.Expiration) < 55*time.Minute {
		t.Fatalf("delegated credentials %+v", dt)
	}
	// Single use.
	_, err = partnerSTS.GetDelegatedAccessToken(ctx, &awssts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)})
	wantCode(t, err, "ExpiredTradeInTokenException")

	// The credentials act as alice, limited to the request's policy.
	sessCfg := srv.SessionConfig(*dt.Credentials.AccessKeyId, *dt.Credentials.SecretAccessKey, *dt.Credentials.SessionToken)
	who, err := awssts.NewFromConfig(sessCfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || *who.Arn != aliceARN || *who.Account != testserver.AccountID {
		t.Fatalf("GetCallerIdentity %+v %v", who, err)
	}
	delegated := awsiam.NewFromConfig(sessCfg)
	if _, err := delegated.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + partnerAccount + `:root"},"Action":"sts:AssumeRole"}}`
	if _, err := delegated.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ExampleIntegration"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	_, err = delegated.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Other"), AssumeRolePolicyDocument: aws.String(trust)})
	wantCode(t, err, "AccessDenied")
	_, err = delegated.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mallory")})
	wantCode(t, err, "AccessDenied")
	// alice herself keeps her permissions.
	if _, err := awsiam.NewFromConfig(aliceCfg).CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
}

// TestDelegationRejectAndRoot covers the rejection path ("Once a request is
// rejected, it cannot be accepted or updated later. Rejected requests expire
// after 7 days.") and the root user's limit ("root users can only approve
// delegation requests with a duration of 4 hours or less"), with a request
// that names no owner account and OnlySendByOwner.
func TestDelegationRejectAndRoot(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	partnerCfg := srv.NewStandaloneAccount(t, partnerAccount, "AKIAPARTNEREXAMPLE01", "partnerSecretKeyExampleExampleExample0001")
	partner := awsiam.NewFromConfig(partnerCfg)
	inbox := newPartnerInbox(t)
	arns, err := srv.IAM.RegisterDelegationPartner(ctx, partnerAccount, "Example Partner", inbox.srv.URL, map[string]string{"setup": delegationTemplate})
	if err != nil {
		t.Fatal(err)
	}
	root := srv.RootIAM()

	// Rejection, with notes, after acceptance.
	cr, err := createDelegation(ctx, partner, arns[0], "wf-20001", nil, 3600)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.String(*cr.DelegationRequestId)
	if _, err := root.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AcceptDelegationRequest(ctx, &awsiam.AcceptDelegationRequestInput{DelegationRequestId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.RejectDelegationRequest(ctx, &awsiam.RejectDelegationRequestInput{DelegationRequestId: id, Notes: aws.String("not now")}); err != nil {
		t.Fatal(err)
	}
	g, err := root.GetDelegationRequest(ctx, &awsiam.GetDelegationRequestInput{DelegationRequestId: id})
	if err != nil {
		t.Fatal(err)
	}
	if d := g.DelegationRequest; d.State != types.StateTypeRejected || *d.RejectionReason != "not now" || *d.OwnerAccountId != testserver.AccountID ||
		time.Until(*d.ExpirationTime) < 7*24*time.Hour-time.Minute || time.Until(*d.ExpirationTime) > 7*24*time.Hour+time.Minute {
		t.Fatalf("rejected request %+v", d)
	}
	for _, err := range []error{
		func() error {
			_, err := root.AcceptDelegationRequest(ctx, &awsiam.AcceptDelegationRequestInput{DelegationRequestId: id})
			return err
		}(),
		func() error {
			_, err := root.UpdateDelegationRequest(ctx, &awsiam.UpdateDelegationRequestInput{DelegationRequestId: id})
			return err
		}(),
		func() error {
			_, err := root.SendDelegationToken(ctx, &awsiam.SendDelegationTokenInput{DelegationRequestId: id})
			return err
		}(),
	} {
		wantCode(t, err, "InvalidInput")
	}
	// The partner cannot associate its own request; an unknown id is NoSuchEntity.
	cr, err = createDelegation(ctx, partner, arns[0], "wf-20002", nil, 5*3600)
	if err != nil {
		t.Fatal(err)
	}
	_, err = partner.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: cr.DelegationRequestId})
	wantCode(t, err, "InvalidInput")
	_, err = root.GetDelegationRequest(ctx, &awsiam.GetDelegationRequestInput{DelegationRequestId: aws.String("dr-doesnotexist00000")})
	wantCode(t, err, "NoSuchEntity")

	// The root user cannot approve five hours.
	if _, err := root.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: cr.DelegationRequestId}); err != nil {
		t.Fatal(err)
	}
	_, err = root.AcceptDelegationRequest(ctx, &awsiam.AcceptDelegationRequestInput{DelegationRequestId: cr.DelegationRequestId})
	wantCode(t, err, "InvalidInput")

	// A root-approved request of one hour: the delegated root session has
	// only the request's permissions; OnlySendByOwner keeps others (an
	// admin user of the account) from releasing it.
	out, err := partner.CreateDelegationRequest(ctx, &awsiam.CreateDelegationRequestInput{Description: aws.String("x"),
		Permissions: &types.DelegationPermission{PolicyTemplateArn: aws.String(arns[0]),
			Parameters: []types.PolicyParameter{{Name: aws.String("roleName"), Values: []string{"R1"}}}},
		RequestorWorkflowId: aws.String("wf-20003"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partnerAccount + ":delegation"),
		SessionDuration: aws.Int32(3600), OnlySendByOwner: true})
	if err != nil {
		t.Fatal(err)
	}
	id = out.DelegationRequestId
	for _, step := range []func() error{
		func() error {
			_, err := root.AssociateDelegationRequest(ctx, &awsiam.AssociateDelegationRequestInput{DelegationRequestId: id})
			return err
		},
		func() error {
			_, err := root.AcceptDelegationRequest(ctx, &awsiam.AcceptDelegationRequestInput{DelegationRequestId: id})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	admin, _ := customerUser(t, srv, "admin", adminPolicy)
	_, err = admin.SendDelegationToken(ctx, &awsiam.SendDelegationTokenInput{DelegationRequestId: id})
	wantCode(t, err, "AccessDenied")
	if _, err := root.SendDelegationToken(ctx, &awsiam.SendDelegationTokenInput{DelegationRequestId: id}); err != nil {
		t.Fatal(err)
	}
	note := inbox.next(t)
	dt, err := awssts.NewFromConfig(partnerCfg).GetDelegatedAccessToken(ctx, &awssts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(note["tradeInToken"])})
	if err != nil {
		t.Fatal(err)
	}
	if *dt.AssumedPrincipal != "arn:aws:iam::"+testserver.AccountID+":root" {
		t.Fatalf("AssumedPrincipal %s", *dt.AssumedPrincipal)
	}
	delegated := awsiam.NewFromConfig(srv.SessionConfig(*dt.Credentials.AccessKeyId, *dt.Credentials.SecretAccessKey, *dt.Credentials.SessionToken))
	if _, err := delegated.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = delegated.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mallory")})
	wantCode(t, err, "AccessDenied")
}
