package access

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// BenchmarkGetObject is the hot path of the S3 endpoint: Describe a
// GetObject, then decide it for a cross-account caller with a cached
// bucket policy. Baseline (AMD EPYC, 2 shared cores under load, so the
// time is noisy; the allocations are exact): 10–20 µs/op, 2.7 KB/op,
// 26 allocs/op; BenchmarkDecideCached 1.5–7 µs/op, 536 B/op, 7 allocs/op.
func BenchmarkGetObject(b *testing.B) {
	d := NewDecider(0)
	bucket := &Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`{"AWS":"`+acctB+`"}`, "Allow")}
	set := identitySet(allowGetList)
	user := "arn:aws:iam::" + acctB + ":user/bob"
	r := &Request{Operation: "GetObject", Bucket: "b", Key: "k", BucketOwner: acctA, Auth: Auth{Type: AuthHeader},
		Headers: map[string][]string{"User-Agent": {"aws-sdk-go-v2"}}}
	base := caller(b, user, "s3:GetObject", kARN, nil)
	if _, err := Describe(r); err != nil { // loads the authorization reference once
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cs, err := Describe(r)
		if err != nil {
			b.Fatal(err)
		}
		req := *base
		req.Action, req.Resource = cs[0].Action, cs[0].Resource
		if err := d.Decide(set, &req, bucket, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecideCached is the decision alone, the combination of policy
// and ACL taken from the cache.
func BenchmarkDecideCached(b *testing.B) {
	d := NewDecider(0)
	bucket := &Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`"*"`, "Allow")}
	req := caller(b, "", "s3:GetObject", kARN, nil)
	set := &policy.Set{}
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Decide(set, req, bucket, nil); err != nil {
			b.Fatal(err)
		}
	}
}
