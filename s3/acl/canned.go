package acl

// Target says what an ACL is for: canned ACLs and grant headers differ
// between buckets and objects.
type Target uint8

// The two targets.
const (
	ForBucket Target = iota
	ForObject
)

// The canned ACL names (acl-overview.html#canned-acl).
const (
	CannedPrivate                = "private"
	CannedPublicRead             = "public-read"
	CannedPublicReadWrite        = "public-read-write"
	CannedAWSExecRead            = "aws-exec-read"
	CannedAuthenticatedRead      = "authenticated-read"
	CannedBucketOwnerRead        = "bucket-owner-read"
	CannedBucketOwnerFullControl = "bucket-owner-full-control"
	CannedLogDeliveryWrite       = "log-delivery-write"
)

// The canonical user S3 grants READ to under aws-exec-read: Amazon EC2's
// ("za-team"), as GetObjectAcl reports it after a PutObject with that
// canned ACL.
const (
	ExecReadID          = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"
	ExecReadDisplayName = "za-team"
)

// ExecReadGrantee returns the grantee of aws-exec-read's READ grant.
func ExecReadGrantee() Grantee {
	return Grantee{Type: CanonicalUser, ID: ExecReadID, DisplayName: ExecReadDisplayName}
}

// ValidCanned reports whether name is a canned ACL S3 accepts for target.
// The acl-overview table lists log-delivery-write for buckets only, and
// bucket-owner-read and bucket-owner-full-control for objects (S3 ignores
// them when creating a bucket, so buckets accept them too).
func ValidCanned(name string, target Target) bool {
	switch name {
	case CannedPrivate, CannedPublicRead, CannedPublicReadWrite, CannedAWSExecRead,
		CannedAuthenticatedRead, CannedBucketOwnerRead, CannedBucketOwnerFullControl:
		return true
	case CannedLogDeliveryWrite:
		return target == ForBucket
	}
	return false
}

// Canned expands the canned ACL name as S3 does, for a resource owned by
// owner in a bucket owned by bucketOwner (for a bucket, both are the bucket
// owner). Every canned ACL gives the owner FULL_CONTROL; then:
//
//	public-read               AllUsers READ
//	public-read-write         AllUsers READ and WRITE
//	aws-exec-read             Amazon EC2 READ
//	authenticated-read        AuthenticatedUsers READ
//	bucket-owner-read         the bucket owner READ (objects; ignored for buckets)
//	bucket-owner-full-control the bucket owner FULL_CONTROL (objects; ignored for buckets)
//	log-delivery-write        LogDelivery WRITE and READ_ACP (buckets)
//
// When the object's owner is the bucket owner, the bucket-owner-* ACLs add
// no second grant. An unknown name, or one not valid for target, is S3's
// InvalidArgument naming the x-amz-acl header.
func Canned(name string, target Target, owner, bucketOwner Owner) (ACL, error) {
	if !ValidCanned(name, target) {
		return ACL{}, errInvalidArgument("", "x-amz-acl", name)
	}
	a := Private(owner)
	add := func(g Grantee, p Permission) { a.Grants = append(a.Grants, Grant{Grantee: g, Permission: p}) }
	switch name {
	case CannedPublicRead:
		add(GroupOf(AllUsers), Read)
	case CannedPublicReadWrite:
		add(GroupOf(AllUsers), Read)
		add(GroupOf(AllUsers), Write)
	case CannedAWSExecRead:
		add(ExecReadGrantee(), Read)
	case CannedAuthenticatedRead:
		add(GroupOf(AuthenticatedUsers), Read)
	case CannedBucketOwnerRead:
		if target == ForObject && bucketOwner.ID != owner.ID {
			add(ownerGrantee(bucketOwner), Read)
		}
	case CannedBucketOwnerFullControl:
		if target == ForObject && bucketOwner.ID != owner.ID {
			add(ownerGrantee(bucketOwner), FullControl)
		}
	case CannedLogDeliveryWrite:
		add(GroupOf(LogDelivery), Write)
		add(GroupOf(LogDelivery), ReadACP)
	}
	return a, nil
}
