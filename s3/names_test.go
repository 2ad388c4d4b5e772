package s3

import "testing"

// Cases from https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
// ("Example general purpose bucket names").
func TestValidBucketName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"docexamplebucket1", true},
		{"log-delivery-march-2020", true},
		{"my-hosted-content", true},
		{"docexamplewebsite.com", true},
		{"www.docexamplewebsite.com", true},
		{"my.example.s3.bucket", true},
		{"abc", true},
		{"ab", false},
		{"doc_example_bucket", false},
		{"DocExampleBucket", false},
		{"doc-example-bucket-", false},
		{"-doc-example-bucket", false},
		{"doc..example", false},
		{"192.168.5.4", false},
		{"xn--bucket", false},
		{"sthree-bucket", false},
		{"amzn-s3-demo-bucket", false},
		{"bucket-s3alias", false},
		{"bucket--ol-s3", false},
		{"bucket.mrap", false},
		{"bucket--x-s3", false},
		{"bucket--table-s3", false},
		{"a234567890123456789012345678901234567890123456789012345678901234", false}, // 64
		{"a23456789012345678901234567890123456789012345678901234567890123", true},   // 63
	} {
		if got := validBucketName(tc.name); got != tc.ok {
			t.Errorf("validBucketName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
}
