package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// BenchmarkHandler measures the server's own cost of a signed request —
// the handler called in-process with a request signed once by the SDK's
// signer, no client and no socket — so that -benchmem states the
// allocations and bytes of the request path itself (the SDK client of
// BenchmarkSignedGetUser allocates more than the server). With and without
// the audit trail:
//
//	go test ./server -run '^$' -bench Handler -benchmem -count 6
func BenchmarkHandler(b *testing.B) {
	forEachTrail(b, true, func(b *testing.B, srv *testserver.Server, cases []handlerCase) {
		ctx := context.Background()
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				h := srv.HTTP.Handler()
				req := signedRequest(ctx, b, srv.URL, c.service, c.form, c.creds)
				w := &discardWriter{header: http.Header{}}
				for b.Loop() {
					req.Body.(*rewindBody).Reset()
					clear(w.header)
					w.status = 0
					h.ServeHTTP(w, req)
					if w.status != http.StatusOK {
						b.Fatalf("status %d: %s", w.status, w.body)
					}
				}
			})
		}
	})
}

// BenchmarkHandlerParallel is BenchmarkHandler with 16 goroutines per
// CPU calling the handler at once (each with its own copy of the signed
// request), as a loaded server's connections do: the audit trail's group
// commit then writes batches, and ns/op is the CPU's cost per request
// spread over the machine. With and without the trail:
//
//	go test ./server -run '^$' -bench HandlerParallel -benchmem -count 6
func BenchmarkHandlerParallel(b *testing.B) {
	forEachTrail(b, false, func(b *testing.B, srv *testserver.Server, cases []handlerCase) {
		ctx := context.Background()
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				h := srv.HTTP.Handler()
				signed := signedRequest(ctx, b, srv.URL, c.service, c.form, c.creds)
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					req := signed.Clone(ctx)
					body := *signed.Body.(*rewindBody)
					req.Body = &body
					w := &discardWriter{header: http.Header{}}
					for pb.Next() {
						body.Reset()
						clear(w.header)
						w.status = 0
						h.ServeHTTP(w, req)
						if w.status != http.StatusOK {
							b.Errorf("status %d: %s", w.status, w.body)
							return
						}
					}
				})
			})
		}
	})
}

// handlerCase is one request of the handler benchmarks.
type handlerCase struct {
	name    string
	service string
	form    url.Values
	creds   aws.Credentials
}

// forEachTrail runs fn on a server with the audit trail and on one
// without, in sub-benchmarks trail=on and trail=off, with the requests
// the handler benchmarks send (a role session's only when withRole).
func forEachTrail(b *testing.B, withRole bool, fn func(b *testing.B, srv *testserver.Server, cases []handlerCase)) {
	for _, trail := range []bool{true, false} {
		name := "trail=on"
		if !trail {
			name = "trail=off"
		}
		b.Run(name, func(b *testing.B) {
			srv := testserver.StartWith(b, testserver.Options{NoTrail: !trail})
			root := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
			user := benchUserCreds(b, srv)
			cases := []handlerCase{
				{"GetCallerIdentity/root", "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, root},
				{"GetUser/user", "iam", url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}}, user},
			}
			if withRole {
				role := benchRoleCreds(b, srv, user)
				cases = append(cases, handlerCase{"GetUser/role", "iam",
					url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}, "UserName": {"bench"}}, role})
			}
			fn(b, srv, cases)
		})
	}
}

// benchUserCreds creates a user allowed iam:Get* and returns its access key.
func benchUserCreds(b *testing.B, srv *testserver.Server) aws.Credentials {
	b.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bench"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","sts:AssumeRole"],"Resource":"*"}]}`)}); err != nil {
		b.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return aws.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
}

// benchRoleCreds creates a role the user may assume, allowed iam:Get*, and
// returns a session of it.
func benchRoleCreds(b *testing.B, srv *testserver.Server, user aws.Credentials) aws.Credentials {
	b.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testserver.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	r, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bench"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("bench"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)}); err != nil {
		b.Fatal(err)
	}
	cfg := srv.Config(user.AccessKeyID, user.SecretAccessKey)
	out, err := awssts.NewFromConfig(cfg).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey,
		SessionToken: *out.Credentials.SessionToken}
}

// signedRequest builds the AWS Query POST of form to endpoint, signed now
// by the SDK's signer (valid within the server's allowed clock skew, far
// longer than a benchmark).
func signedRequest(ctx context.Context, b *testing.B, endpoint, service string, form url.Values, creds aws.Credentials) *http.Request {
	b.Helper()
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Body = &rewindBody{data: body}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.RemoteAddr = "127.0.0.1:40000"
	req.RequestURI = "/"
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	return req
}

// rewindBody is a request body read again from its start after Reset.
type rewindBody struct {
	data []byte
	r    bytes.Reader
}

func (r *rewindBody) Reset()                     { r.r.Reset(r.data) }
func (r *rewindBody) Read(p []byte) (int, error) { return r.r.Read(p) }
func (r *rewindBody) Close() error               { return nil }

// discardWriter is a ResponseWriter that keeps the status and drops the body.
type discardWriter struct {
	header http.Header
	status int
	body   []byte // the start of a failed response's body
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status != http.StatusOK && len(w.body) < 512 {
		w.body = append(w.body, p...)
	}
	return len(p), nil
}
