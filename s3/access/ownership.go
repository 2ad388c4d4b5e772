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
//   - with ACLs disabled (BucketOwnerEnforced, or ""), a request that sets
//     an ACL other than bucket-owner-full-control or its equivalent (only
//     FULL_CONTROL to the bucket owner; private is its equivalent, the
//     bucket owner being the owner) fails with AccessControlListNotSupported;
//     the object is the bucket owner's, with FULL_CONTROL to it;
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
	if e, ok := awserr.As(err); ok && e.Code == "AccessControlListNotSupported" {
		return acl.ACL{}, awserr.New("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	}
	return w.ACL, err
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
		if set && !a.OnlyFullControlTo(bOwner.ID) {
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
// body or the headers): refused with AccessControlListNotSupported when the
// bucket's ACLs are disabled, unless it only grants FULL_CONTROL to the
// bucket owner, and with AccessDenied when it is public and bpa blocks
// public ACLs; then validated (acl.ACL.Validate).
func PutACL(o Ownership, bpa PublicAccessBlock, a acl.ACL, bucketOwner string) error {
	if !o.ACLsEnabled() && !a.OnlyFullControlTo(acl.CanonicalID(bucketOwner)) {
		return ErrACLNotSupported()
	}
	if err := a.Validate(); err != nil {
		return err
	}
	return bpa.CheckACL(a)
}
