package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/decision"
	"github.com/gatehouse-iam/gatehouse/decision/client"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// env is a server with a calling service and users whose requests it
// forwards.
type env struct {
	ts       *testserver.Server
	service  *client.Client // holds gatehouse:Authorize and gatehouse:AuthorizePrincipal
	alice    aws.Credentials
	aliceARN string
}

func creds(id, secret, token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(id, secret, token)
}

// newUser creates a user with an inline policy and returns its key.
func newUser(t *testing.T, ts *testserver.Server, name, doc string) (aws.Credentials, string) {
	return newUserTB(t, ts, name, doc)
}

func newUserTB(t testing.TB, ts *testserver.Server, name, doc string) (aws.Credentials, string) {
	t.Helper()
	ctx := context.Background()
	root := ts.RootIAM()
	u, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
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
	return aws.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}, *u.User.Arn
}

const servicePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["gatehouse:Authorize","gatehouse:AuthorizePrincipal"],"Resource":"*",
 "Condition":{"StringLike":{"gatehouse:Action":["myservice:*","s3:*"]}}}]}`

const alicePolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Things","Effect":"Allow","Action":"myservice:*","Resource":"arn:aws:myservice:us-east-1:123456789012:thing/*"},
 {"Sid":"NoSecret","Effect":"Deny","Action":"myservice:*","Resource":"arn:aws:myservice:us-east-1:123456789012:thing/secret"},
 {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

func newEnv(t *testing.T) *env {
	ts := testserver.Start(t)
	svc, _ := newUser(t, ts, "service", servicePolicy)
	alice, arn := newUser(t, ts, "alice", alicePolicy)
	c := client.New(ts.URL, creds(svc.AccessKeyID, svc.SecretAccessKey, ""))
	c.Region = "eu-west-1" // any region
	return &env{ts: ts, service: c, alice: alice, aliceARN: arn}
}

// forward signs a request to myservice with c, as a client of that service
// would, and returns it as the service forwards it.
func forward(t testing.TB, c aws.Credentials, service, method, target string, body []byte) *decision.SignedRequest {
	t.Helper()
	r, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if err := v4.NewSigner().SignHTTP(context.Background(), c, r, hash, service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return client.Forwarded(r, hash)
}

const thing = "arn:aws:myservice:us-east-1:123456789012:thing/"

func apiError(t *testing.T, err error, status int, typ string) *client.Error {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v, want the API's %s", err, typ)
	}
	if ce.Status != status || ce.Type != typ {
		t.Fatalf("error = %v, want HTTP %d %s", ce, status, typ)
	}
	return ce
}

func TestDecisionAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	fwd := func() *decision.SignedRequest {
		return forward(t, e.alice, "myservice", "POST", "https://myservice.example.com/things/a%20b?x=1&y=2", []byte(`{"thing":"a b"}`))
	}

	t.Run("forwarded/allow", func(t *testing.T) {
		resp, err := e.service.Authorize(ctx, decision.Request{Forwarded: fwd(), Action: "myservice:DoThing", Resource: thing + "a"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.Allow || resp.Principal.ARN != e.aliceARN || resp.Principal.Type != "User" || resp.Principal.Account != testserver.AccountID {
			t.Fatalf("got %+v", resp)
		}
		if len(resp.MatchedStatements) != 1 || resp.MatchedStatements[0].Sid != "Things" || resp.MatchedStatements[0].Effect != "Allow" {
			t.Fatalf("matched %+v", resp.MatchedStatements)
		}
	})
	t.Run("forwarded/implicit deny", func(t *testing.T) {
		resp, err := e.service.Authorize(ctx, decision.Request{Forwarded: fwd(), Action: "myservice:DoThing", Resource: "arn:aws:myservice:us-east-1:123456789012:other/a"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.ImplicitDeny || resp.Layer != "identityPolicy" ||
			resp.Reason != "because no identity-based policy allows the myservice:DoThing action" {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("forwarded/explicit deny", func(t *testing.T) {
		resp, err := e.service.Authorize(ctx, decision.Request{Forwarded: fwd(), Action: "myservice:DoThing", Resource: thing + "secret"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.ExplicitDeny || resp.DenyingStatement == nil || resp.DenyingStatement.Sid != "NoSecret" ||
			resp.Reason != "with an explicit deny in an identity-based policy" {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("forwarded/s3 path as sent", func(t *testing.T) {
		f := forwardS3(t, e.alice, "https://bucket.s3.example.com/a%20b/c")
		resp, err := e.service.Authorize(ctx, decision.Request{Forwarded: f, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/a b/c"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.ImplicitDeny || resp.Principal.ARN != e.aliceARN {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("forwarded/tampered signature", func(t *testing.T) {
		f := fwd()
		a := f.Headers["Authorization"][0]
		last := a[len(a)-1]
		repl := byte('0')
		if last == '0' {
			repl = '1'
		}
		f.Headers["Authorization"] = []string{a[:len(a)-1] + string(repl)}
		_, err := e.service.Authorize(ctx, decision.Request{Forwarded: f, Action: "myservice:DoThing", Resource: thing + "a"})
		ce := apiError(t, err, 403, "ForwardedRequestNotAuthenticatedException")
		if ce.Reason != "SignatureDoesNotMatch" || !strings.Contains(ce.Message, "does not match") {
			t.Fatalf("error %+v", ce)
		}
	})
	t.Run("forwarded/tampered payload", func(t *testing.T) {
		f := fwd()
		f.PayloadSHA256 = strings.Repeat("0", 64)
		_, err := e.service.Authorize(ctx, decision.Request{Forwarded: f, Action: "myservice:DoThing", Resource: thing + "a"})
		apiError(t, err, 403, "ForwardedRequestNotAuthenticatedException")
	})
	t.Run("forwarded/unknown key", func(t *testing.T) {
		f := forward(t, aws.Credentials{AccessKeyID: "AKIAEXAMPLEUNKNOWN00", SecretAccessKey: "x"}, "myservice", "GET", "https://myservice.example.com/", nil)
		_, err := e.service.Authorize(ctx, decision.Request{Forwarded: f, Action: "myservice:DoThing", Resource: thing + "a"})
		if ce := apiError(t, err, 403, "ForwardedRequestNotAuthenticatedException"); ce.Reason != "InvalidClientTokenId" {
			t.Fatalf("error %+v", ce)
		}
	})
	t.Run("forwarded/expired", func(t *testing.T) {
		r, _ := http.NewRequest("GET", "https://myservice.example.com/", nil)
		sum := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(ctx, e.alice, r, hex.EncodeToString(sum[:]), "myservice", "us-east-1", time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		h := map[string][]string{"Host": {r.Host}}
		for k, vs := range r.Header {
			h[k] = vs
		}
		f := &decision.SignedRequest{Method: "GET", Path: "/", Headers: h, PayloadSHA256: hex.EncodeToString(sum[:])}
		_, err := e.service.Authorize(ctx, decision.Request{Forwarded: f, Action: "myservice:DoThing", Resource: thing + "a"})
		if ce := apiError(t, err, 403, "ForwardedRequestNotAuthenticatedException"); ce.Reason != "SignatureDoesNotMatch" || !strings.Contains(ce.Message, "expired") {
			t.Fatalf("error %+v", ce)
		}
	})

	t.Run("principal/user", func(t *testing.T) {
		resp, err := e.service.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: thing + "a"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.Allow || resp.Principal.ARN != e.aliceARN {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("principal/root", func(t *testing.T) {
		resp, err := e.service.Authorize(ctx, decision.Request{Principal: "arn:aws:iam::123456789012:root", Action: "myservice:DoThing", Resource: thing + "a"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.Allow || resp.Principal.Type != "Account" {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("principal/unknown user", func(t *testing.T) {
		_, err := e.service.Authorize(ctx, decision.Request{Principal: "arn:aws:iam::123456789012:user/nobody", Action: "myservice:DoThing", Resource: thing + "a"})
		apiError(t, err, 404, "ResourceNotFoundException")
	})

	// A role, assumed by alice with and without a session policy.
	root := e.ts.RootIAM()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	role, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("reader"), Path: aws.String("/apps/"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	roleDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"myservice:*","Resource":"*"}]}`
	if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"), PolicyDocument: aws.String(roleDoc)}); err != nil {
		t.Fatal(err)
	}
	assume := func(t *testing.T, sessionPolicy string) aws.Credentials {
		in := &awssts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("job-1")}
		if sessionPolicy != "" {
			in.Policy = aws.String(sessionPolicy)
		}
		out, err := e.ts.STSClient(e.alice.AccessKeyID, e.alice.SecretAccessKey).AssumeRole(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		c := out.Credentials
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
	}
	sessionARN := "arn:aws:sts::123456789012:assumed-role/reader/job-1"
	t.Run("forwarded/session", func(t *testing.T) {
		f := forward(t, assume(t, ""), "myservice", "GET", "https://myservice.example.com/x", nil)
		resp, err := e.service.Authorize(ctx, decision.Request{Forwarded: f, Action: "myservice:ListThings", Resource: "*"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.Allow || resp.Principal.ARN != sessionARN || resp.Principal.Type != "AssumedRole" {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("forwarded/session policy", func(t *testing.T) {
		sp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"myservice:Read*","Resource":"*"}]}`
		f := forward(t, assume(t, sp), "myservice", "GET", "https://myservice.example.com/x", nil)
		resp, err := e.service.Authorize(ctx, decision.Request{Forwarded: f, Action: "myservice:DeleteThing", Resource: "*"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.ImplicitDeny || resp.Layer != "sessionPolicy" {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("principal/role session", func(t *testing.T) {
		for _, req := range []decision.Request{
			{Principal: sessionARN},
			{Principal: *role.Role.Arn, SessionName: "job-1"},
		} {
			req.Action, req.Resource = "myservice:ListThings", "*"
			resp, err := e.service.Authorize(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Decision != decision.Allow || resp.Principal.ARN != sessionARN || resp.Principal.Type != "AssumedRole" {
				t.Fatalf("%+v: got %+v", req, resp)
			}
		}
		_, err := e.service.Authorize(ctx, decision.Request{Principal: *role.Role.Arn, Action: "myservice:ListThings", Resource: "*"})
		apiError(t, err, 400, "ValidationException")
		_, err = e.service.Authorize(ctx, decision.Request{Principal: "arn:aws:iam::123456789012:role/reader", SessionName: "s1", Action: "myservice:ListThings", Resource: "*"})
		apiError(t, err, 404, "ResourceNotFoundException") // the role's path is /apps/
	})

	t.Run("context/forged keys refused", func(t *testing.T) {
		for _, k := range []string{"aws:PrincipalArn", "aws:principalaccount", "aws:userid", "aws:username", "aws:PrincipalTag/team", "aws:PrincipalOrgID", "aws:CurrentTime"} {
			_, err := e.service.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: thing + "a",
				Context: map[string][]string{k: {"x"}}})
			apiError(t, err, 400, "ForbiddenContextKeyException")
		}
	})
	t.Run("context/service keys apply", func(t *testing.T) {
		resp, err := e.service.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: thing + "a",
			Context: map[string][]string{"myservice:Color": {"red"}, "aws:SourceIp": {"192.0.2.1"}}})
		if err != nil || resp.Decision != decision.Allow {
			t.Fatalf("got %+v %v", resp, err)
		}
	})
	t.Run("caller/without permission", func(t *testing.T) {
		nk, _ := newUser(t, e.ts, "noperm", "")
		c := client.New(e.ts.URL, creds(nk.AccessKeyID, nk.SecretAccessKey, ""))
		_, err := c.Authorize(ctx, decision.Request{Forwarded: fwd(), Action: "myservice:DoThing", Resource: thing + "a"})
		ce := apiError(t, err, 403, "AccessDeniedException")
		if !strings.Contains(ce.Message, "gatehouse:Authorize") {
			t.Fatalf("message %q", ce.Message)
		}
		_, err = c.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: thing + "a"})
		if ce := apiError(t, err, 403, "AccessDeniedException"); !strings.Contains(ce.Message, "gatehouse:AuthorizePrincipal") {
			t.Fatalf("message %q", ce.Message)
		}
		// Without the permission, nothing is learnt of which principals exist.
		_, err = c.Authorize(ctx, decision.Request{Principal: "arn:aws:iam::123456789012:user/nobody", Action: "myservice:DoThing", Resource: "*"})
		apiError(t, err, 403, "AccessDeniedException")
		// The service's own policy limits the actions it may ask about.
		_, err = e.service.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "iam:DeleteUser", Resource: "*"})
		apiError(t, err, 403, "AccessDeniedException")
	})
	t.Run("caller/session credentials", func(t *testing.T) {
		// A role session may call the API when its role allows it.
		if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("decide"), PolicyDocument: aws.String(servicePolicy)}); err != nil {
			t.Fatal(err)
		}
		sc := assume(t, "")
		c := client.New(e.ts.URL, creds(sc.AccessKeyID, sc.SecretAccessKey, sc.SessionToken))
		resp, err := c.Authorize(ctx, decision.Request{Forwarded: fwd(), Action: "myservice:DoThing", Resource: thing + "a"})
		if err != nil || resp.Decision != decision.Allow || resp.Principal.ARN != e.aliceARN {
			t.Fatalf("got %+v %v", resp, err)
		}
	})
	t.Run("caller/unsigned", func(t *testing.T) {
		resp, err := http.Post(e.ts.URL+"/v1/authorize", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
			t.Fatalf("status %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
	})
	t.Run("caller/not POST", func(t *testing.T) {
		r, _ := http.NewRequest("GET", e.ts.URL+"/v1/authorize", nil)
		sum := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(ctx, e.alice, r, hex.EncodeToString(sum[:]), "gatehouse", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("X-Amzn-ErrorType") != "MethodNotAllowedException" {
			t.Fatalf("status %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
	})
	t.Run("routing/other services keep the path", func(t *testing.T) {
		// An unsigned read of /v1/authorize is S3's (bucket v1, key authorize).
		resp, err := http.Get(e.ts.URL + "/v1/authorize")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Content-Type") == "application/json" || resp.Header.Get("X-Amzn-ErrorType") != "" {
			t.Fatalf("an unsigned GET reached the decision API: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("caller/bad signature", func(t *testing.T) {
		c := client.New(e.ts.URL, creds(e.alice.AccessKeyID, "wrong", ""))
		_, err := c.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: "*"})
		apiError(t, err, 403, "InvalidSignatureException")
	})
	t.Run("bounds/body", func(t *testing.T) {
		big := map[string][]string{}
		for i := 0; i < 90; i++ {
			big["myservice:k"+strings.Repeat("x", 3)+string(rune('a'+i%26))+string(rune('a'+i/26))] = []string{strings.Repeat("v", 800)}
		}
		_, err := e.service.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: "*", Context: big})
		apiError(t, err, 413, "RequestTooLargeException")
	})
	t.Run("resource policy/malformed", func(t *testing.T) {
		_, err := e.service.Authorize(ctx, decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: "*", ResourcePolicy: `{"Statement":[]`})
		apiError(t, err, 400, "MalformedPolicyDocumentException")
	})

	// The organization: an SCP in a member account, and a resource policy
	// granting across accounts.
	m := e.ts.NewMember(t)
	bobCfg := m.NewUserWithKey(t, e.ts, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["myservice:*","s3:*"],"Resource":"*"}]}`)
	bob, err := bobCfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bobARN := "arn:aws:iam::" + m.Account + ":user/bob"
	t.Run("scp/member account", func(t *testing.T) {
		req := decision.Request{Forwarded: forward(t, bob, "myservice", "GET", "https://myservice.example.com/", nil),
			Action: "myservice:DeleteThing", Resource: "arn:aws:myservice:us-east-1:" + m.Account + ":thing/a"}
		resp, err := e.service.Authorize(ctx, req)
		if err != nil || resp.Decision != decision.Allow {
			t.Fatalf("before the SCP: %+v %v", resp, err)
		}
		m.AttachSCP(t, "no-delete", `{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"myservice:Delete*","Resource":"*"}]}`)
		req.Forwarded = forward(t, bob, "myservice", "GET", "https://myservice.example.com/", nil)
		resp, err = e.service.Authorize(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.ExplicitDeny || resp.Layer != "serviceControlPolicy" ||
			resp.Reason != "with an explicit deny in a service control policy" || resp.DenyingStatement == nil || resp.DenyingStatement.Sid != "NoDelete" {
			t.Fatalf("got %+v", resp)
		}
		resp, err = e.service.Authorize(ctx, decision.Request{Principal: bobARN, Action: "myservice:DeleteThing", Resource: "*"})
		if err != nil || resp.Decision != decision.ExplicitDeny {
			t.Fatalf("vouched: %+v %v", resp, err)
		}
	})
	t.Run("resource policy/cross account", func(t *testing.T) {
		object := "arn:aws:s3:::shared-bucket/report.csv"
		req := decision.Request{Principal: bobARN, Action: "s3:GetObject", Resource: object, ResourceAccount: testserver.AccountID}
		resp, err := e.service.Authorize(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.ImplicitDeny || resp.Layer != "resourcePolicy" {
			t.Fatalf("without a resource policy: %+v", resp)
		}
		req.ResourcePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":{"AWS":"` + bobARN + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-bucket/*"}]}`
		resp, err = e.service.Authorize(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Decision != decision.Allow {
			t.Fatalf("with the resource policy: %+v", resp)
		}
		found := false
		for _, s := range resp.MatchedStatements {
			found = found || (s.Layer == "resourcePolicy" && s.Sid == "Bob")
		}
		if !found {
			t.Fatalf("matched %+v", resp.MatchedStatements)
		}
	})
}

// forwardS3 signs a GET of an S3 object as the SDK signs S3 requests: the
// path not escaped again, UNSIGNED-PAYLOAD declared.
func forwardS3(t *testing.T, c aws.Credentials, target string) *decision.SignedRequest {
	t.Helper()
	r, _ := http.NewRequest("GET", target, nil)
	r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), c, r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	h := map[string][]string{"Host": {r.Host}}
	for k, vs := range r.Header {
		h[k] = vs
	}
	return &decision.SignedRequest{Method: "GET", Path: r.URL.EscapedPath(), Headers: h, PayloadSHA256: "UNSIGNED-PAYLOAD"}
}
