package iamcodec_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/iamcodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
)

// fakeIAM decodes each request with the generated decoders (the SDK's own
// Query serialiser is the oracle for the input side) and answers with the
// generated encoders (the SDK's deserialiser is the oracle for the output).
type fakeIAM struct {
	t     *testing.T
	svc   *query.Service
	got   any
	reply func(in any) (any, error)
}

func (f *fakeIAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { _ = f.svc.WriteError(w, "req-err", err) }
	req, err := query.ParseRequest(r, 0)
	if err != nil {
		fail(err)
		return
	}
	op, err := f.svc.Resolve(req)
	if err != nil {
		fail(err)
		return
	}
	in, err := f.svc.Decode(op, req)
	if err != nil {
		fail(err)
		return
	}
	f.got = in
	out, err := f.reply(in)
	if err != nil {
		fail(err)
		return
	}
	if err := f.svc.WriteResponse(w, op, "req-1", out); err != nil {
		f.t.Error(err)
	}
}

func newClient(t *testing.T, f *fakeIAM) *iam.Client {
	t.Helper()
	f.t = t
	f.svc = iamcodec.Service()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return iam.New(iam.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1,
		HTTPClient:       srv.Client(),
	})
}

func ptr[T any](v T) *T { return &v }

var created = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func TestSDKCreateUser(t *testing.T) {
	f := &fakeIAM{reply: func(in any) (any, error) {
		r := in.(*iamapi.CreateUserRequest)
		return &iamapi.CreateUserResponse{User: &iamapi.User{
			Path: *r.Path, UserName: r.UserName, UserId: "AIDAEXAMPLE", Arn: "arn:aws:iam::123456789012:user" + *r.Path + r.UserName,
			CreateDate: created, Tags: r.Tags,
			PermissionsBoundary: &iamapi.AttachedPermissionsBoundary{
				PermissionsBoundaryType: ptr(iamapi.PermissionsBoundaryAttachmentTypePermissionsBoundaryPolicy),
				PermissionsBoundaryArn:  r.PermissionsBoundary,
			},
		}}, nil
	}}
	c := newClient(t, f)
	out, err := c.CreateUser(context.Background(), &iam.CreateUserInput{
		UserName:            aws.String("alice@example.com"),
		Path:                aws.String("/eng/"),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"),
		Tags: []iamtypes.Tag{
			{Key: aws.String("team"), Value: aws.String("a + b = c:d@e/ f")},
			{Key: aws.String("cost-center"), Value: aws.String("")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := f.got.(*iamapi.CreateUserRequest)
	if in.UserName != "alice@example.com" || *in.Path != "/eng/" || *in.PermissionsBoundary != "arn:aws:iam::aws:policy/ReadOnlyAccess" ||
		len(in.Tags) != 2 || in.Tags[0] != (iamapi.Tag{Key: "team", Value: "a + b = c:d@e/ f"}) || in.Tags[1] != (iamapi.Tag{Key: "cost-center", Value: ""}) {
		t.Fatalf("decoded %#v", in)
	}
	u := out.User
	if aws.ToString(u.UserName) != "alice@example.com" || aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/eng/alice@example.com" ||
		!u.CreateDate.Equal(created) || len(u.Tags) != 2 || aws.ToString(u.Tags[0].Value) != "a + b = c:d@e/ f" ||
		u.PermissionsBoundary.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy ||
		u.PasswordLastUsed != nil {
		t.Fatalf("SDK parsed %#v", u)
	}
}

func TestSDKPutUserPolicy(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/x":"a+b=c&d"}}}]}`
	f := &fakeIAM{reply: func(any) (any, error) { return nil, nil }}
	c := newClient(t, f)
	if _, err := c.PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{
		UserName: aws.String("bob"), PolicyName: aws.String("p1"), PolicyDocument: aws.String(doc),
	}); err != nil {
		t.Fatal(err)
	}
	in := f.got.(*iamapi.PutUserPolicyRequest)
	if in.UserName != "bob" || in.PolicyName != "p1" || in.PolicyDocument != doc {
		t.Fatalf("decoded %#v", in)
	}
}

func TestSDKSimulateCustomPolicy(t *testing.T) {
	f := &fakeIAM{reply: func(in any) (any, error) {
		r := in.(*iamapi.SimulateCustomPolicyRequest)
		return &iamapi.SimulatePolicyResponse{
			IsTruncated: ptr(false),
			EvaluationResults: []iamapi.EvaluationResult{{
				EvalActionName:      r.ActionNames[0],
				EvalResourceName:    ptr("arn:aws:s3:::b/k"),
				EvalDecision:        iamapi.PolicyEvaluationDecisionTypeAllowed,
				EvalDecisionDetails: map[string]iamapi.PolicyEvaluationDecisionType{"PermissionsBoundaryPolicy": iamapi.PolicyEvaluationDecisionTypeAllowed},
				MatchedStatements: []iamapi.Statement{{
					SourcePolicyId: ptr("PolicyInputList.1"),
					StartPosition:  &iamapi.Position{Line: ptr(int32(1)), Column: ptr(int32(40))},
				}},
				MissingContextValues: []string{},
			}},
		}, nil
	}}
	c := newClient(t, f)
	out, err := c.SimulateCustomPolicy(context.Background(), &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
		ActionNames:     []string{"s3:GetObject", "s3:PutObject"},
		ResourceArns:    []string{"arn:aws:s3:::b/k"},
		ContextEntries: []iamtypes.ContextEntry{
			{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: iamtypes.ContextKeyTypeEnumIp, ContextKeyValues: []string{"10.0.0.1"}},
			{ContextKeyName: aws.String("aws:PrincipalTag/team"), ContextKeyType: iamtypes.ContextKeyTypeEnumStringList, ContextKeyValues: []string{"a", "b"}},
		},
		MaxItems: aws.Int32(10),
	})
	if err != nil {
		t.Fatal(err)
	}
	in := f.got.(*iamapi.SimulateCustomPolicyRequest)
	if len(in.PolicyInputList) != 1 || len(in.ActionNames) != 2 || in.ActionNames[1] != "s3:PutObject" || *in.MaxItems != 10 ||
		len(in.ContextEntries) != 2 || *in.ContextEntries[0].ContextKeyType != iamapi.ContextKeyTypeEnumIp ||
		len(in.ContextEntries[1].ContextKeyValues) != 2 || in.ContextEntries[1].ContextKeyValues[1] != "b" || in.CallerArn != nil {
		t.Fatalf("decoded %#v", in)
	}
	r := out.EvaluationResults[0]
	if out.IsTruncated || aws.ToString(r.EvalActionName) != "s3:GetObject" || r.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed ||
		r.EvalDecisionDetails["PermissionsBoundaryPolicy"] != iamtypes.PolicyEvaluationDecisionTypeAllowed ||
		r.MatchedStatements[0].StartPosition.Column != 40 {
		t.Fatalf("SDK parsed %#v", r)
	}
}

func TestSDKListUsersPagination(t *testing.T) {
	f := &fakeIAM{reply: func(in any) (any, error) {
		r := in.(*iamapi.ListUsersRequest)
		if r.Marker == nil {
			return &iamapi.ListUsersResponse{
				Users:       []iamapi.User{{Path: "/", UserName: "a", UserId: "AIDA1", Arn: "arn:aws:iam::1:user/a", CreateDate: created}},
				IsTruncated: ptr(true), Marker: ptr("next+page/=="),
			}, nil
		}
		if *r.Marker != "next+page/==" {
			return nil, awserr.InvalidInput("bad marker %q", *r.Marker)
		}
		return &iamapi.ListUsersResponse{
			Users:       []iamapi.User{{Path: "/", UserName: "b", UserId: "AIDA2", Arn: "arn:aws:iam::1:user/b", CreateDate: created}},
			IsTruncated: ptr(false),
		}, nil
	}}
	c := newClient(t, f)
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
	var names []string
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	if len(names) != 2 || names[0] != "a" || names[1] != "b" {
		t.Fatalf("names %v", names)
	}
	// A required list that is empty is still written, as <Users></Users>.
	f.reply = func(any) (any, error) {
		return &iamapi.ListUsersResponse{IsTruncated: ptr(false)}, nil
	}
	out, err := c.ListUsers(context.Background(), &iam.ListUsersInput{})
	if err != nil || out.Users == nil || len(out.Users) != 0 {
		t.Fatalf("empty page: %v %#v", err, out)
	}
}

func TestSDKCreateAccessKeyAndSummary(t *testing.T) {
	f := &fakeIAM{reply: func(any) (any, error) {
		return &iamapi.CreateAccessKeyResponse{AccessKey: iamapi.AccessKey{
			UserName: "bob", AccessKeyId: "AKIAIOSFODNN7EXAMPLE", Status: iamapi.StatusTypeActive,
			SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", CreateDate: ptr(created),
		}}, nil
	}}
	c := newClient(t, f)
	out, err := c.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if k := out.AccessKey; aws.ToString(k.SecretAccessKey) != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" || k.Status != iamtypes.StatusTypeActive || !k.CreateDate.Equal(created) {
		t.Fatalf("SDK parsed %#v", k)
	}
	if got := f.got.(*iamapi.CreateAccessKeyRequest); got.UserName == nil || *got.UserName != "bob" {
		t.Fatalf("decoded %#v", got)
	}

	f.reply = func(in any) (any, error) {
		return &iamapi.GetAccountSummaryResponse{SummaryMap: map[iamapi.SummaryKeyType]int32{
			iamapi.SummaryKeyTypeUsers: 5, iamapi.SummaryKeyTypeUsersQuota: 5000,
		}}, nil
	}
	sum, err := c.GetAccountSummary(context.Background(), &iam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["Users"] != 5 || sum.SummaryMap["UsersQuota"] != 5000 || len(sum.SummaryMap) != 2 {
		t.Fatalf("summary %v %v", err, sum)
	}
}

func TestSDKErrors(t *testing.T) {
	f := &fakeIAM{reply: func(any) (any, error) {
		return nil, awserr.NoSuchEntity("The user with name %s cannot be found.", "ghost").WithCause(errors.New("internal detail"))
	}}
	c := newClient(t, f)
	_, err := c.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("ghost")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorCode() != "NoSuchEntity" || nse.ErrorMessage() != "The user with name ghost cannot be found." {
		t.Fatalf("got %v", err)
	}
	// A decoder ValidationError becomes a generic smithy API error. IAM leaves
	// the value out of the message (query.Service.HideValues).
	_, err = c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("bad name")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" ||
		ae.ErrorMessage() != `1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+` {
		t.Fatalf("got %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		t.Fatalf("status: %v", err)
	}
}

func TestOperationTable(t *testing.T) {
	names := iamapi.OperationNames()
	if len(names) != 176 {
		t.Fatalf("%d operations, want 176", len(names))
	}
	for _, n := range names {
		op, ok := iamcodec.LookupOperation(n)
		if !ok || op.Name != n || op.HTTPMethod != "POST" || op.NewInput() == nil {
			t.Fatalf("operation %s: %#v", n, op)
		}
	}
	op, _ := iamcodec.LookupOperation("DeleteUser")
	if op.ResultWrapper != "" || len(op.Errors) == 0 {
		t.Fatalf("DeleteUser: %#v", op)
	}
	if _, ok := iamcodec.LookupOperation("NoSuchAction"); ok {
		t.Fatal("unknown action found")
	}
}
