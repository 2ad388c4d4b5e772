package s3

import (
	"errors"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// policyMessage is a parse error's message, as S3 puts it in MalformedPolicy.
func policyMessage(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
}

// checkBucketPolicy applies S3's rules beyond the grammar: every resource
// (or NotResource) must name the bucket or its objects — "Policy has
// invalid resource" — and every action must be an S3 action that applies
// to such a resource ("Policy has invalid action").
func checkBucketPolicy(doc *policy.Document, bucket string) error {
	for _, st := range doc.Statements {
		if len(st.Resources) == 0 {
			return errMalformedPolicy("Missing required field Resource")
		}
		for _, r := range st.Resources {
			if !resourceInBucket(r, bucket) {
				return errMalformedPolicy("Policy has invalid resource")
			}
		}
		for _, a := range st.Actions {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return errMalformedPolicy("Policy has invalid action")
			}
		}
	}
	return nil
}

// resourceInBucket reports whether a policy's resource pattern can only
// match the bucket or its objects: arn:aws:s3:::bucket or
// arn:aws:s3:::bucket/…, the bucket part possibly a pattern matching it.
func resourceInBucket(r, bucket string) bool {
	const prefix = "arn:aws:s3:::"
	if !strings.HasPrefix(r, prefix) {
		return false
	}
	rest := r[len(prefix):]
	name, _, _ := strings.Cut(rest, "/")
	return wildcard.Match(name, bucket)
}
