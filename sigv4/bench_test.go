package sigv4

import (
	"context"
	"strings"
	"testing"
)

// Baseline (AMD EPYC, 2 shared cores, Go 1.26, 2026-11):
//
//	BenchmarkVerify          ~1.6-1.7 µs/op   320 B/op   2 allocs/op
//	BenchmarkVerifyColdKey   ~2.3 µs/op       304 B/op   2 allocs/op
//
// The two allocations are the returned *Auth and its SignedHeaders slice.

// BenchmarkVerify verifies a header-signed POST with a 200-byte form body,
// the shape of an IAM or STS Query API call, with a warm key cache.
func BenchmarkVerify(b *testing.B) {
	form := "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fdivision%2Fteam%2F&Tags.member.1.Key=cost-center&Tags.member.1.Value=1234"
	form += "&" + strings.Repeat("x", 200-len(form)-3) + "=1"
	if len(form) != 200 {
		b.Fatalf("body is %d bytes", len(form))
	}
	r, body := sign(b, clientRequest{
		method: "POST",
		url:    "https://iam.amazonaws.com/",
		body:   form,
		header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
	})
	secret := []byte(testSecret)
	v := newTestVerifier(b, 0, func(o *Options) {
		o.Service, o.Regions = "iam", []string{"us-east-1"}
		o.Lookup = func(context.Context, string) ([]byte, error) { return secret, nil }
	})
	ctx := context.Background()
	if _, err := v.Verify(ctx, r, body); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyColdKey is BenchmarkVerify without the key cache: the
// signing key is derived on every request.
func BenchmarkVerifyColdKey(b *testing.B) {
	r, body := sign(b, clientRequest{method: "POST", url: "https://iam.amazonaws.com/", body: strings.Repeat("a", 200)})
	secret := []byte(testSecret)
	v := newTestVerifier(b, 0, func(o *Options) {
		o.CacheSize = -1
		o.Lookup = func(context.Context, string) ([]byte, error) { return secret, nil }
	})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, body); err != nil {
			b.Fatal(err)
		}
	}
}
