package access

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// TestReviewRootBucketPolicyExceptionKeepsSCPs: the bucket owner's root
// user may get, put and delete the bucket policy even where the bucket
// policy denies it, but "Bucket owner root principals can only be blocked
// from performing these API actions by VPC endpoint policies and AWS
// Organizations policies" (API reference, PutBucketPolicy): an SCP of a
// member account, or an RCP, still denies them.
func TestReviewRootBucketPolicyExceptionKeepsSCPs(t *testing.T) {
	rootA := "arn:aws:iam::" + acctA + ":root"
	denyPolicyChanges := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*BucketPolicy","Resource":"*"}]}`
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	b := &Bucket{Name: "b", Owner: acctA, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`}
	d := NewDecider(0)
	for _, action := range []string{"s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"} {
		// The bucket policy's deny does not lock the root user out.
		set := &policy.Set{SCP: [][]*policy.Policy{{policy.MustCompile("full", allowAll, policy.KindSCP)}}}
		res, err := d.Evaluate(set, caller(t, rootA, action, "arn:aws:s3:::b", nil), b, nil)
		if err != nil || res.Decision != policy.Allowed {
			t.Errorf("%s by the owner's root, bucket policy denying: %v %v, want allowed", action, res.Decision, err)
		}
		// An SCP of the member account does.
		set = &policy.Set{SCP: [][]*policy.Policy{{policy.MustCompile("full", allowAll, policy.KindSCP), policy.MustCompile("deny", denyPolicyChanges, policy.KindSCP)}}}
		res, err = d.Evaluate(set, caller(t, rootA, action, "arn:aws:s3:::b", nil), b, nil)
		if err != nil || res.Decision == policy.Allowed {
			t.Errorf("%s by the owner's root under an SCP denying it: %v %v, want denied", action, res.Decision, err)
		}
	}
}
