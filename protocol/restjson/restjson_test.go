package restjson_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/api/analyzercodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/restjson"
)

func decode(t *testing.T, method, target, body string) (any, *restjson.Request, error) {
	t.Helper()
	svc := analyzercodec.Service()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	req, err := svc.Resolve(r, []byte(body))
	if err != nil {
		return nil, nil, err
	}
	in, err := svc.Decode(req)
	return in, req, err
}

func TestRouting(t *testing.T) {
	tests := []struct {
		method, target, want string
	}{
		{"GET", "/analyzer", "ListAnalyzers"},
		{"PUT", "/analyzer", "CreateAnalyzer"},
		{"GET", "/analyzer/my-analyzer", "GetAnalyzer"},
		{"DELETE", "/analyzer/my-analyzer", "DeleteAnalyzer"},
		// A literal segment wins over a label.
		{"POST", "/analyzer/findings/statistics", "GetFindingsStatistics"},
		{"GET", "/analyzer/a/archive-rule/r", "GetArchiveRule"},
		{"POST", "/policy/validation", "ValidatePolicy"},
		{"GET", "/finding/abc?analyzerArn=x", "GetFinding"},
		{"GET", "/analyzer/", "ListAnalyzers"},
	}
	for _, tt := range tests {
		_, req, err := decode(t, tt.method, tt.target, "")
		if err != nil && !isValidation(err) {
			t.Errorf("%s %s: %v", tt.method, tt.target, err)
			continue
		}
		if req != nil && req.Op.Name != tt.want {
			t.Errorf("%s %s: routed to %s, want %s", tt.method, tt.target, req.Op.Name, tt.want)
		}
	}
	for _, bad := range [][2]string{{"GET", "/nowhere"}, {"PATCH", "/analyzer"}, {"GET", "/analyzer/a/b/c/d"}} {
		_, _, err := decode(t, bad[0], bad[1], "")
		if ae, ok := awserr.As(err); !ok || ae.Code != "UnknownOperationException" || ae.Status != 404 {
			t.Errorf("%s %s: got %v, want UnknownOperationException", bad[0], bad[1], err)
		}
	}
}

func isValidation(err error) bool {
	ae, ok := awserr.As(err)
	return ok && ae.Code == "ValidationException"
}

func TestBindings(t *testing.T) {
	arn := "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/a"
	in, _, err := decode(t, "GET", "/finding/f-1?analyzerArn="+arn, "")
	if err != nil {
		t.Fatal(err)
	}
	gf := in.(*analyzerapi.GetFindingRequest)
	if gf.Id != "f-1" || gf.AnalyzerArn != arn {
		t.Errorf("GetFinding bound %+v", gf)
	}
	// A label is unescaped after the path is split: %2F stays in the label.
	in, _, err = decode(t, "GET", "/tags/"+strings.ReplaceAll(arn, "/", "%2F"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := in.(*analyzerapi.ListTagsForResourceRequest).ResourceArn; got != arn {
		t.Errorf("resourceArn = %q", got)
	}
	// Query members and body members together.
	in, _, err = decode(t, "POST", "/policy/validation?maxResults=5&nextToken=t", `{"policyType":"IDENTITY_POLICY","policyDocument":"{}","ignored":1}`)
	if err != nil {
		t.Fatal(err)
	}
	vp := in.(*analyzerapi.ValidatePolicyRequest)
	if vp.MaxResults == nil || *vp.MaxResults != 5 || vp.NextToken == nil || *vp.NextToken != "t" || vp.PolicyType != analyzerapi.PolicyTypeIDENTITY_POLICY {
		t.Errorf("ValidatePolicy bound %+v", vp)
	}
	// A body member cannot stand in for a bound one.
	_, _, err = decode(t, "GET", "/finding/f-1", `{"analyzerArn":"`+arn+`"}`)
	if !isValidation(err) {
		t.Errorf("analyzerArn in the body of GetFinding: got %v, want ValidationException", err)
	}
	_, _, err = decode(t, "POST", "/policy/validation?maxResults=five", `{"policyType":"IDENTITY_POLICY","policyDocument":"{}"}`)
	if ae, ok := awserr.As(err); !ok || ae.Code != "SerializationException" {
		t.Errorf("maxResults=five: got %v", err)
	}
}

func TestValidationException(t *testing.T) {
	_, _, err := decode(t, "POST", "/policy/validation", `{"policyType":"NOPE"}`)
	if !isValidation(err) {
		t.Fatalf("got %v", err)
	}
	w := httptest.NewRecorder()
	if werr := analyzercodec.Service().WriteError(w, "req-1", err); werr != nil {
		t.Fatal(werr)
	}
	if w.Code != http.StatusBadRequest || w.Header().Get("x-amzn-ErrorType") != "ValidationException" || w.Header().Get("x-amzn-RequestId") != "req-1" {
		t.Errorf("status %d, headers %v", w.Code, w.Header())
	}
	var doc struct {
		Message   string                `json:"message"`
		Reason    string                `json:"reason"`
		FieldList []restjson.FieldError `json:"fieldList"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Reason != "fieldValidationFailed" || len(doc.FieldList) != 2 {
		t.Fatalf("document %s", w.Body)
	}
	want := "2 validation errors detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null; " +
		"Value 'NOPE' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]"
	if doc.Message != want {
		t.Errorf("message\n got %s\nwant %s", doc.Message, want)
	}
}

func TestInternalErrorsAreHidden(t *testing.T) {
	w := httptest.NewRecorder()
	_ = analyzercodec.Service().WriteError(w, "r", errors.New("disk on fire"))
	if w.Code != 500 || w.Header().Get("x-amzn-ErrorType") != "InternalServerException" || strings.Contains(w.Body.String(), "disk") {
		t.Errorf("got %d %v %s", w.Code, w.Header(), w.Body)
	}
}

func TestResponseTimestamps(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("x", 3600))
	out := &analyzerapi.GetAnalyzerResponse{Analyzer: analyzerapi.AnalyzerSummary{
		Arn: "arn", Name: "n", Type: analyzerapi.TypeACCOUNT, CreatedAt: at, Status: analyzerapi.AnalyzerStatusACTIVE,
	}}
	w := httptest.NewRecorder()
	op, _ := analyzercodec.LookupOperation("GetAnalyzer")
	if err := analyzercodec.Service().WriteResponse(w, op, "r", out); err != nil {
		t.Fatal(err)
	}
	want := `{"analyzer":{"arn":"arn","name":"n","type":"ACCOUNT","createdAt":"2026-03-04T04:06:07.89Z","status":"ACTIVE"}}`
	if w.Body.String() != want || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("got %s", w.Body)
	}
}
