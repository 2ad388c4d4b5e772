package cloudtrail_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse-iam/gatehouse/api/cloudtrailapi"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

// apiError returns the AWS error code and HTTP status of err.
func apiError(err error) (string, int) {
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	code, status := "", 0
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

func wantAPIError(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	if c, s := apiError(err); c != code || s != status {
		t.Errorf("%s: got %v (%s, %d), want %s (%d)", what, err, c, s, code, status)
	}
}

// flaky is a trail store whose lookups fail on demand.
type flaky struct {
	trail.Store
	mu   sync.Mutex
	fail error
}

func (f *flaky) Lookup(ctx context.Context, q trail.Query) (trail.Page, error) {
	f.mu.Lock()
	err := f.fail
	f.mu.Unlock()
	if err != nil {
		return trail.Page{}, err
	}
	return f.Store.Lookup(ctx, q)
}

// TestLookupEventsSDK drives LookupEvents with aws-sdk-go-v2's CloudTrail
// client against a server whose trail (the SQLite backend) holds events of
// two accounts.
func TestLookupEventsSDK(t *testing.T) {
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	st := &flaky{Store: db}
	role := trail.Resource{ARN: "arn:aws:iam::" + testserver.AccountID + ":role/deploy", AccountID: testserver.AccountID, Type: "AWS::IAM::Role"}
	var es []trail.Entry
	for i := range 5 {
		es = append(es, trail.Entry{
			Account: testserver.AccountID, EventID: fmt.Sprintf("ev-%d", i), Time: base.Add(-time.Duration(5-i) * time.Minute),
			EventName: "GetRole", EventSource: "iam.amazonaws.com", Username: "root", AccessKeyID: testserver.RootKeyID,
			ReadOnly: true, Management: true, Resources: []trail.Resource{role}, JSON: []byte(fmt.Sprintf(`{"eventID":"ev-%d","eventName":"GetRole"}`, i)),
		})
	}
	es = append(es,
		trail.Entry{Account: testserver.AccountID, EventID: "write", Time: base.Add(-30 * time.Second), EventName: "CreateRole",
			EventSource: "iam.amazonaws.com", Username: "root", AccessKeyID: testserver.RootKeyID, Management: true, JSON: []byte(`{}`)},
		trail.Entry{Account: "210987654321", EventID: "foreign", Time: base, EventName: "GetRole", EventSource: "iam.amazonaws.com",
			AccessKeyID: testserver.RootKeyID, ReadOnly: true, Management: true, JSON: []byte(`{}`)},
	)
	if err := st.Append(ctx, es); err != nil {
		t.Fatal(err)
	}
	s := testserver.StartWith(t, testserver.Options{Trail: st})
	ct := awsct.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))

	// The CLI's example: the events of one access key.
	out, err := ct.LookupEvents(ctx, &awsct.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(testserver.RootKeyID)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range out.Events {
		got = append(got, aws.ToString(e.EventId))
	}
	if strings.Join(got, ",") != "write,ev-4,ev-3,ev-2,ev-1,ev-0" || out.NextToken != nil {
		t.Fatalf("events %v, token %v", got, out.NextToken)
	}
	w, e := out.Events[0], out.Events[1]
	if aws.ToString(w.ReadOnly) != "false" || aws.ToString(e.ReadOnly) != "true" || !aws.ToTime(e.EventTime).Equal(base.Add(-time.Minute)) ||
		aws.ToString(e.EventName) != "GetRole" || aws.ToString(e.EventSource) != "iam.amazonaws.com" || aws.ToString(e.Username) != "root" ||
		aws.ToString(e.AccessKeyId) != testserver.RootKeyID || aws.ToString(e.CloudTrailEvent) != `{"eventID":"ev-4","eventName":"GetRole"}` {
		t.Errorf("event %+v", e)
	}
	if len(e.Resources) != 1 || aws.ToString(e.Resources[0].ResourceType) != "AWS::IAM::Role" || aws.ToString(e.Resources[0].ResourceName) != role.ARN {
		t.Errorf("resources %+v", e.Resources)
	}
	if len(w.Resources) != 0 {
		t.Errorf("resources of an event without any: %+v", w.Resources)
	}

	// The AWS CLI (botocore) names the operation with the model's whole
	// targetPrefix, the Go SDK with its last segment; both are CloudTrail.
	// (Until the second before base: the server records its own calls,
	// this test's LookupEvents among them, in the same trail.)
	seeded := aws.Time(base.Add(-time.Second))
	cli, err := ct.LookupEvents(ctx, &awsct.LookupEventsInput{MaxResults: aws.Int32(1), EndTime: seeded}, func(o *awsct.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue("X-Amz-Target", cloudtrailapi.TargetPrefix+".LookupEvents"))
	})
	if err != nil || len(cli.Events) != 1 || aws.ToString(cli.Events[0].EventId) != "write" {
		t.Errorf("with botocore's target: %+v, %v", cli, err)
	}
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{}, func(o *awsct.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.LookupEvents"))
	})
	wantAPIError(t, "another prefix", err, "UnknownOperationException", 400)

	// The SDK's paginator follows NextToken to the end, two per page.
	p := awsct.NewLookupEventsPaginator(ct, &awsct.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetRole")}},
		MaxResults:       aws.Int32(2),
	})
	got, pages := nil, 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page.Events {
			got = append(got, aws.ToString(e.EventId))
		}
	}
	if strings.Join(got, ",") != "ev-4,ev-3,ev-2,ev-1,ev-0" || pages != 3 {
		t.Errorf("paginated %v in %d pages", got, pages)
	}

	// CloudTrail's exceptions, as JSON 1.1 errors with status 400
	// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html#API_LookupEvents_Errors).
	two := []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetRole")},
		{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("root")},
	}
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{LookupAttributes: two})
	wantAPIError(t, "two attributes", err, "InvalidLookupAttributesException", 400)
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: "SourceIPAddress", AttributeValue: aws.String("x")}}})
	wantAPIError(t, "unknown key", err, "InvalidLookupAttributesException", 400)
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{MaxResults: aws.Int32(51)})
	wantAPIError(t, "MaxResults 51", err, "InvalidMaxResultsException", 400)
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{StartTime: aws.Time(base), EndTime: aws.Time(base.Add(-time.Hour))})
	wantAPIError(t, "start after end", err, "InvalidTimeRangeException", 400)
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{EventCategory: "Data"})
	wantAPIError(t, "category Data", err, "InvalidEventCategoryException", 400)
	first, err := ct.LookupEvents(ctx, &awsct.LookupEventsInput{MaxResults: aws.Int32(1)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %+v %v", first, err)
	}
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{MaxResults: aws.Int32(1), NextToken: first.NextToken,
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyReadOnly, AttributeValue: aws.String("true")}}})
	wantAPIError(t, "token of another query", err, "InvalidNextTokenException", 400)
	ins, err := ct.LookupEvents(ctx, &awsct.LookupEventsInput{EventCategory: cttypes.EventCategoryInsight})
	if err != nil || len(ins.Events) != 0 {
		t.Errorf("insight: %+v %v", ins, err)
	}

	// A user needs cloudtrail:LookupEvents; denied, it is JSON 1.1's
	// AccessDeniedException (status 400: CloudTrail's model gives the
	// exception no other).
	iam := s.RootIAM()
	if _, err := iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("auditor")}); err != nil {
		t.Fatal(err)
	}
	key, err := iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	if err != nil {
		t.Fatal(err)
	}
	auditor := awsct.NewFromConfig(s.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)))
	_, err = auditor.LookupEvents(ctx, &awsct.LookupEventsInput{MaxResults: aws.Int32(51)})
	wantAPIError(t, "no permission", err, "AccessDeniedException", 400)
	if err != nil && !strings.Contains(err.Error(), "cloudtrail:LookupEvents") {
		t.Errorf("denial does not name the action: %v", err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"}]}`
	if _, err := iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("audit"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	out, err = auditor.LookupEvents(ctx, &awsct.LookupEventsInput{EndTime: seeded})
	if err != nil || len(out.Events) != 6 {
		t.Errorf("allowed auditor: %d events, %v", len(out.Events), err)
	}

	// Operations Gatehouse does not serve answer 501.
	_, err = ct.DescribeTrails(ctx, &awsct.DescribeTrailsInput{})
	wantAPIError(t, "DescribeTrails", err, "NotImplemented", 501)

	// An unreachable trail is a 503 the SDKs retry.
	st.mu.Lock()
	st.fail = fmt.Errorf("trail: %w", trail.ErrUnavailable)
	st.mu.Unlock()
	_, err = ct.LookupEvents(ctx, &awsct.LookupEventsInput{})
	wantAPIError(t, "trail unavailable", err, "ServiceUnavailableException", 503)
}

// Without a trail, the server has no CloudTrail endpoint: its target is an
// unknown one.
func TestLookupEventsWithoutTrail(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{NoTrail: true})
	ct := awsct.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	_, err := ct.LookupEvents(context.Background(), &awsct.LookupEventsInput{})
	wantAPIError(t, "no trail", err, "UnknownOperationException", 400)
}
