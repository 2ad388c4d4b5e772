package access

import (
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

// Ownership is a bucket's S3 Object Ownership setting
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
type Ownership string

// The three settings of the S3 API model's ObjectOwnership enum.
const (
	// BucketOwnerEnforced disables ACLs: the bucket owner owns every
	// object, and ACLs no longer affect permissions. It is the default for
	// buckets created since April 2023, and what "" means here.
	BucketOwnerEnforced Ownership = "BucketOwnerEnforced"
	// BucketOwnerPreferred: the bucket owner owns objects written with the
	// bucket-owner-full-control canned ACL; ACLs apply.
	BucketOwnerPreferred Ownership = "BucketOwnerPreferred"
	// ObjectWriter: the account that writes an object owns it; ACLs apply.
	ObjectWriter Ownership = "ObjectWriter"
)

// ACLsEnabled reports whether ACLs take part in authorization.
func (o Ownership) ACLsEnabled() bool { return o == BucketOwnerPreferred || o == ObjectWriter }

// Valid reports whether o is one of the three settings.
func (o Ownership) Valid() bool {
	return o == BucketOwnerEnforced || o == BucketOwnerPreferred || o == ObjectWriter
}

// ErrACLNotSupported is S3's answer to a request that sets an ACL on a
// bucket whose ACLs are disabled: 400 AccessControlListNotSupported "The
// bucket does not allow ACLs" (about-object-ownership.html).
func ErrACLNotSupported() *awserr.Error {
	e := awserr.New("AccessControlListNotSupported", "The bucket does not allow ACLs")
	e.Status = 400
	return e
}

// ObjectOwner returns the account that owns an object written by writer to a
// bucket of bucketOwner: the bucket owner under BucketOwnerEnforced, and
// under BucketOwnerPreferred when the write carries the
// bucket-owner-full-control canned ACL; the writer otherwise
// (about-object-ownership.html).
func ObjectOwner(o Ownership, bucketOwner, writer, cannedACL string) string {
	switch {
	case !o.ACLsEnabled():
		return bucketOwner
	case o == BucketOwnerPreferred && cannedACL == acl.CannedBucketOwnerFullControl:
		return bucketOwner
	}
	return writer
}

// Written is what an object write (PutObject, CopyObject,
// CreateMultipartUpload) stores about ownership.
type Written struct {
	// Owner is the account that owns the object.
	Owner string
	// ACL is the object's ACL to store.
	ACL acl.ACL
}

// WriteObject decides the owner and the ACL of an object that account
// writer writes to a bucket of bucketOwner under Object Ownership o, from
// the request's ACL headers, and enforces Object Ownership and
// BlockPublicAcls:
//
//   - with ACLs disabled (BucketOwnerEnforced, or ""), S3 "only accept[s]
//     PUT requests that don't specify an ACL or PUT requests that specify
//     bucket owner full control ACLs, such as the bucket-owner-full-control
//     canned ACL or an equivalent form" (API reference, PutObject): other
//     canned ACLs (private included) and grants to anyone but the bucket
//     owner fail with AccessControlListNotSupported; the object is the
//     bucket owner's, with FULL_CONTROL to it;
//   - otherwise the owner is ObjectOwner's and the ACL the headers' (private
//     without them), refused with AccessDenied when it is public and bpa
//     blocks public ACLs.
//
// display gives an account's display name for the owner ("" is fine).
func WriteObject(o Ownership, bpa PublicAccessBlock, headers map[string][]string, bucketOwner, writer string, display func(account string) string) (Written, error) {
	return write(o, bpa, headers, acl.ForObject, bucketOwner, writer, display)
}

// CreateBucketACL is WriteObject for CreateBucket: the ACL of a new bucket
// of owner with Object Ownership o (the x-amz-object-ownership header, ""
// for the default BucketOwnerEnforced). With ACLs disabled, an ACL other
// than the owner's FULL_CONTROL is 400 InvalidBucketAclWithObjectOwnership
// "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced
// setting" (CreateBucket's error, not AccessControlListNotSupported).
func CreateBucketACL(o Ownership, bpa PublicAccessBlock, headers map[string][]string, owner string, display func(account string) string) (acl.ACL, error) {
	w, err := write(o, bpa, headers, acl.ForBucket, owner, owner, display)
	return w.ACL, err
}

func errBucketACLWithOwnership() *awserr.Error {
	return awserr.New("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
}

// ownerOnly reports whether an ACL a request sets is one a bucket with ACLs
// disabled accepts: for an object, the bucket-owner-full-control canned ACL
// or grants of FULL_CONTROL to the bucket owner only; for a new bucket, any
// ACL that gives no access to another account (CreateBucket fails only
// when the ACL "provides access to an external Amazon Web Services
// account", API reference).
func ownerOnly(target acl.Target, canned string, a acl.ACL, ownerID string) bool {
	if target == acl.ForBucket {
		for _, g := range a.Grants {
			if g.Grantee.Type != acl.CanonicalUser || g.Grantee.ID != ownerID {
				return false
			}
		}
		return true
	}
	if canned != "" {
		return canned == acl.CannedBucketOwnerFullControl
	}
	return a.OnlyFullControlTo(ownerID)
}

func write(o Ownership, bpa PublicAccessBlock, headers map[string][]string, target acl.Target, bucketOwner, writer string, display func(string) string) (Written, error) {
	name := func(a string) string {
		if display == nil {
			return ""
		}
		return display(a)
	}
	canned, _ := acl.Header(headers, acl.HeaderACL)
	ownerAcct := ObjectOwner(o, bucketOwner, writer, canned)
	owner := acl.Owner{ID: acl.CanonicalID(ownerAcct), DisplayName: name(ownerAcct)}
	bOwner := acl.Owner{ID: acl.CanonicalID(bucketOwner), DisplayName: name(bucketOwner)}
	a, set, err := acl.FromHeaders(headers, target, owner, bOwner)
	if err != nil {
		return Written{}, err
	}
	if !o.ACLsEnabled() {
		if set && !ownerOnly(target, canned, a, bOwner.ID) {
			if target == acl.ForBucket {
				return Written{}, errBucketACLWithOwnership()
			}
			return Written{}, ErrACLNotSupported()
		}
		return Written{Owner: bucketOwner, ACL: acl.Private(bOwner)}, nil
	}
	if !set {
		return Written{Owner: ownerAcct, ACL: acl.Private(owner)}, nil
	}
	if err := bpa.CheckACL(a); err != nil {
		return Written{}, err
	}
	return Written{Owner: ownerAcct, ACL: a}, nil
}

// PutACL checks an ACL that PutBucketAcl or PutObjectAcl sets (from the
// body or the headers): refused with AccessControlListNotSupported whatever
// it holds when the bucket's ACLs are disabled ("Requests to set ACLs or
// update ACLs fail and return the AccessControlListNotSupported error
// code", API reference, PutBucketAcl and PutObjectAcl; PutBucketAcl with
// "private" fails so too), with AccessDenied when it is public and bpa
// blocks public ACLs; and validated (acl.ACL.Validate).
func PutACL(o Ownership, bpa PublicAccessBlock, a acl.ACL) error {
	if !o.ACLsEnabled() {
		return ErrACLNotSupported()
	}
	if err := a.Validate(); err != nil {
		return err
	}
	return bpa.CheckACL(a)
}
