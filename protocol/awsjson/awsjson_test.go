package awsjson_test

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/cloudtrailapi"
	"github.com/gatehouse-iam/gatehouse/api/cloudtrailcodec"
	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/api/orgcodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/awsjson"
)

func decode(t *testing.T, op, body string) (any, error) {
	t.Helper()
	o, ok := orgcodec.LookupOperation(op)
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	return orgcodec.Service().Decode(o, &awsjson.Request{Prefix: orgapi.TargetPrefix, Operation: op, Body: []byte(body)})
}

func TestDecodeValid(t *testing.T) {
	in, err := decode(t, "CreatePolicy", `{"Name":"n","Description":"d","Content":"{}","Type":"SERVICE_CONTROL_POLICY","Tags":[{"Key":"k","Value":"v"}],"Unknown":1}`)
	if err != nil {
		t.Fatal(err)
	}
	cp := in.(*orgapi.CreatePolicyRequest)
	if cp.Name != "n" || cp.Type != orgapi.PolicyTypeSERVICE_CONTROL_POLICY || len(cp.Tags) != 1 || cp.Tags[0].Value != "v" || cp.Tags[0].Key != "k" {
		t.Fatalf("decoded %+v", cp)
	}
}

// AWS answers a malformed id with InvalidInputException, Reason
// INVALID_PATTERN, "You provided a value that does not match the required
// pattern." (boto/boto3 issue 4565).
func TestDecodeConstraints(t *testing.T) {
	for _, tc := range []struct {
		op, body, code, reason string
	}{
		{"DescribeAccount", `{"AccountId":"12345"}`, "InvalidInputException", awsjson.ReasonInvalidPattern},
		{"DescribeAccount", `{}`, "InvalidInputException", awsjson.ReasonInputRequired},
		{"DescribeAccount", `{"AccountId":null}`, "InvalidInputException", awsjson.ReasonInputRequired},
		{"DescribeAccount", `{"AccountId":12}`, "SerializationException", ""},
		{"ListAccounts", `{"MaxResults":21}`, "InvalidInputException", awsjson.ReasonMaxValueExceeded},
		{"ListAccounts", `{"MaxResults":"x"}`, "SerializationException", ""},
		{"ListPolicies", `{"Filter":"NOPE"}`, "InvalidInputException", awsjson.ReasonInvalidEnum},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd","Name":""}`, "InvalidInputException", awsjson.ReasonMinLengthExceeded},
		{"ListAccounts", `[1]`, "SerializationException", ""},
		{"ListAccounts", `{"a":`, "SerializationException", ""},
	} {
		_, err := decode(t, tc.op, tc.body)
		ae, ok := awserr.As(err)
		if !ok || ae.Code != tc.code || ae.Status != 400 {
			t.Errorf("%s %s: got %v, want %s", tc.op, tc.body, err, tc.code)
			continue
		}
		if tc.reason != "" && ae.Members["Reason"] != tc.reason {
			t.Errorf("%s %s: reason of %v, want %s", tc.op, tc.body, err, tc.reason)
		}
	}
	if _, err := decode(t, "ListAccounts", ``); err != nil {
		t.Errorf("empty body: %v", err)
	}
}

func TestEncode(t *testing.T) {
	id, name := "123456789012", "a"
	at := time.Unix(1481830215, 123e6)
	st := orgapi.AccountStatusACTIVE
	out := &orgapi.ListAccountsResponse{Accounts: []orgapi.Account{{Id: &id, Name: &name, Status: &st, JoinedTimestamp: &at}, {}}}
	got := string(orgcodec.Service().MarshalResponse(out))
	want := `{"Accounts":[{"Id":"123456789012","Name":"a","Status":"ACTIVE","JoinedTimestamp":1481830215.123},{}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(orgcodec.Service().MarshalResponse(&orgapi.ListRootsResponse{Roots: []orgapi.Root{}})); got != `{"Roots":[]}` {
		t.Errorf("empty list: %s", got)
	}
	if got := string(orgcodec.Service().MarshalResponse(nil)); got != `{}` {
		t.Errorf("no output: %s", got)
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	err := (&awserr.Error{Code: "ConstraintViolationException", Status: 400, Sender: true, Message: "m \"q\""}).
		WithMembers(map[string]any{"Reason": "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"})
	if werr := orgcodec.Service().WriteError(w, "rid", err); werr != nil {
		t.Fatal(werr)
	}
	if w.Code != 400 || w.Header().Get("Content-Type") != awsjson.ContentType || w.Header().Get("x-amzn-RequestId") != "rid" {
		t.Errorf("status %d headers %v", w.Code, w.Header())
	}
	// Organizations' exception shapes name the member "Message" (the model).
	want := `{"__type":"ConstraintViolationException","Message":"m \"q\"","Reason":"MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"}`
	if w.Body.String() != want {
		t.Errorf("body %s", w.Body.String())
	}
	w = httptest.NewRecorder()
	_ = orgcodec.Service().WriteError(w, "rid", errors.New("secret cause"))
	if w.Code != 500 || w.Body.String() != `{"__type":"InternalFailure","Message":"The request processing has failed because of an unknown error, exception or failure."}` {
		t.Errorf("internal: %d %s", w.Code, w.Body.String())
	}
}

func TestResolve(t *testing.T) {
	s := orgcodec.Service()
	if _, err := s.Resolve(&awsjson.Request{Prefix: orgapi.TargetPrefix, Operation: "Nope"}); err == nil {
		t.Error("unknown operation resolved")
	}
	if _, err := s.Resolve(&awsjson.Request{Prefix: "Other", Operation: "ListRoots"}); err == nil {
		t.Error("other prefix resolved")
	}
	if op, err := s.Resolve(&awsjson.Request{Prefix: orgapi.TargetPrefix, Operation: "ListRoots"}); err != nil || op.Name != "ListRoots" {
		t.Errorf("ListRoots: %v", err)
	}
}

// A SelfValidating service (CloudTrail) gets its inputs as sent, constraint
// failures included, and answers them with its own exceptions (LookupEvents'
// InvalidMaxResultsException for MaxResults outside 1 to 50:
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html);
// a value of the wrong JSON type is still SerializationException, even after
// a constraint failure.
func TestDecodeSelfValidating(t *testing.T) {
	api := cloudtrailcodec.Service()
	o, _ := cloudtrailcodec.LookupOperation("LookupEvents")
	dec := func(body string) (any, error) {
		return api.Decode(o, &awsjson.Request{Prefix: cloudtrailapi.TargetPrefix, Operation: "LookupEvents", Body: []byte(body)})
	}
	in, err := dec(`{"MaxResults":51,"EventCategory":"Data","LookupAttributes":[{"AttributeKey":"Nope","AttributeValue":""},null,{}]}`)
	if err != nil {
		t.Fatalf("constraint failures reached the codec: %v", err)
	}
	le := in.(*cloudtrailapi.LookupEventsRequest)
	if *le.MaxResults != 51 || *le.EventCategory != "Data" || len(le.LookupAttributes) != 2 || le.LookupAttributes[0].AttributeKey != "Nope" {
		t.Fatalf("decoded %+v", le)
	}
	for _, body := range []string{`{"MaxResults":"5"}`, `{"MaxResults":51,"StartTime":"yesterday"}`, `{"LookupAttributes":{}}`, `[]`} {
		_, err := dec(body)
		if ae, ok := awserr.As(err); !ok || ae.Code != "SerializationException" || ae.Status != 400 {
			t.Errorf("%s: got %v, want SerializationException", body, err)
		}
	}
}

// Lists of lists of maps (CloudTrail's QueryResultRows) and longs are written
// as the model shapes them.
func TestEncodeNestedAndLong(t *testing.T) {
	n := int64(1) << 40
	out := &cloudtrailapi.GetQueryResultsResponse{
		QueryStatistics: &cloudtrailapi.QueryStatistics{BytesScanned: &n},
		QueryResultRows: [][]map[string]string{{{"eventName": "CreateUser"}, {"b": "2", "a": "1"}}, {}},
	}
	want := `{"QueryStatistics":{"BytesScanned":1099511627776},"QueryResultRows":[[{"eventName":"CreateUser"},{"a":"1","b":"2"}],[]]}`
	if got := string(cloudtrailcodec.Service().MarshalResponse(out)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// A target's operation is its last segment: CloudTrail's prefix holds dots.
// A service answers to its model's prefix and to the prefix's last segment
// (botocore sends the first, aws-sdk-go-v2 the second).
func TestTargetPrefixes(t *testing.T) {
	for _, tc := range []struct{ header, prefix, op string }{
		{"AWSOrganizationsV20161128.ListAccounts", "AWSOrganizationsV20161128", "ListAccounts"},
		{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "LookupEvents"},
		{"NoDot", "NoDot", ""},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("X-Amz-Target", tc.header)
		prefix, op, err := awsjson.Target(r)
		if err != nil || prefix != tc.prefix || op != tc.op {
			t.Errorf("%s: got %q %q %v", tc.header, prefix, op, err)
		}
	}
	ct := cloudtrailcodec.Service()
	for _, prefix := range []string{cloudtrailapi.TargetPrefix, "CloudTrail_20131101"} {
		if op, err := ct.Resolve(&awsjson.Request{Prefix: prefix, Operation: "LookupEvents"}); err != nil || op.Name != "LookupEvents" {
			t.Errorf("prefix %s: %v", prefix, err)
		}
	}
	for _, prefix := range []string{"com.amazonaws.cloudtrail.v20131101", "cloudtrail_20131101", orgapi.TargetPrefix} {
		if _, err := ct.Resolve(&awsjson.Request{Prefix: prefix, Operation: "LookupEvents"}); err == nil {
			t.Errorf("prefix %s resolved", prefix)
		}
	}
	if got := orgcodec.Service().Prefixes(); len(got) != 1 || got[0] != orgapi.TargetPrefix {
		t.Errorf("Organizations' prefixes %v", got)
	}
}
