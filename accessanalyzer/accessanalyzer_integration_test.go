package accessanalyzer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// client calls Access Analyzer with raw REST-JSON requests signed by the
// SDK's SigV4 signer (the SDK's accessanalyzer module is not a dependency).
type client struct {
	t           *testing.T
	url         string
	key, secret string
}

// call sends one request and returns the status, the x-amzn-ErrorType
// header and the decoded JSON body.
func (c *client) call(method, path string, query url.Values, body any) (int, string, map[string]any) {
	c.t.Helper()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			c.t.Fatal(err)
		}
	}
	u := c.url + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(payload))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(payload)
	creds := aws.Credentials{AccessKeyID: c.key, SecretAccessKey: c.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "access-analyzer", "us-east-1", time.Now()); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		c.t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, raw, err)
	}
	return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), doc
}

func (c *client) ok(method, path string, query url.Values, body any) map[string]any {
	c.t.Helper()
	status, code, doc := c.call(method, path, query, body)
	if status != 200 {
		c.t.Fatalf("%s %s: %d %s %v", method, path, status, code, doc)
	}
	return doc
}

func (c *client) fails(wantStatus int, wantCode, method, path string, query url.Values, body any) map[string]any {
	c.t.Helper()
	status, code, doc := c.call(method, path, query, body)
	if status != wantStatus || code != wantCode {
		c.t.Fatalf("%s %s: got %d %s %v, want %d %s", method, path, status, code, doc, wantStatus, wantCode)
	}
	return doc
}

func trust(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
}

func TestAccessAnalyzer(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	root := &client{t: t, url: s.URL, key: testserver.RootKeyID, secret: testserver.RootSecretKey}

	// ValidatePolicy: findings in the API's shape, paged.
	doc := root.ok("POST", "/policy/validation", nil, map[string]any{
		"policyType":     "IDENTITY_POLICY",
		"policyDocument": `{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","s3:GetObjekt"],"Resource":"*"}]}`,
	})
	codes := map[string]string{}
	for _, f := range doc["findings"].([]any) {
		m := f.(map[string]any)
		codes[m["issueCode"].(string)] = m["findingType"].(string)
		if len(m["locations"].([]any)) == 0 && m["issueCode"] != "MISSING_VERSION" {
			t.Errorf("finding without a location: %v", m)
		}
	}
	for code, typ := range map[string]string{"PASS_ROLE_WITH_STAR_IN_RESOURCE": "SECURITY_WARNING", "INVALID_ACTION": "ERROR", "MISSING_VERSION": "WARNING"} {
		if codes[code] != typ {
			t.Errorf("ValidatePolicy: %s is %q, want %s (all: %v)", code, codes[code], typ, codes)
		}
	}
	page := root.ok("POST", "/policy/validation", url.Values{"maxResults": {"1"}}, map[string]any{
		"policyType": "IDENTITY_POLICY", "policyDocument": `{"Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}`,
	})
	if len(page["findings"].([]any)) != 1 || page["nextToken"] == nil {
		t.Errorf("page of one: %v", page)
	}
	bad := root.fails(400, "ValidationException", "POST", "/policy/validation", nil, map[string]any{"policyType": "NOPE", "policyDocument": "{}"})
	if bad["reason"] != "fieldValidationFailed" || bad["message"] == "" {
		t.Errorf("ValidationException document %v", bad)
	}

	// An account analyzer: one per region.
	created := root.ok("PUT", "/analyzer", nil, map[string]any{"analyzerName": "acct", "type": "ACCOUNT"})
	arn := "arn:aws:access-analyzer:us-east-1:" + testserver.AccountID + ":analyzer/acct"
	if created["arn"] != arn {
		t.Fatalf("CreateAnalyzer: %v", created)
	}
	root.fails(402, "ServiceQuotaExceededException", "PUT", "/analyzer", nil, map[string]any{"analyzerName": "second", "type": "ACCOUNT"})
	got := root.ok("GET", "/analyzer/acct", nil, nil)["analyzer"].(map[string]any)
	if got["status"] != "ACTIVE" || got["type"] != "ACCOUNT" {
		t.Errorf("GetAnalyzer: %v", got)
	}
	if _, err := time.Parse(time.RFC3339, got["createdAt"].(string)); err != nil {
		t.Errorf("createdAt is not ISO 8601: %v", got["createdAt"])
	}
	nf := root.fails(404, "ResourceNotFoundException", "GET", "/analyzer/nope", nil, nil)
	if nf["resourceId"] != "nope" {
		t.Errorf("ResourceNotFoundException document %v", nf)
	}

	// A role another account may assume is a finding; one of this account is not.
	iamc := s.RootIAM()
	for name, p := range map[string]string{"Partner": "arn:aws:iam::111122223333:root", "Internal": "arn:aws:iam::" + testserver.AccountID + ":root"} {
		if _, err := iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust(p))}); err != nil {
			t.Fatal(err)
		}
	}
	partner := "arn:aws:iam::" + testserver.AccountID + ":role/Partner"
	list := func(resource string) []any {
		return root.ok("POST", "/finding", nil, map[string]any{"analyzerArn": arn, "filter": map[string]any{"resource": map[string]any{"eq": []string{resource}}}})["findings"].([]any)
	}
	fs := list(partner)
	if len(fs) != 1 {
		t.Fatalf("findings for Partner: %v", fs)
	}
	f := fs[0].(map[string]any)
	if f["status"] != "ACTIVE" || f["resourceType"] != "AWS::IAM::Role" || f["isPublic"] != false ||
		f["principal"].(map[string]any)["AWS"] != "arn:aws:iam::111122223333:root" || f["resourceOwnerAccount"] != testserver.AccountID {
		t.Errorf("finding %v", f)
	}
	if fs := list("arn:aws:iam::" + testserver.AccountID + ":role/Internal"); len(fs) != 0 {
		t.Errorf("findings for Internal: %v", fs)
	}
	id := f["id"].(string)

	// Archive, re-open, then resolve by fixing the trust policy.
	status := func() string {
		return root.ok("GET", "/finding/"+id, url.Values{"analyzerArn": {arn}}, nil)["finding"].(map[string]any)["status"].(string)
	}
	root.ok("PUT", "/finding", nil, map[string]any{"analyzerArn": arn, "status": "ARCHIVED", "ids": []string{id}})
	if st := status(); st != "ARCHIVED" {
		t.Errorf("after archiving: %s", st)
	}
	root.ok("PUT", "/finding", nil, map[string]any{"analyzerArn": arn, "status": "ACTIVE", "resourceArn": partner})
	if st := status(); st != "ACTIVE" {
		t.Errorf("after re-opening: %s", st)
	}
	if _, err := iamc.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Partner"), PolicyDocument: aws.String(trust("arn:aws:iam::" + testserver.AccountID + ":root"))}); err != nil {
		t.Fatal(err)
	}
	if st := status(); st != "RESOLVED" {
		t.Errorf("after fixing the trust: %s", st)
	}
	res := root.ok("GET", "/analyzed-resource", url.Values{"analyzerArn": {arn}, "resourceArn": {partner}}, nil)["resource"].(map[string]any)
	if res["resourceArn"] != partner || res["isPublic"] != false || len(res["actions"].([]any)) != 0 {
		t.Errorf("analyzed resource %v", res)
	}
	root.fails(404, "ResourceNotFoundException", "POST", "/resource/scan", nil, map[string]any{"analyzerArn": arn, "resourceArn": "arn:aws:iam::" + testserver.AccountID + ":role/Gone"})

	// Archive rules archive new findings that match.
	root.ok("PUT", "/analyzer/acct/archive-rule", nil, map[string]any{"ruleName": "trusted", "filter": map[string]any{"principal.AWS": map[string]any{"contains": []string{"444455556666"}}}})
	if _, err := iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Vendor"), AssumeRolePolicyDocument: aws.String(trust("444455556666"))}); err != nil {
		t.Fatal(err)
	}
	if fs := list("arn:aws:iam::" + testserver.AccountID + ":role/Vendor"); len(fs) != 1 || fs[0].(map[string]any)["status"] != "ARCHIVED" {
		t.Errorf("finding under an archive rule: %v", fs)
	}

	// Authorization: a user without access-analyzer permissions is denied.
	if _, err := iamc.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("nobody")}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	nobody := &client{t: t, url: s.URL, key: *key.AccessKey.AccessKeyId, secret: *key.AccessKey.SecretAccessKey}
	denied := nobody.fails(403, "AccessDeniedException", "GET", "/analyzer/acct", nil, nil)
	if denied["message"] == "" {
		t.Errorf("AccessDeniedException document %v", denied)
	}
	if _, err := iamc.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"access-analyzer:Get*","Resource":"` + arn + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	nobody.ok("GET", "/analyzer/acct", nil, nil)
	nobody.fails(403, "AccessDeniedException", "DELETE", "/analyzer/acct", nil, nil)

	// Deleting the analyzer deletes its findings.
	root.ok("DELETE", "/analyzer/acct", nil, nil)
	root.fails(404, "ResourceNotFoundException", "GET", "/finding/"+id, url.Values{"analyzerArn": {arn}}, nil)
	if l := root.ok("GET", "/analyzer", nil, nil)["analyzers"].([]any); len(l) != 0 {
		t.Errorf("analyzers after delete: %v", l)
	}
}
