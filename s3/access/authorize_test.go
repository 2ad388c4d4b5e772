package access

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

type users map[string]*policy.Set

func (u users) UserPolicies(_ context.Context, account, name string) (*policy.Set, error) {
	if s, ok := u[account+"/"+name]; ok {
		return s, nil
	}
	return &policy.Set{}, nil
}

// TestAuthorize drives the whole path the S3 endpoint takes: Describe, then
// authz assembles each check and the Decider decides it. A CopyObject from
// a bucket of account A into a bucket of account B by B's user needs A's
// bucket policy for the source read and B's identity policy for both.
func TestAuthorize(t *testing.T) {
	userB := "arn:aws:iam::" + acctB + ":user/bob"
	p, _ := policy.PrincipalFromARN(userB)
	c := &identity.Caller{Principal: p, Account: acctB, UserName: "bob", Time: time.Now()}
	az := authz.New(users{acctB + "/bob": identitySet(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`)}, nil)
	src := &Bucket{Name: "src", Owner: acctA}
	dst := &Bucket{Name: "dst", Owner: acctB}
	facts := func(_ context.Context, ch Check) (*Bucket, *Object, error) {
		if ch.Bucket == "src" {
			return src, nil, nil
		}
		return dst, nil, nil
	}
	checks, err := Describe(&Request{Operation: "CopyObject", Bucket: "dst", Key: "k", Headers: h("x-amz-copy-source", "src/s"), BucketOwner: acctB})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecider(0)
	err = d.Authorize(context.Background(), az, c, checks, facts)
	if e, _ := awserr.As(err); e == nil || e.Code != "AccessDenied" || e.Message != "Access Denied" {
		t.Fatalf("without the source bucket's policy: %v", err)
	}
	src.Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctB + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::src/*"}]}`
	if err := d.Authorize(context.Background(), az, c, checks, facts); err != nil {
		t.Fatalf("with it: %v", err)
	}
}
