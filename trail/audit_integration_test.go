package trail_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// lookup returns every entry of a query, following its pages, once the
// requests answered so far are in the trail (behind its journal).
func lookup(t *testing.T, s *testserver.Server, q trail.Query) []trail.Entry {
	t.Helper()
	s.FlushTrail(t)
	st := s.Trail
	if q.Limit == 0 {
		q.Limit = 7 // small pages, so paging is exercised
	}
	var out []trail.Entry
	for {
		p, err := st.Lookup(t.Context(), q)
		if err != nil {
			t.Fatalf("Lookup(%+v): %v", q, err)
		}
		out = append(out, p.Entries...)
		if p.Next == nil {
			return out
		}
		q.After = p.Next
	}
}

func record(t *testing.T, e trail.Entry) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.JSON, &m); err != nil {
		t.Fatalf("event %s: %v", e.JSON, err)
	}
	return m
}

func names(es []trail.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.EventName)
	}
	return out
}

// The IAM User Guide's key rotation (id_credentials_access-keys.md,
// "Rotating access keys"): create a second key, switch the application to
// it, check with CloudTrail that the first is no longer used, deactivate it,
// confirm, delete it. Every request — a success, a denial with its reason,
// a request with the deactivated key — is in the trail, attributed to its
// key; no secret ever is.
func TestKeyRotationIsVisibleInTheTrail(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	root := s.RootIAM()
	var secrets []string
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/alice"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("self"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Rotate-Me-2026!x")}); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, "Rotate-Me-2026!x")
	newKey := func() *iamtypes.AccessKey {
		out, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, *out.AccessKey.SecretAccessKey)
		return out.AccessKey
	}
	key1 := newKey()
	alice1 := s.IAMClient(*key1.AccessKeyId, *key1.SecretAccessKey)
	if _, err := alice1.GetUser(ctx, &awsiam.GetUserInput{}); err != nil {
		t.Fatal(err)
	}
	// A denied call, recorded with Gatehouse's reason.
	_, err := alice1.ListUsers(ctx, &awsiam.ListUsersInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("ListUsers = %v, want AccessDenied", err)
	}
	key2 := newKey()
	alice2 := s.IAMClient(*key2.AccessKeyId, *key2.SecretAccessKey)
	for range 2 {
		if _, err := alice2.GetUser(ctx, &awsiam.GetUserInput{}); err != nil {
			t.Fatal(err)
		}
	}

	byKey := func(id string) []trail.Entry {
		return lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByAccessKeyID, Value: id})
	}
	if got := names(byKey(*key1.AccessKeyId)); strings.Join(got, ",") != "ListUsers,GetUser" {
		t.Fatalf("events of key 1 = %v, want ListUsers,GetUser (newest first)", got)
	}
	if got := names(byKey(*key2.AccessKeyId)); strings.Join(got, ",") != "GetUser,GetUser" {
		t.Fatalf("events of key 2 = %v", got)
	}
	denied := record(t, byKey(*key1.AccessKeyId)[0])
	if denied["errorCode"] != "AccessDenied" || !strings.Contains(denied["errorMessage"].(string), "iam:ListUsers") {
		t.Errorf("denied event: %v", denied)
	}
	decision, _ := denied["additionalEventData"].(map[string]any)["gatehouseDecision"].(map[string]any)
	if decision["action"] != "iam:ListUsers" || !strings.Contains(decision["reason"].(string), "implicitDeny: because no identity-based policy allows the iam:ListUsers action") {
		t.Errorf("denied event's decision = %v", decision)
	}
	ok := record(t, byKey(*key2.AccessKeyId)[0])
	ui := ok["userIdentity"].(map[string]any)
	if ok["eventSource"] != "iam.amazonaws.com" || ok["readOnly"] != true || ok["responseElements"] != nil ||
		ui["type"] != "IAMUser" || ui["userName"] != "alice" || ui["accessKeyId"] != *key2.AccessKeyId ||
		ui["arn"] != "arn:aws:iam::123456789012:user/alice" || ok["recipientAccountId"] != testserver.AccountID ||
		ok["awsRegion"] != "us-east-1" || ok["eventType"] != "AwsApiCall" {
		t.Errorf("GetUser event: %v", ok)
	}

	// The same question through CloudTrail's API, as the guide asks it:
	// aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=...
	ct := awsct.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	looked, err := ct.LookupEvents(ctx, &awsct.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: key2.AccessKeyId}}})
	if err != nil || len(looked.Events) != 2 {
		t.Fatalf("LookupEvents by key 2 = %+v, %v", looked, err)
	}
	if e := looked.Events[0]; aws.ToString(e.EventName) != "GetUser" || aws.ToString(e.Username) != "alice" ||
		aws.ToString(e.ReadOnly) != "true" || !strings.Contains(aws.ToString(e.CloudTrailEvent), `"accessKeyId":"`+*key2.AccessKeyId+`"`) {
		t.Errorf("LookupEvents event = %+v", e)
	}

	// Deactivate key 1; a client still using it is refused, and the
	// attempt is recorded against the key.
	if _, err := root.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: key1.AccessKeyId, Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice1.GetUser(ctx, &awsiam.GetUserInput{}); err == nil {
		t.Fatal("GetUser with a deactivated key succeeded")
	}
	late := byKey(*key1.AccessKeyId)
	// The key is refused before the request's body (and so its
	// operation, in AWS Query) is read: the event names no operation.
	if len(late) != 3 || late[0].EventName != "Unknown" || record(t, late[0])["errorCode"] != "InvalidClientTokenId" ||
		record(t, late[0])["userIdentity"].(map[string]any)["type"] != "Unknown" {
		t.Fatalf("events of key 1 after deactivation = %v", names(late))
	}
	if _, err := root.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: key1.AccessKeyId}); err != nil {
		t.Fatal(err)
	}

	// The root user's management calls: CreateAccessKey's response is
	// recorded without its secret; CreateLoginProfile's request without the
	// password.
	creates := lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByEventName, Value: "CreateAccessKey"})
	if len(creates) != 2 {
		t.Fatalf("CreateAccessKey events = %d", len(creates))
	}
	ck := record(t, creates[0])
	resp, _ := ck["responseElements"].(map[string]any)
	if ak, _ := resp["accessKey"].(map[string]any); ak["accessKeyId"] != *key2.AccessKeyId || ak["userName"] != "alice" || ak["secretAccessKey"] != nil {
		t.Errorf("CreateAccessKey responseElements = %v", resp)
	}
	if ck["readOnly"] != false || ck["userIdentity"].(map[string]any)["type"] != "Root" || creates[0].Username != "root" {
		t.Errorf("CreateAccessKey event = %v", ck)
	}
	lp := lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByEventName, Value: "CreateLoginProfile"})
	if len(lp) != 1 || !strings.Contains(string(lp[0].JSON), `"requestParameters":{"userName":"alice"}`) {
		t.Errorf("CreateLoginProfile event = %s", lp[0].JSON)
	}
	if users := lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByUsername, Value: "alice"}); len(users) != 4 {
		t.Errorf("alice's events = %v, want 4 (the refused one has no user)", names(users))
	}
	// A call on a made-up ARN of another account that fails writes
	// nothing into that account's trail (review finding M1).
	if _, err := root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::999999999999:policy/Forged")}); err == nil {
		t.Fatal("GetPolicy of a made-up policy succeeded")
	}
	if forged := lookup(t, s, trail.Query{Account: "999999999999", IncludeData: true, Limit: 10}); len(forged) != 0 {
		t.Errorf("events written into another account's trail: %v", names(forged))
	}
	noSecrets(t, s, secrets)
}

// A call on another account's resource is recorded in both accounts with
// one sharedEventID (IAM User Guide, cloudtrail-integration.md, the
// cross-account AssumeRole example); the role's account sees the caller as
// an AWSAccount. Neither record holds the session's secret or token.
func TestCrossAccountAssumeRoleInBothTrails(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	const other = "210987654321"
	b := s.NewStandaloneAccount(t, other, "AKIAOTHERACCOUNTROOT", "otherRootSecret0000000000000000000000000")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	if _, err := awsiam.NewFromConfig(b).CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Shared"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	// Root users may not assume roles: a user of the first account does.
	if _, err := s.RootIAM().CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RootIAM().PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	keys, err := s.RootIAM().CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.STSClient(*keys.AccessKey.AccessKeyId, *keys.AccessKey.SecretAccessKey).AssumeRole(ctx, &awssts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + other + ":role/Shared"), RoleSessionName: aws.String("audit"), SourceIdentity: aws.String("ops")})
	if err != nil {
		t.Fatal(err)
	}
	mine := lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByEventName, Value: "AssumeRole"})
	theirs := lookup(t, s, trail.Query{Account: other, Key: trail.ByEventName, Value: "AssumeRole"})
	if len(mine) != 1 || len(theirs) != 1 {
		t.Fatalf("AssumeRole events: %d in the caller's account, %d in the role's", len(mine), len(theirs))
	}
	m, o := record(t, mine[0]), record(t, theirs[0])
	if m["sharedEventID"] == nil || m["sharedEventID"] != o["sharedEventID"] || m["eventID"] == o["eventID"] {
		t.Errorf("sharedEventID %v / %v, eventID %v / %v", m["sharedEventID"], o["sharedEventID"], m["eventID"], o["eventID"])
	}
	if o["recipientAccountId"] != other || o["userIdentity"].(map[string]any)["type"] != "AWSAccount" ||
		o["userIdentity"].(map[string]any)["accountId"] != testserver.AccountID {
		t.Errorf("the role account's record: %v", o)
	}
	res, _ := m["resources"].([]any)
	if len(res) != 1 || res[0].(map[string]any)["type"] != "AWS::IAM::Role" {
		t.Errorf("resources = %v", m["resources"])
	}
	if rp, _ := m["requestParameters"].(map[string]any); rp["roleSessionName"] != "audit" || rp["sourceIdentity"] != "ops" {
		t.Errorf("requestParameters = %v", m["requestParameters"])
	}
	creds := m["responseElements"].(map[string]any)["credentials"].(map[string]any)
	if creds["accessKeyId"] != *out.Credentials.AccessKeyId || creds["sessionToken"] != nil || creds["secretAccessKey"] != nil {
		t.Errorf("credentials in the record = %v", creds)
	}
	// The session's own calls are attributed to the role session.
	sess := awsiam.NewFromConfig(s.SessionConfig(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken))
	if _, err := sess.ListRoles(ctx, &awsiam.ListRolesInput{}); err == nil {
		t.Fatal("a session of a role without policies listed roles")
	}
	lr := lookup(t, s, trail.Query{Account: other, Key: trail.ByEventName, Value: "ListRoles"})
	if len(lr) != 1 || lr[0].Username != "audit" || lr[0].Principal != "arn:aws:iam::"+other+":role/Shared" {
		t.Fatalf("the session's ListRoles = %+v", lr)
	}
	ui := record(t, lr[0])["userIdentity"].(map[string]any)
	sc := ui["sessionContext"].(map[string]any)
	if ui["type"] != "AssumedRole" || sc["sourceIdentity"] != "ops" || sc["sessionIssuer"].(map[string]any)["userName"] != "Shared" {
		t.Errorf("session userIdentity = %v", ui)
	}
	noSecrets(t, s, []string{*out.Credentials.SecretAccessKey, *out.Credentials.SessionToken, "otherRootSecret0000000000000000000000000",
		*keys.AccessKey.SecretAccessKey})
}

// S3 object operations are data events: in the trail (and its export),
// not in LookupEvents' management events, as in CloudTrail's event history
// (cloudtrail-logging-s3-info: "The CloudTrail Event history doesn't record
// data events").
func TestS3DataEvents(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	c := s.RootS3()
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("audited")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("audited"), Key: aws.String("a.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	mgmt := names(lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByEventSource, Value: "s3.amazonaws.com"}))
	all := lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByEventSource, Value: "s3.amazonaws.com", IncludeData: true})
	if strings.Join(mgmt, ",") != "CreateBucket" || len(all) != 2 || all[0].EventName != "PutObject" || all[0].Management {
		t.Fatalf("management events %v, all %v", mgmt, names(all))
	}
	put := record(t, all[0])
	if put["eventCategory"] != "Data" || put["managementEvent"] != false {
		t.Errorf("PutObject event: %v", put)
	}
	objs := lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByResourceName, Value: "arn:aws:s3:::audited/a.txt", IncludeData: true})
	if len(objs) != 1 {
		t.Errorf("events of the object: %v", names(objs))
	}
}

// noSecrets reads every event of every account and fails if any holds one
// of secrets.
func noSecrets(t *testing.T, s *testserver.Server, secrets []string) {
	t.Helper()
	for _, account := range []string{testserver.AccountID, "210987654321"} {
		for _, e := range lookup(t, s, trail.Query{Account: account, IncludeData: true, Start: time.Now().Add(-time.Hour), Limit: 50}) {
			for _, secret := range secrets {
				if strings.Contains(string(e.JSON), secret) {
					t.Errorf("a secret is in the trail: %s", e.JSON)
				}
			}
		}
	}
}

// TestFailedAuthenticationsAreBounded sends many requests that name a real
// access key with a wrong secret: each fails with SignatureDoesNotMatch,
// but the key owner's trail keeps only a bounded number of their events,
// so that whoever saw a key id cannot fill its account's trail.
func TestFailedAuthenticationsAreBounded(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := t.Context()
	root := s.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("target")}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("target")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(k.AccessKey.AccessKeyId)
	forger := s.IAMClient(id, "not-the-secret-not-the-secret-not-the-s")
	const sent = 60
	for range sent {
		_, err := forger.GetUser(ctx, &awsiam.GetUserInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "SignatureDoesNotMatch" {
			t.Fatalf("forged request: %v", err)
		}
	}
	got := lookup(t, s, trail.Query{Account: testserver.AccountID, Key: trail.ByAccessKeyID, Value: id})
	if len(got) == 0 || len(got) >= sent/2 {
		t.Fatalf("%d events for %d failed authentications; want some, bounded", len(got), sent)
	}
}
