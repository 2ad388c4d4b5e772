package s3

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
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

// checkPrincipals refuses a bucket policy that names an IAM user or role
// that does not exist in an account Gatehouse holds, as S3 does: 400
// MalformedPolicy "Invalid principal in policy"
// (https://repost.aws/knowledge-center/s3-invalid-principal-in-policy-error).
// Principals of accounts Gatehouse does not hold cannot be checked and are
// accepted.
func (s *Service) checkPrincipals(ctx context.Context, doc *policy.Document) error {
	return s.store.View(ctx, func(tx store.ReadTx) error {
		for _, st := range doc.Statements {
			if st.Principal == nil {
				continue
			}
			for _, p := range st.Principal.AWS {
				kind, account, path, name, ok := arn.SplitEntity(p)
				if !ok {
					continue
				}
				if _, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", account); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						continue
					}
					return err
				}
				var got string
				var err error
				if kind == "user" {
					var u store.User
					u, err = store.GetJSON[store.User](ctx, tx, store.KindUser, account, store.UserKey(name))
					got = u.Path
				} else {
					var r store.Role
					r, err = store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
					got = r.Path
				}
				if errors.Is(err, store.ErrNotFound) || err == nil && got != path {
					return errMalformedPolicy("Invalid principal in policy")
				}
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}
