package access

import (
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

// AuthType is the value of s3:authType: how the request was authenticated.
type AuthType string

// The values of s3:authType (amazon-s3-policy-keys.html).
const (
	AuthHeader      AuthType = "REST-HEADER"
	AuthQueryString AuthType = "REST-QUERY-STRING"
	AuthPOST        AuthType = "POST"
)

// SignatureV4 is the value of s3:signatureversion for SigV4 requests.
const SignatureV4 = "AWS4-HMAC-SHA256"

// Auth describes how a signed request was signed; the zero value is an
// anonymous request, for which no signature keys are set.
type Auth struct {
	// Type is REST-HEADER, REST-QUERY-STRING or POST; "" for anonymous.
	Type AuthType
	// SignatureVersion is "AWS4-HMAC-SHA256" (the default when Type is set).
	SignatureVersion string
	// Age is the time since the request was signed (s3:signatureAge, in ms).
	Age time.Duration
}

// ObjectID names one object of a DeleteObjects request.
type ObjectID struct {
	Key, VersionID string
}

// Request is one S3 request as authorization sees it.
type Request struct {
	// Operation is the S3 API model's operation name, e.g. "GetObject".
	Operation string
	// Bucket, Key and VersionID are the request's target ("" when absent).
	Bucket, Key, VersionID string
	// Headers and Query are the request's headers (any case) and query
	// parameters.
	Headers, Query map[string][]string
	// Objects are the objects a DeleteObjects request deletes.
	Objects []ObjectID
	// Partition is the ARN partition; "" means "aws".
	Partition string

	// Auth describes the signature.
	Auth Auth
	// TLSVersion is the TLS version of the connection as s3:TlsVersion
	// takes it ("1.2", "1.3"); "" without TLS.
	TLSVersion string
	// BucketOwner is the account that owns the bucket (s3:ResourceAccount,
	// aws:ResourceAccount).
	BucketOwner string
	// BucketVersioned reports that versioning is enabled on the bucket
	// (GetObjectAttributes then needs the version actions).
	BucketVersioned bool
	// BucketTags are the bucket's tags (s3:BucketTag/<key>, aws:ResourceTag/<key>).
	BucketTags map[string]string
	// ExistingObjectTags are the tags of the object the request reads or
	// changes (s3:ExistingObjectTag/<key>).
	ExistingObjectTags map[string]string
	// RequestTags are the tags of a PutObjectTagging body
	// (s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys); other
	// operations take them from the x-amz-tagging header.
	RequestTags map[string]string
	// SourceObjectTags are the tags of the source object of a CopyObject
	// or UploadPartCopy: its s3:ExistingObjectTag/<key> in the source
	// checks (ExistingObjectTags are the destination's).
	SourceObjectTags map[string]string
	// SourceHasTags reports that the source object of a CopyObject has tags.
	SourceHasTags bool
	// LocationConstraint is the CreateBucket body's LocationConstraint.
	LocationConstraint string
	// Lock holds the Object Lock condition keys a request's body supplies
	// (PutObjectRetention, PutObjectLegalHold) or whose value the server
	// computes (s3:object-lock-remaining-retention-days); zero: none.
	Lock LockKeys
}

// LockKeys are Object Lock condition keys
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html,
// "Using Object Lock with ... condition keys"). A field left "" is not
// supplied; the x-amz-object-lock-* headers supply the first three for
// the writes that carry them.
type LockKeys struct {
	// Mode is s3:object-lock-mode.
	Mode string
	// RetainUntilDate is s3:object-lock-retain-until-date.
	RetainUntilDate string
	// LegalHold is s3:object-lock-legal-hold.
	LegalHold string
	// RemainingDays is s3:object-lock-remaining-retention-days.
	RemainingDays string
}

// Check is one authorization a request needs: Action on Resource, with the
// condition keys the request supplies for that action.
type Check struct {
	// Action is "s3:Name".
	Action string
	// Resource is the resource ARN, or "*".
	Resource string
	// Context holds the request's condition keys for this action, to add
	// to the caller's (authz.Request.Context).
	Context map[string][]string
	// Bucket and Key locate the resource (the copy source for the source
	// check of CopyObject and UploadPartCopy); Key is "" for bucket checks.
	Bucket, Key string
	// Source marks the checks of a copy's source object.
	Source bool
}

// errNotImplemented is S3's answer to an operation it does not implement.
func errNotImplemented() *awserr.Error {
	e := awserr.New("NotImplemented", "A header you provided implies functionality that is not implemented")
	e.Status = 501
	e.Sender = false
	return e
}

// Describe returns the checks request r makes, in the order S3 makes them
// (for CopyObject and UploadPartCopy: the source first). Errors are S3's
// for malformed input that authorization reads (x-amz-copy-source,
// x-amz-tagging, ACL headers) and NotImplemented for an unknown operation.
func Describe(r *Request) ([]Check, error) {
	d := describer{r: r, part: r.Partition}
	if d.part == "" {
		d.part = "aws"
	}
	if err := d.run(); err != nil {
		return nil, err
	}
	return d.out, nil
}

type describer struct {
	r    *Request
	part string
	out  []Check
	keys *keySet
	hdr  map[string]string // lower-cased header names to their values, joined
}

// header returns the value of the header lowerName (given in lower case,
// matched in any case) as the operation decodes it: its values joined
// with ",", as HTTP combines a repeated field (RFC 9110 §5.3), so that a
// repeated header is authorized as what the operation reads.
func (d *describer) header(lowerName string) (string, bool) {
	if d.hdr == nil {
		d.hdr = make(map[string]string, len(d.r.Headers))
	}
	if v, ok := d.hdr[lowerName]; ok {
		return v, true
	}
	canon := textproto.CanonicalMIMEHeaderKey(lowerName)
	vs := d.r.Headers[canon]
	for k, more := range d.r.Headers {
		// Headers given in another case (not from net/http) count too.
		if k != canon && strings.EqualFold(k, lowerName) {
			vs = append(vs[:len(vs):len(vs)], more...)
		}
	}
	if len(vs) == 0 {
		return "", false
	}
	v := strings.Join(vs, ",")
	d.hdr[lowerName] = v
	return v, true
}

func (d *describer) bucketARN(b string) string { return "arn:" + d.part + ":s3:::" + b }

func (d *describer) objectARN(b, k string) string { return "arn:" + d.part + ":s3:::" + b + "/" + k }

func (d *describer) bucket(action string) {
	d.add(action, d.bucketARN(d.r.Bucket), d.r.Bucket, "")
}

func (d *describer) object(action string) {
	d.add(action, d.objectARN(d.r.Bucket, d.r.Key), d.r.Bucket, d.r.Key)
}

// versioned picks the version action when the request names a version.
func (d *describer) versioned(plain, version string) string {
	if d.r.VersionID != "" {
		return version
	}
	return plain
}

func (d *describer) add(action, resource, bucket, key string) {
	d.out = append(d.out, Check{Action: "s3:" + action, Resource: resource, Bucket: bucket, Key: key})
}

// source adds a check of a copy's source object.
func (d *describer) source(action, bucket, key string) {
	d.add(action, d.objectARN(bucket, key), bucket, key)
	d.out[len(d.out)-1].Source = true
}

func (d *describer) run() error {
	ks, err := requestKeys(d)
	if err != nil {
		return err
	}
	d.keys = ks
	r := d.r
	switch r.Operation {
	case "ListBuckets":
		d.add("ListAllMyBuckets", "*", "", "")
	case "CreateBucket":
		d.bucket("CreateBucket")
		// CreateBucket needs s3:PutBucketAcl for any ACL but private
		// (API reference, CreateBucket, Permissions).
		if v, ok := d.header(acl.HeaderACL); (ok && v != acl.CannedPrivate) || d.grantHeaders() {
			d.bucket("PutBucketAcl")
		}
		if _, ok := d.header("x-amz-object-ownership"); ok {
			d.bucket("PutBucketOwnershipControls")
		}
		if v, _ := d.header("x-amz-bucket-object-lock-enabled"); strings.EqualFold(v, "true") {
			d.bucket("PutBucketObjectLockConfiguration")
			d.bucket("PutBucketVersioning")
		}
	case "DeleteBucket":
		d.bucket("DeleteBucket")
	case "HeadBucket", "ListObjects", "ListObjectsV2":
		d.bucket("ListBucket")
	case "GetBucketLocation":
		d.bucket("GetBucketLocation")
	case "ListObjectVersions":
		d.bucket("ListBucketVersions")
	case "ListMultipartUploads":
		d.bucket("ListBucketMultipartUploads")
	case "PutObject", "CreateMultipartUpload":
		d.object("PutObject")
		d.writeExtras()
	case "UploadPart", "CompleteMultipartUpload":
		d.object("PutObject")
	case "GetObject", "HeadObject":
		d.object(d.versioned("GetObject", "GetObjectVersion"))
	case "GetObjectAttributes":
		// "If the bucket is versioned, you need both the s3:GetObjectVersion
		// and s3:GetObjectVersionAttributes permissions" (API reference).
		if r.BucketVersioned || r.VersionID != "" {
			d.object("GetObjectVersion")
			d.object("GetObjectVersionAttributes")
		} else {
			d.object("GetObject")
			d.object("GetObjectAttributes")
		}
	case "DeleteObject":
		d.object(d.versioned("DeleteObject", "DeleteObjectVersion"))
		d.bypass(r.Key)
	case "DeleteObjects":
		for _, o := range r.Objects {
			a := "DeleteObject"
			if o.VersionID != "" {
				a = "DeleteObjectVersion"
			}
			d.add(a, d.objectARN(r.Bucket, o.Key), r.Bucket, o.Key)
		}
		for _, o := range r.Objects {
			d.bypass(o.Key)
		}
	case "CopyObject", "UploadPartCopy":
		return d.copy()
	case "AbortMultipartUpload":
		d.object("AbortMultipartUpload")
	case "ListParts":
		d.object("ListMultipartUploadParts")
	case "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "GetBucketPolicyStatus",
		"PutBucketAcl", "GetBucketAcl", "PutBucketOwnershipControls", "GetBucketOwnershipControls",
		"PutBucketTagging", "GetBucketTagging", "PutBucketVersioning", "GetBucketVersioning":
		d.bucket(r.Operation)
	case "DeleteBucketOwnershipControls":
		// "To use this operation, you must have the
		// s3:PutBucketOwnershipControls permission" (API reference).
		d.bucket("PutBucketOwnershipControls")
	case "PutPublicAccessBlock", "DeletePublicAccessBlock":
		d.bucket("PutBucketPublicAccessBlock")
	case "GetPublicAccessBlock":
		d.bucket("GetBucketPublicAccessBlock")
	case "DeleteBucketTagging":
		d.bucket("PutBucketTagging")
	case "PutBucketCors", "DeleteBucketCors":
		d.bucket("PutBucketCORS")
	case "GetBucketCors":
		d.bucket("GetBucketCORS")
	case "PutBucketEncryption", "DeleteBucketEncryption":
		d.bucket("PutEncryptionConfiguration")
	case "GetBucketEncryption":
		d.bucket("GetEncryptionConfiguration")
	case "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle":
		d.bucket("PutLifecycleConfiguration")
	case "GetBucketLifecycleConfiguration":
		d.bucket("GetLifecycleConfiguration")
	case "PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite",
		"PutBucketLogging", "GetBucketLogging", "PutBucketRequestPayment", "GetBucketRequestPayment":
		d.bucket(r.Operation)
	case "PutBucketAccelerateConfiguration":
		d.bucket("PutAccelerateConfiguration")
	case "GetBucketAccelerateConfiguration":
		d.bucket("GetAccelerateConfiguration")
	case "PutBucketNotificationConfiguration":
		d.bucket("PutBucketNotification")
	case "GetBucketNotificationConfiguration":
		d.bucket("GetBucketNotification")
	case "PutBucketReplication", "DeleteBucketReplication":
		d.bucket("PutReplicationConfiguration")
	case "GetBucketReplication":
		d.bucket("GetReplicationConfiguration")
	case "PutObjectLockConfiguration":
		d.bucket("PutBucketObjectLockConfiguration")
	case "GetObjectLockConfiguration":
		d.bucket("GetBucketObjectLockConfiguration")
	case "PutObjectAcl":
		d.object(d.versioned("PutObjectAcl", "PutObjectVersionAcl"))
	case "GetObjectAcl":
		d.object(d.versioned("GetObjectAcl", "GetObjectVersionAcl"))
	case "PutObjectTagging":
		d.object(d.versioned("PutObjectTagging", "PutObjectVersionTagging"))
	case "GetObjectTagging":
		d.object(d.versioned("GetObjectTagging", "GetObjectVersionTagging"))
	case "DeleteObjectTagging":
		d.object(d.versioned("DeleteObjectTagging", "DeleteObjectVersionTagging"))
	case "PutObjectRetention", "GetObjectRetention", "PutObjectLegalHold", "GetObjectLegalHold":
		d.object(r.Operation)
		if r.Operation == "PutObjectRetention" {
			d.bypass(r.Key)
		}
	default:
		return errNotImplemented()
	}
	d.attachKeys()
	return nil
}

// grantHeaders reports whether any x-amz-grant-* header is present.
func (d *describer) grantHeaders() bool {
	for _, name := range [...]string{acl.HeaderGrantFullControl, acl.HeaderGrantRead, acl.HeaderGrantWrite, acl.HeaderGrantReadACP, acl.HeaderGrantWriteACP} {
		if _, ok := d.header(name); ok {
			return true
		}
	}
	return false
}

// writeExtras adds what the headers of an object write need besides
// s3:PutObject: s3:PutObjectTagging for x-amz-tagging (API reference,
// PutObject, "Permissions"), and the Object Lock actions for Object Lock
// headers. ACL headers need no more than s3:PutObject, which policies
// constrain with s3:x-amz-acl and s3:x-amz-grant-* (the S3 user guide's
// example "Require the bucket-owner-full-control canned ACL" grants only
// s3:PutObject: example-bucket-policies-condition-keys.html).
func (d *describer) writeExtras() {
	if v, ok := d.header("x-amz-tagging"); ok && v != "" {
		d.object("PutObjectTagging")
	}
	d.lockExtras()
}

func (d *describer) lockExtras() {
	_, mode := d.header("x-amz-object-lock-mode")
	_, until := d.header("x-amz-object-lock-retain-until-date")
	if mode || until {
		d.object("PutObjectRetention")
	}
	if _, ok := d.header("x-amz-object-lock-legal-hold"); ok {
		d.object("PutObjectLegalHold")
	}
}

// bypass adds s3:BypassGovernanceRetention when the request asks to bypass
// governance-mode retention.
func (d *describer) bypass(key string) {
	if v, _ := d.header("x-amz-bypass-governance-retention"); strings.EqualFold(v, "true") {
		d.add("BypassGovernanceRetention", d.objectARN(d.r.Bucket, key), d.r.Bucket, key)
	}
}

// copy describes CopyObject and UploadPartCopy: read the source (its
// version when x-amz-copy-source names one), write the destination.
func (d *describer) copy() error {
	v, ok := d.header("x-amz-copy-source")
	if !ok {
		return awserr.New("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	sb, sk, sv, err := ParseCopySource(v)
	if err != nil {
		return err
	}
	read := "GetObject"
	if sv != "" {
		read = "GetObjectVersion"
	}
	d.source(read, sb, sk)
	d.object("PutObject")
	if d.r.Operation == "CopyObject" {
		dir, _ := d.header("x-amz-tagging-directive")
		if strings.EqualFold(dir, "REPLACE") {
			if t, ok := d.header("x-amz-tagging"); ok && t != "" {
				d.object("PutObjectTagging")
			}
		} else if d.r.SourceHasTags {
			// Copying the source's tags reads them and writes them.
			tagRead := "GetObjectTagging"
			if sv != "" {
				tagRead = "GetObjectVersionTagging"
			}
			d.source(tagRead, sb, sk)
			d.object("PutObjectTagging")
		}
		d.lockExtras()
	}
	d.attachKeys()
	return nil
}

// ParseCopySource parses x-amz-copy-source: "bucket/key" or "/bucket/key",
// URL-encoded, optionally followed by "?versionId=...". An empty bucket or
// key is S3's InvalidArgument naming the header.
func ParseCopySource(v string) (bucket, key, versionID string, err error) {
	bad := func() error {
		return awserr.New("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey").
			WithMembers(map[string]any{"ArgumentName": "x-amz-copy-source", "ArgumentValue": v})
	}
	s := v
	if q := strings.IndexByte(s, '?'); q >= 0 {
		vals, perr := url.ParseQuery(s[q+1:])
		if perr != nil {
			return "", "", "", bad()
		}
		versionID = vals.Get("versionId")
		if _, has := vals["versionId"]; has && versionID == "" {
			return "", "", "", awserr.New("InvalidArgument", "Invalid version id specified").
				WithMembers(map[string]any{"ArgumentName": "versionId", "ArgumentValue": ""})
		}
		s = s[:q]
	}
	s = strings.TrimPrefix(s, "/")
	un, uerr := url.PathUnescape(s)
	if uerr != nil {
		return "", "", "", bad()
	}
	slash := strings.IndexByte(un, '/')
	if slash <= 0 || slash == len(un)-1 {
		return "", "", "", bad()
	}
	return un[:slash], un[slash+1:], versionID, nil
}
