package access

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

const (
	acctA = "111111111111" // owns the bucket
	acctB = "222222222222"
)

// caller returns the engine request for arn ("" = anonymous) performing
// action on resource with extra condition keys, as authz assembles it.
func caller(t testing.TB, arn, action, resource string, extra map[string][]string) *policy.Request {
	t.Helper()
	c := &identity.Caller{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if arn != "" {
		p, ok := policy.PrincipalFromARN(arn)
		if !ok {
			t.Fatalf("bad ARN %s", arn)
		}
		c.Principal, c.Account = p, p.Account
		if i := strings.Index(arn, ":user/"); i >= 0 {
			c.UserName = arn[i+len(":user/"):]
		}
	}
	ctx := c.Context()
	for k, v := range extra {
		ctx.Set(k, v...)
	}
	return &policy.Request{Principal: c.Principal, Action: action, Resource: resource, Context: ctx}
}

func identitySet(docs ...string) *policy.Set {
	s := &policy.Set{}
	for _, d := range docs {
		s.Identity = append(s.Identity, policy.MustCompile("id", d, policy.KindIdentity))
	}
	return s
}

const allowGetList = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`

func bucketPolicy(principal, effect string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Principal":` + principal +
		`,"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`
}

// The cases follow the IAM User Guide's policy evaluation logic
// (reference_policies_evaluation-logic.md, cross-account:
// reference_policies_evaluation-logic-cross-account.md), the S3 user guide's
// Block Public Access and Object Ownership pages, and the ACL overview.
func TestDecide(t *testing.T) {
	userA := "arn:aws:iam::" + acctA + ":user/alice"
	userB := "arn:aws:iam::" + acctB + ":user/bob"
	rootA := "arn:aws:iam::" + acctA + ":root"
	rootB := "arn:aws:iam::" + acctB + ":root"
	pub := func(a acl.ACL) *acl.ACL { return &a }
	ownerA := acl.Owner{ID: acl.CanonicalID(acctA)}
	publicRead, _ := acl.Canned(acl.CannedPublicRead, acl.ForBucket, ownerA, ownerA)
	authRead, _ := acl.Canned(acl.CannedAuthenticatedRead, acl.ForBucket, ownerA, ownerA)
	grantB := acl.Private(ownerA)
	grantB.Grants = append(grantB.Grants, acl.Grant{Grantee: acl.User(acl.CanonicalID(acctB)), Permission: acl.Read})
	ownerB := acl.Owner{ID: acl.CanonicalID(acctB)}
	objOfB := acl.Private(ownerB)
	objOfBSharedA := acl.Private(ownerB)
	objOfBSharedA.Grants = append(objOfBSharedA.Grants, acl.Grant{Grantee: acl.User(acl.CanonicalID(acctA)), Permission: acl.Read})

	tests := []struct {
		name     string
		arn      string
		action   string
		resource string
		identity []string
		bucket   Bucket
		object   *Object
		extra    map[string][]string
		allowed  bool
		message  string
	}{
		{name: "same account, identity policy", arn: userA, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA}, allowed: true},
		{name: "same account, bucket policy to the user", arn: userA, action: "s3:GetObject", resource: kARN,
			bucket: Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`{"AWS":"`+userA+`"}`, "Allow")}, allowed: true},
		{name: "same account, neither", arn: userA, action: "s3:GetObject", resource: kARN,
			bucket:  Bucket{Name: "b", Owner: acctA},
			message: `User: ` + userA + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action`},
		{name: "same account, bucket policy to the account needs identity", arn: userA, action: "s3:GetObject", resource: kARN,
			bucket:  Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`{"AWS":"`+acctA+`"}`, "Allow")},
			message: "because no identity-based policy allows the s3:GetObject action"},
		{name: "cross account, both sides", arn: userB, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`{"AWS":"arn:aws:iam::`+acctB+`:root"}`, "Allow")}, allowed: true},
		{name: "cross account, no bucket policy", arn: userB, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA}, message: "Access Denied"},
		{name: "cross account, no identity policy", arn: userB, action: "s3:GetObject", resource: kARN,
			bucket: Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`{"AWS":"`+acctB+`"}`, "Allow")}, message: "Access Denied"},
		{name: "cross account, same organization gets the full message", arn: userB, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA},
			extra:   map[string][]string{"aws:PrincipalOrgID": {"o-1"}, "aws:ResourceOrgID": {"o-1"}},
			message: `User: ` + userB + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no resource-based policy allows the s3:GetObject action`},
		{name: "anonymous, public-read bucket policy", action: "s3:GetObject", resource: kARN,
			bucket: Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`"*"`, "Allow")}, allowed: true},
		{name: "anonymous, no policy", action: "s3:GetObject", resource: kARN,
			bucket: Bucket{Name: "b", Owner: acctA}, message: "Access Denied"},
		{name: "anonymous, public policy under RestrictPublicBuckets", action: "s3:GetObject", resource: kARN,
			bucket:  Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`"*"`, "Allow"), PublicAccessBlock: PublicAccessBlock{RestrictPublicBuckets: true}},
			message: "Access Denied"},
		{name: "RestrictPublicBuckets blocks cross-account grants of a public policy", arn: userB, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList},
			bucket: Bucket{Name: "b", Owner: acctA, PublicAccessBlock: PublicAccessBlock{RestrictPublicBuckets: true},
				Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Principal":{"AWS":"` + acctB + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},
			message: "Access Denied"},
		{name: "RestrictPublicBuckets keeps the owner account's access", arn: userA, action: "s3:GetObject", resource: kARN,
			bucket:   Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`"*"`, "Allow"), PublicAccessBlock: PublicAccessBlock{RestrictPublicBuckets: true}},
			identity: []string{allowGetList}, allowed: true},
		{name: "explicit deny in bucket policy beats identity allow", arn: userA, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`{"AWS":"`+userA+`"}`, "Deny")},
			message: `User: ` + userA + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" with an explicit deny in a resource-based policy`},
		{name: "owner root without policies", arn: rootA, action: "s3:GetObject", resource: kARN,
			bucket: Bucket{Name: "b", Owner: acctA}, allowed: true},
		{name: "owner root denied by bucket policy", arn: rootA, action: "s3:GetObject", resource: kARN,
			bucket:  Bucket{Name: "b", Owner: acctA, Policy: bucketPolicy(`"*"`, "Deny")},
			message: "with an explicit deny in a resource-based policy"},
		{name: "owner root may always PutBucketPolicy", arn: rootA, action: "s3:PutBucketPolicy", resource: bARN,
			bucket: Bucket{Name: "b", Owner: acctA, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}`}, allowed: true},
		{name: "other root needs a grant", arn: rootB, action: "s3:GetObject", resource: kARN,
			bucket: Bucket{Name: "b", Owner: acctA}, message: "Access Denied"},
		// ACLs (acl-overview.html).
		{name: "AllUsers READ lets anonymous list", action: "s3:ListBucket", resource: bARN,
			bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter, ACL: pub(publicRead)}, allowed: true},
		{name: "AllUsers READ does not grant GetObject", action: "s3:GetObject", resource: kARN,
			bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter, ACL: pub(publicRead)}, message: "Access Denied"},
		{name: "IgnorePublicAcls drops AllUsers", action: "s3:ListBucket", resource: bARN,
			bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter, ACL: pub(publicRead), PublicAccessBlock: PublicAccessBlock{IgnorePublicAcls: true}}, message: "Access Denied"},
		{name: "BucketOwnerEnforced ignores ACLs", action: "s3:ListBucket", resource: bARN,
			bucket: Bucket{Name: "b", Owner: acctA, Ownership: BucketOwnerEnforced, ACL: pub(publicRead)}, message: "Access Denied"},
		{name: "AuthenticatedUsers refuses anonymous", action: "s3:ListBucket", resource: bARN,
			bucket: Bucket{Name: "b", Owner: acctA, Ownership: BucketOwnerPreferred, ACL: pub(authRead)}, message: "Access Denied"},
		{name: "AuthenticatedUsers admits a signed root of another account", arn: rootB, action: "s3:ListBucket", resource: bARN,
			bucket: Bucket{Name: "b", Owner: acctA, Ownership: BucketOwnerPreferred, ACL: pub(authRead)}, allowed: true},
		{name: "AuthenticatedUsers admits a signed user with an identity policy", arn: userB, action: "s3:ListBucket", resource: bARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Ownership: BucketOwnerPreferred, ACL: pub(authRead)}, allowed: true},
		{name: "ACL grant to another account's canonical ID", arn: userB, action: "s3:ListBucket", resource: bARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter, ACL: pub(grantB)}, allowed: true},
		{name: "ACL grant to another account still needs its identity policy", arn: userB, action: "s3:ListBucket", resource: bARN,
			bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter, ACL: pub(grantB)}, message: "Access Denied"},
		// Object Ownership (about-object-ownership.html): an object another
		// account wrote under ObjectWriter is that account's.
		{name: "bucket owner has no access to another account's object", arn: userA, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter, Policy: bucketPolicy(`{"AWS":"`+acctA+`"}`, "Allow")},
			object: &Object{Owner: acctB, ACL: pub(objOfB)}, message: "Access Denied"},
		{name: "object owner reads its object in another's bucket", arn: userB, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter},
			object: &Object{Owner: acctB, ACL: pub(objOfB)}, allowed: true},
		{name: "object owner's ACL grants the bucket owner", arn: userA, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter},
			object: &Object{Owner: acctB, ACL: pub(objOfBSharedA)}, allowed: true},
		{name: "bucket policy deny still applies to another account's object", arn: userB, action: "s3:GetObject", resource: kARN,
			identity: []string{allowGetList}, bucket: Bucket{Name: "b", Owner: acctA, Ownership: ObjectWriter, Policy: bucketPolicy(`"*"`, "Deny")},
			object: &Object{Owner: acctB, ACL: pub(objOfB)}, message: "with an explicit deny in a resource-based policy"},
	}
	d := NewDecider(0)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := caller(t, tc.arn, tc.action, tc.resource, tc.extra)
			err := d.Decide(identitySet(tc.identity...), req, &tc.bucket, tc.object)
			if tc.allowed {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			var e *awserr.Error
			if !errors.As(err, &e) || e.Code != "AccessDenied" || e.Status != 403 {
				t.Fatalf("got %v, want AccessDenied", err)
			}
			if tc.message == "Access Denied" && e.Message != tc.message || !strings.Contains(e.Message, tc.message) {
				t.Errorf("message %q, want %q", e.Message, tc.message)
			}
		})
	}
}

// The IAM User Guide's home-directory example
// (reference_policies_examples_s3_home-directory-console.md): ListBucket is
// allowed for the root, "home/" and the user's own prefix only.
func TestDecideHomeDirectoryPrefix(t *testing.T) {
	idp := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket-name",
	  "Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}},
	 {"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::bucket-name/home/${aws:username}","arn:aws:s3:::bucket-name/home/${aws:username}/*"]}]}`
	user := "arn:aws:iam::" + acctA + ":user/alice"
	b := &Bucket{Name: "bucket-name", Owner: acctA}
	d := NewDecider(0)
	for _, tc := range []struct {
		query   map[string][]string
		allowed bool
	}{
		{nil, true},
		{map[string][]string{"prefix": {"home/"}}, true},
		{map[string][]string{"prefix": {"home/alice/"}}, true},
		{map[string][]string{"prefix": {"home/alice/photos/"}}, true},
		{map[string][]string{"prefix": {"home/bob/"}}, false},
		{map[string][]string{"prefix": {"private/"}}, false},
	} {
		cs, err := Describe(&Request{Operation: "ListObjectsV2", Bucket: "bucket-name", Query: tc.query, BucketOwner: acctA})
		if err != nil {
			t.Fatal(err)
		}
		req := caller(t, user, cs[0].Action, cs[0].Resource, cs[0].Context)
		err = d.Decide(identitySet(idp), req, b, nil)
		if (err == nil) != tc.allowed {
			t.Errorf("prefix %v: err %v, want allowed %v", tc.query, err, tc.allowed)
		}
	}
	// Objects under the user's home are the user's.
	req := caller(t, user, "s3:GetObject", "arn:aws:s3:::bucket-name/home/alice/a.txt", nil)
	if err := d.Decide(identitySet(idp), req, b, nil); err != nil {
		t.Errorf("own object: %v", err)
	}
	req = caller(t, user, "s3:GetObject", "arn:aws:s3:::bucket-name/home/bob/a.txt", nil)
	if err := d.Decide(identitySet(idp), req, b, nil); err == nil {
		t.Error("other's object allowed")
	}
}

func TestDecideCache(t *testing.T) {
	d := NewDecider(2)
	pol := bucketPolicy(`"*"`, "Allow")
	for i := 0; i < 10; i++ {
		req := caller(t, "", "s3:GetObject", kARN, nil)
		if err := d.Decide(&policy.Set{}, req, &Bucket{Name: "b", Owner: acctA, Policy: pol}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := d.cache.len(); n != 1 {
		t.Fatalf("cache holds %d entries, want 1", n)
	}
	for _, p := range []string{bucketPolicy(`"*"`, "Deny"), bucketPolicy(`{"AWS":"`+acctB+`"}`, "Allow"), pol} {
		req := caller(t, "", "s3:GetObject", kARN, nil)
		_ = d.Decide(&policy.Set{}, req, &Bucket{Name: "b", Owner: acctA, Policy: p}, nil)
	}
	if n := d.cache.len(); n != 2 {
		t.Fatalf("cache holds %d entries, want its bound 2", n)
	}
	// A malformed stored policy is an internal error, not a decision.
	req := caller(t, "", "s3:GetObject", kARN, nil)
	if _, err := d.Evaluate(&policy.Set{}, req, &Bucket{Name: "b", Owner: acctA, Policy: "{"}, nil); err == nil {
		t.Fatal("malformed policy evaluated")
	}
}
