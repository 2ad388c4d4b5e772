package access

import (
	"errors"
	"testing"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

// Object Ownership: https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html.
func TestObjectOwner(t *testing.T) {
	tests := []struct {
		o      Ownership
		canned string
		want   string
	}{
		{BucketOwnerEnforced, "", acctA},
		{"", "", acctA},
		{BucketOwnerPreferred, "", acctB},
		{BucketOwnerPreferred, acl.CannedBucketOwnerFullControl, acctA},
		{ObjectWriter, acl.CannedBucketOwnerFullControl, acctB},
		{ObjectWriter, "", acctB},
	}
	for _, tc := range tests {
		if got := ObjectOwner(tc.o, acctA, acctB, tc.canned); got != tc.want {
			t.Errorf("ObjectOwner(%q, %q) = %s, want %s", tc.o, tc.canned, got, tc.want)
		}
	}
}

func TestWriteObject(t *testing.T) {
	code := func(err error) string {
		var e *awserr.Error
		if errors.As(err, &e) {
			return e.Code
		}
		if err != nil {
			return err.Error()
		}
		return ""
	}
	idA := acl.CanonicalID(acctA)
	tests := []struct {
		name    string
		o       Ownership
		bpa     PublicAccessBlock
		headers map[string][]string
		owner   string
		public  bool
		code    string
	}{
		{name: "enforced, no ACL", o: BucketOwnerEnforced, owner: acctA},
		{name: "enforced, bucket-owner-full-control", o: BucketOwnerEnforced, headers: h("x-amz-acl", "bucket-owner-full-control"), owner: acctA},
		// "only accept PUT requests that don't specify an ACL or PUT requests
		// that specify bucket owner full control ACLs" (API reference, PutObject).
		{name: "enforced, private", o: BucketOwnerEnforced, headers: h("x-amz-acl", "private"), code: "AccessControlListNotSupported"},
		{name: "enforced, full control grant to the bucket owner", o: BucketOwnerEnforced, headers: h("x-amz-grant-full-control", `id="`+idA+`"`), owner: acctA},
		{name: "enforced, public-read", o: BucketOwnerEnforced, headers: h("x-amz-acl", "public-read"), code: "AccessControlListNotSupported"},
		{name: "enforced, grant to another", o: BucketOwnerEnforced, headers: h("x-amz-grant-read", `id="`+acl.CanonicalID(acctB)+`"`), code: "AccessControlListNotSupported"},
		{name: "object writer, public-read", o: ObjectWriter, headers: h("x-amz-acl", "public-read"), owner: acctB, public: true},
		{name: "object writer, public-read blocked", o: ObjectWriter, bpa: PublicAccessBlock{BlockPublicAcls: true}, headers: h("x-amz-acl", "public-read"), code: "AccessDenied"},
		{name: "preferred, bucket-owner-full-control", o: BucketOwnerPreferred, headers: h("x-amz-acl", "bucket-owner-full-control"), owner: acctA},
		{name: "preferred, no ACL", o: BucketOwnerPreferred, owner: acctB},
		{name: "malformed grant", o: ObjectWriter, headers: h("x-amz-grant-read", "nonsense"), code: "InvalidArgument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := WriteObject(tc.o, tc.bpa, tc.headers, acctA, acctB, nil)
			if got := code(err); got != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			if tc.code != "" {
				return
			}
			if w.Owner != tc.owner || w.ACL.Owner.ID != acl.CanonicalID(tc.owner) || w.ACL.IsPublic() != tc.public {
				t.Errorf("got %+v", w)
			}
		})
	}
	e, _ := awserr.As(ErrACLNotSupported())
	if e.Status != 400 || e.Message != "The bucket does not allow ACLs" {
		t.Errorf("ErrACLNotSupported = %+v", e)
	}
}

func TestCreateBucketACLAndPutACL(t *testing.T) {
	if _, err := CreateBucketACL("", PublicAccessBlock{}, h("x-amz-acl", "public-read"), acctA, nil); err == nil {
		t.Fatal("public-read on an enforced new bucket accepted")
	} else if e, _ := awserr.As(err); e.Code != "InvalidBucketAclWithObjectOwnership" {
		t.Fatalf("got %v", err)
	}
	a, err := CreateBucketACL(ObjectWriter, PublicAccessBlock{}, h("x-amz-acl", "log-delivery-write"), acctA, nil)
	if err != nil || len(a.Grants) != 3 {
		t.Fatalf("log-delivery-write: %+v %v", a, err)
	}
	o := acl.Owner{ID: acl.CanonicalID(acctA)}
	pub, _ := acl.Canned(acl.CannedPublicRead, acl.ForBucket, o, o)
	// PutBucketAcl with "private" on an enforced bucket fails too
	// (hashicorp/terraform-provider-aws#34079: "api error
	// AccessControlListNotSupported: The bucket does not allow ACLs").
	for _, a := range []acl.ACL{pub, acl.Private(o)} {
		if e, _ := awserr.As(PutACL(BucketOwnerEnforced, PublicAccessBlock{}, a)); e == nil || e.Code != "AccessControlListNotSupported" {
			t.Fatal("enforced PutACL")
		}
	}
	if e, _ := awserr.As(PutACL(ObjectWriter, PublicAccessBlock{BlockPublicAcls: true}, pub)); e == nil || e.Code != "AccessDenied" {
		t.Fatal("blocked PutACL")
	}
	if err := PutACL(ObjectWriter, PublicAccessBlock{}, pub); err != nil {
		t.Fatal(err)
	}
	// A new enforced bucket accepts ACLs that give no one else access.
	for _, c := range []string{"private", "bucket-owner-full-control"} {
		if _, err := CreateBucketACL("", PublicAccessBlock{}, h("x-amz-acl", c), acctA, nil); err != nil {
			t.Errorf("CreateBucket %s: %v", c, err)
		}
	}
}
