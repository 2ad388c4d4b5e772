package client_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/decision"
	"github.com/gatehouse-iam/gatehouse/decision/client"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// concurrency is the number of goroutines asking for decisions at once.
const concurrency = 8

// parallel runs fn b.N times over concurrency goroutines and reports
// decisions per second.
func parallel(b *testing.B, fn func() error) {
	b.Helper()
	var n atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.Add(1) <= int64(b.N) {
				if err := fn(); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

type benchEnv struct {
	ts       *testserver.Server
	service  *client.Client
	alice    *decision.SignedRequest
	aliceARN string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	ts := testserver.Start(b)
	svc, _ := newUserTB(b, ts, "service", servicePolicy)
	alice, arn := newUserTB(b, ts, "alice", alicePolicy)
	c := client.New(ts.URL, creds(svc.AccessKeyID, svc.SecretAccessKey, ""))
	c.HTTPClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * concurrency}, Timeout: 10 * time.Second}
	f := forward(b, alice, "myservice", "POST", "https://myservice.example.com/things/a?x=1", []byte(`{"thing":"a"}`))
	return &benchEnv{ts: ts, service: c, alice: f, aliceARN: arn}
}

// allowed checks that a decision is Allow.
func allowed(resp decision.Response, err error) error {
	if err != nil {
		return err
	}
	if resp.Decision != decision.Allow {
		return &client.Error{Type: "unexpected decision " + resp.Decision}
	}
	return nil
}

// BenchmarkAPIForwarded: decisions for a forwarded signed request, through
// the Go client over loopback (two signatures verified per decision: the
// service's call and the forwarded request).
func BenchmarkAPIForwarded(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	req := decision.Request{Forwarded: e.alice, Action: "myservice:DoThing", Resource: thing + "a"}
	parallel(b, func() error { return allowed(e.service.Authorize(ctx, req)) })
}

// BenchmarkAPIPrincipal: decisions for a vouched principal, through the Go
// client over loopback.
func BenchmarkAPIPrincipal(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	req := decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: thing + "a"}
	parallel(b, func() error { return allowed(e.service.Authorize(ctx, req)) })
}

// BenchmarkInProcess: the same decision through decision.Decider in
// process, over the same directory (the one assembly, then Explain).
func BenchmarkInProcess(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	d := decision.New(authz.New(e.ts.Directory, e.ts.Orgs), e.ts.Directory.Compile)
	u, err := e.ts.Directory.User(ctx, testserver.AccountID, "alice")
	if err != nil {
		b.Fatal(err)
	}
	c := &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalUser, ARN: u.ARN, Account: testserver.AccountID},
		Account: testserver.AccountID, UserName: u.Name, UserID: u.ID, Time: time.Now()}
	req := &decision.Request{Principal: e.aliceARN, Action: "myservice:DoThing", Resource: thing + "a"}
	parallel(b, func() error {
		resp, err := d.Decide(ctx, c, req)
		if err != nil {
			return err
		}
		return allowed(*resp, nil)
	})
}
