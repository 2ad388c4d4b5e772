package server_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// benchUser creates a user allowed to read IAM and returns its client.
func benchUser(b *testing.B, srv *testserver.Server) *awsiam.Client {
	b.Helper()
	c := srv.NewUserWithKey(b, "reader")
	_, err := srv.RootIAM().PutUserPolicy(context.Background(), &awsiam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}}`)})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkSignedGetUser measures authenticated, authorized GetUser calls over
// loopback with the AWS SDK as the client (client and server on one machine).
func BenchmarkSignedGetUser(b *testing.B) {
	srv := testserver.Start(b)
	c := benchUser(b, srv)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetUser(ctx, &awsiam.GetUserInput{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkSignedListUsers measures ListUsers (one page of 100 of 200 users).
func BenchmarkSignedListUsers(b *testing.B) {
	srv := testserver.Start(b)
	c := benchUser(b, srv)
	ctx := context.Background()
	seedUsers(b, srv, 200, 0)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkCreateUser measures CreateUser calls (each one store commit).
func BenchmarkCreateUser(b *testing.B) {
	srv := testserver.Start(b)
	root := srv.RootIAM()
	ctx := context.Background()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			name := "u" + strconv.FormatInt(n.Add(1), 10)
			if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// seedUsers writes users (each with an inline policy) and customer managed
// policies straight into the store, in large transactions.
func seedUsers(tb testing.TB, srv *testserver.Server, users, policies int) {
	tb.Helper()
	ctx := context.Background()
	const batch = 5000
	now := time.Now().UTC()
	for start := 0; start < users; start += batch {
		err := srv.Store.Update(ctx, func(tx store.Tx) error {
			for i := start; i < min(start+batch, users); i++ {
				name := fmt.Sprintf("seed-user-%06d", i)
				u := store.User{ID: fmt.Sprintf("AIDASEED%013d", i), Name: name, Path: "/", ARN: arn.User(testserver.AccountID, "/", name), CreateDate: now}
				if err := store.PutJSON(ctx, tx, store.KindUser, testserver.AccountID, store.UserKey(name), u); err != nil {
					return err
				}
				ip := store.InlinePolicy{OwnerKind: store.EntityUser, OwnerName: name, PolicyName: "p",
					Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/` + name + `/*"}}`}
				if err := store.PutJSON(ctx, tx, store.KindInlinePolicy, testserver.AccountID, store.InlinePolicyKey(store.EntityUser, name, "p"), ip); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	for start := 0; start < policies; start += batch {
		err := srv.Store.Update(ctx, func(tx store.Tx) error {
			for i := start; i < min(start+batch, policies); i++ {
				name := fmt.Sprintf("seed-policy-%05d", i)
				arn := arn.Policy(testserver.AccountID, "/", name)
				mp := store.ManagedPolicy{ID: fmt.Sprintf("ANPASEED%013d", i), Name: name, Path: "/", ARN: arn, DefaultVersionID: "v1", CreateDate: now, UpdateDate: now, NextVersion: 2}
				if err := store.PutJSON(ctx, tx, store.KindPolicy, testserver.AccountID, store.PolicyKey(name), mp); err != nil {
					return err
				}
				v := store.PolicyVersion{PolicyARN: arn, VersionID: "v1", IsDefault: true, CreateDate: now,
					Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket-` + strconv.Itoa(i) + `/*"}}`}
				if err := store.PutJSON(ctx, tx, store.KindPolicyVersion, testserver.AccountID, store.PolicyVersionKey(name, "v1"), v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// rssKB reads the process's resident set size.
func rssKB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// BenchmarkStartupLarge measures the start-up work of a node (loading the
// directory) over a store holding 100,000 users and 10,000 policies, and the heap
// it takes. Set GATEHOUSE_BENCH_USERS to change the size.
func BenchmarkStartupLarge(b *testing.B) {
	users := 100_000
	if v, err := strconv.Atoi(os.Getenv("GATEHOUSE_BENCH_USERS")); err == nil {
		users = v
	}
	srv := testserver.Start(b)
	seedUsers(b, srv, users, users/10)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var d *authview.Directory
	for i := 0; i < b.N; i++ {
		d = authview.New(srv.Store, nil, nil)
		if err := d.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1024, "heapKB/directory")
	b.ReportMetric(float64(rssKB()), "rssKB")
	// First authorization of one user among 100,000 (cold cache) and then warm.
	start := time.Now()
	if _, err := d.UserPolicies(context.Background(), testserver.AccountID, "seed-user-000042"); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds()), "µs/cold-policy-load")
}

// BenchmarkAuditTrail measures the audit trail's cost: the same calls with
// the trail off and on, in one run (each response waits for its event to be
// durable; concurrent requests share a commit).
func BenchmarkAuditTrail(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "trail=off"
		if on {
			name = "trail=on"
		}
		b.Run(name+"/GetUser", func(b *testing.B) {
			srv := testserver.StartWith(b, testserver.Options{NoTrail: !on})
			c := benchUser(b, srv)
			ctx := context.Background()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.GetUser(ctx, &awsiam.GetUserInput{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
		b.Run(name+"/CreateUser", func(b *testing.B) {
			srv := testserver.StartWith(b, testserver.Options{NoTrail: !on})
			root := srv.RootIAM()
			ctx := context.Background()
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					name := "u" + strconv.FormatInt(n.Add(1), 10)
					if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
