package access

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/awserr"
)

type ar struct{ action, resource string }

func checksOf(cs []Check) []ar {
	out := make([]ar, len(cs))
	for i, c := range cs {
		out[i] = ar{c.Action, c.Resource}
	}
	return out
}

const (
	bARN = "arn:aws:s3:::b"
	kARN = "arn:aws:s3:::b/k"
)

// Actions per operation: Service Authorization Reference (list_amazons3.html)
// and the S3 user guide, "Required permissions for Amazon S3 API operations"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html);
// the conditional ones from each operation's "Permissions" section of the API
// reference (reference/aws-api-models/s3/2006-03-01/service-2.json).
var describeCases = []struct {
	name string
	req  Request
	want []ar
}{
	{"ListBuckets", Request{Operation: "ListBuckets"}, []ar{{"s3:ListAllMyBuckets", "*"}}},
	{"CreateBucket", Request{Operation: "CreateBucket", Bucket: "b"}, []ar{{"s3:CreateBucket", bARN}}},
	{"CreateBucket private", Request{Operation: "CreateBucket", Bucket: "b", Headers: h("x-amz-acl", "private")}, []ar{{"s3:CreateBucket", bARN}}},
	{"CreateBucket public-read", Request{Operation: "CreateBucket", Bucket: "b", Headers: h("x-amz-acl", "public-read")}, []ar{{"s3:CreateBucket", bARN}, {"s3:PutBucketAcl", bARN}}},
	{"CreateBucket grants", Request{Operation: "CreateBucket", Bucket: "b", Headers: h("X-Amz-Grant-Read", `uri="http://acs.amazonaws.com/groups/global/AllUsers"`)}, []ar{{"s3:CreateBucket", bARN}, {"s3:PutBucketAcl", bARN}}},
	{"CreateBucket ownership", Request{Operation: "CreateBucket", Bucket: "b", Headers: h("x-amz-object-ownership", "ObjectWriter")}, []ar{{"s3:CreateBucket", bARN}, {"s3:PutBucketOwnershipControls", bARN}}},
	{"CreateBucket object lock", Request{Operation: "CreateBucket", Bucket: "b", Headers: h("x-amz-bucket-object-lock-enabled", "true")}, []ar{{"s3:CreateBucket", bARN}, {"s3:PutBucketObjectLockConfiguration", bARN}, {"s3:PutBucketVersioning", bARN}}},
	{"DeleteBucket", Request{Operation: "DeleteBucket", Bucket: "b"}, []ar{{"s3:DeleteBucket", bARN}}},
	{"HeadBucket", Request{Operation: "HeadBucket", Bucket: "b"}, []ar{{"s3:ListBucket", bARN}}},
	{"GetBucketLocation", Request{Operation: "GetBucketLocation", Bucket: "b"}, []ar{{"s3:GetBucketLocation", bARN}}},
	{"ListObjects", Request{Operation: "ListObjects", Bucket: "b"}, []ar{{"s3:ListBucket", bARN}}},
	{"ListObjectsV2", Request{Operation: "ListObjectsV2", Bucket: "b"}, []ar{{"s3:ListBucket", bARN}}},
	{"ListObjectVersions", Request{Operation: "ListObjectVersions", Bucket: "b"}, []ar{{"s3:ListBucketVersions", bARN}}},
	{"PutObject", Request{Operation: "PutObject", Bucket: "b", Key: "k"}, []ar{{"s3:PutObject", kARN}}},
	{"PutObject acl+tagging", Request{Operation: "PutObject", Bucket: "b", Key: "k", Headers: h("x-amz-acl", "private", "x-amz-tagging", "a=1")}, []ar{{"s3:PutObject", kARN}, {"s3:PutObjectTagging", kARN}}},
	{"PutObject lock", Request{Operation: "PutObject", Bucket: "b", Key: "k", Headers: h("x-amz-object-lock-mode", "GOVERNANCE", "x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z", "x-amz-object-lock-legal-hold", "ON")}, []ar{{"s3:PutObject", kARN}, {"s3:PutObjectRetention", kARN}, {"s3:PutObjectLegalHold", kARN}}},
	{"GetObject", Request{Operation: "GetObject", Bucket: "b", Key: "k"}, []ar{{"s3:GetObject", kARN}}},
	{"GetObject version", Request{Operation: "GetObject", Bucket: "b", Key: "k", VersionID: "v1"}, []ar{{"s3:GetObjectVersion", kARN}}},
	{"HeadObject", Request{Operation: "HeadObject", Bucket: "b", Key: "k"}, []ar{{"s3:GetObject", kARN}}},
	{"HeadObject version", Request{Operation: "HeadObject", Bucket: "b", Key: "k", VersionID: "v1"}, []ar{{"s3:GetObjectVersion", kARN}}},
	{"DeleteObject", Request{Operation: "DeleteObject", Bucket: "b", Key: "k"}, []ar{{"s3:DeleteObject", kARN}}},
	{"DeleteObject version", Request{Operation: "DeleteObject", Bucket: "b", Key: "k", VersionID: "v"}, []ar{{"s3:DeleteObjectVersion", kARN}}},
	{"DeleteObject bypass", Request{Operation: "DeleteObject", Bucket: "b", Key: "k", Headers: h("x-amz-bypass-governance-retention", "true")}, []ar{{"s3:DeleteObject", kARN}, {"s3:BypassGovernanceRetention", kARN}}},
	{"DeleteObjects", Request{Operation: "DeleteObjects", Bucket: "b", Objects: []ObjectID{{Key: "k"}, {Key: "x/y", VersionID: "v"}}}, []ar{{"s3:DeleteObject", kARN}, {"s3:DeleteObjectVersion", "arn:aws:s3:::b/x/y"}}},
	{"CopyObject", Request{Operation: "CopyObject", Bucket: "b", Key: "k", Headers: h("x-amz-copy-source", "/src/a%20b")}, []ar{{"s3:GetObject", "arn:aws:s3:::src/a b"}, {"s3:PutObject", kARN}}},
	{"CopyObject version", Request{Operation: "CopyObject", Bucket: "b", Key: "k", Headers: h("x-amz-copy-source", "src/s?versionId=v1")}, []ar{{"s3:GetObjectVersion", "arn:aws:s3:::src/s"}, {"s3:PutObject", kARN}}},
	{"CopyObject acl replace tags", Request{Operation: "CopyObject", Bucket: "b", Key: "k", Headers: h("x-amz-copy-source", "src/s", "x-amz-acl", "private", "x-amz-tagging-directive", "REPLACE", "x-amz-tagging", "a=1")}, []ar{{"s3:GetObject", "arn:aws:s3:::src/s"}, {"s3:PutObject", kARN}, {"s3:PutObjectTagging", kARN}}},
	{"CopyObject copies tags", Request{Operation: "CopyObject", Bucket: "b", Key: "k", SourceHasTags: true, Headers: h("x-amz-copy-source", "src/s")}, []ar{{"s3:GetObject", "arn:aws:s3:::src/s"}, {"s3:PutObject", kARN}, {"s3:GetObjectTagging", "arn:aws:s3:::src/s"}, {"s3:PutObjectTagging", kARN}}},
	{"CreateMultipartUpload", Request{Operation: "CreateMultipartUpload", Bucket: "b", Key: "k"}, []ar{{"s3:PutObject", kARN}}},
	{"UploadPart", Request{Operation: "UploadPart", Bucket: "b", Key: "k"}, []ar{{"s3:PutObject", kARN}}},
	{"UploadPartCopy", Request{Operation: "UploadPartCopy", Bucket: "b", Key: "k", Headers: h("x-amz-copy-source", "src/s")}, []ar{{"s3:GetObject", "arn:aws:s3:::src/s"}, {"s3:PutObject", kARN}}},
	{"CompleteMultipartUpload", Request{Operation: "CompleteMultipartUpload", Bucket: "b", Key: "k"}, []ar{{"s3:PutObject", kARN}}},
	{"AbortMultipartUpload", Request{Operation: "AbortMultipartUpload", Bucket: "b", Key: "k"}, []ar{{"s3:AbortMultipartUpload", kARN}}},
	{"ListParts", Request{Operation: "ListParts", Bucket: "b", Key: "k"}, []ar{{"s3:ListMultipartUploadParts", kARN}}},
	{"ListMultipartUploads", Request{Operation: "ListMultipartUploads", Bucket: "b"}, []ar{{"s3:ListBucketMultipartUploads", bARN}}},
	{"PutBucketPolicy", Request{Operation: "PutBucketPolicy", Bucket: "b"}, []ar{{"s3:PutBucketPolicy", bARN}}},
	{"GetBucketPolicy", Request{Operation: "GetBucketPolicy", Bucket: "b"}, []ar{{"s3:GetBucketPolicy", bARN}}},
	{"DeleteBucketPolicy", Request{Operation: "DeleteBucketPolicy", Bucket: "b"}, []ar{{"s3:DeleteBucketPolicy", bARN}}},
	{"GetBucketPolicyStatus", Request{Operation: "GetBucketPolicyStatus", Bucket: "b"}, []ar{{"s3:GetBucketPolicyStatus", bARN}}},
	{"PutBucketAcl", Request{Operation: "PutBucketAcl", Bucket: "b"}, []ar{{"s3:PutBucketAcl", bARN}}},
	{"GetBucketAcl", Request{Operation: "GetBucketAcl", Bucket: "b"}, []ar{{"s3:GetBucketAcl", bARN}}},
	{"PutObjectAcl", Request{Operation: "PutObjectAcl", Bucket: "b", Key: "k"}, []ar{{"s3:PutObjectAcl", kARN}}},
	{"PutObjectAcl version", Request{Operation: "PutObjectAcl", Bucket: "b", Key: "k", VersionID: "v"}, []ar{{"s3:PutObjectVersionAcl", kARN}}},
	{"GetObjectAcl", Request{Operation: "GetObjectAcl", Bucket: "b", Key: "k"}, []ar{{"s3:GetObjectAcl", kARN}}},
	{"GetObjectAcl version", Request{Operation: "GetObjectAcl", Bucket: "b", Key: "k", VersionID: "v"}, []ar{{"s3:GetObjectVersionAcl", kARN}}},
	{"PutBucketOwnershipControls", Request{Operation: "PutBucketOwnershipControls", Bucket: "b"}, []ar{{"s3:PutBucketOwnershipControls", bARN}}},
	{"GetBucketOwnershipControls", Request{Operation: "GetBucketOwnershipControls", Bucket: "b"}, []ar{{"s3:GetBucketOwnershipControls", bARN}}},
	{"DeleteBucketOwnershipControls", Request{Operation: "DeleteBucketOwnershipControls", Bucket: "b"}, []ar{{"s3:PutBucketOwnershipControls", bARN}}},
	{"PutPublicAccessBlock", Request{Operation: "PutPublicAccessBlock", Bucket: "b"}, []ar{{"s3:PutBucketPublicAccessBlock", bARN}}},
	{"GetPublicAccessBlock", Request{Operation: "GetPublicAccessBlock", Bucket: "b"}, []ar{{"s3:GetBucketPublicAccessBlock", bARN}}},
	{"DeletePublicAccessBlock", Request{Operation: "DeletePublicAccessBlock", Bucket: "b"}, []ar{{"s3:PutBucketPublicAccessBlock", bARN}}},
	{"PutBucketTagging", Request{Operation: "PutBucketTagging", Bucket: "b"}, []ar{{"s3:PutBucketTagging", bARN}}},
	{"GetBucketTagging", Request{Operation: "GetBucketTagging", Bucket: "b"}, []ar{{"s3:GetBucketTagging", bARN}}},
	{"DeleteBucketTagging", Request{Operation: "DeleteBucketTagging", Bucket: "b"}, []ar{{"s3:PutBucketTagging", bARN}}},
	{"PutObjectTagging", Request{Operation: "PutObjectTagging", Bucket: "b", Key: "k"}, []ar{{"s3:PutObjectTagging", kARN}}},
	{"PutObjectTagging version", Request{Operation: "PutObjectTagging", Bucket: "b", Key: "k", VersionID: "v"}, []ar{{"s3:PutObjectVersionTagging", kARN}}},
	{"GetObjectTagging", Request{Operation: "GetObjectTagging", Bucket: "b", Key: "k"}, []ar{{"s3:GetObjectTagging", kARN}}},
	{"GetObjectTagging version", Request{Operation: "GetObjectTagging", Bucket: "b", Key: "k", VersionID: "v"}, []ar{{"s3:GetObjectVersionTagging", kARN}}},
	{"DeleteObjectTagging", Request{Operation: "DeleteObjectTagging", Bucket: "b", Key: "k"}, []ar{{"s3:DeleteObjectTagging", kARN}}},
	{"DeleteObjectTagging version", Request{Operation: "DeleteObjectTagging", Bucket: "b", Key: "k", VersionID: "v"}, []ar{{"s3:DeleteObjectVersionTagging", kARN}}},
	{"PutBucketVersioning", Request{Operation: "PutBucketVersioning", Bucket: "b"}, []ar{{"s3:PutBucketVersioning", bARN}}},
	{"GetBucketVersioning", Request{Operation: "GetBucketVersioning", Bucket: "b"}, []ar{{"s3:GetBucketVersioning", bARN}}},
	{"GetObjectAttributes", Request{Operation: "GetObjectAttributes", Bucket: "b", Key: "k"}, []ar{{"s3:GetObject", kARN}, {"s3:GetObjectAttributes", kARN}}},
	{"GetObjectAttributes versioned", Request{Operation: "GetObjectAttributes", Bucket: "b", Key: "k", BucketVersioned: true}, []ar{{"s3:GetObjectVersion", kARN}, {"s3:GetObjectVersionAttributes", kARN}}},
	{"PutBucketCors", Request{Operation: "PutBucketCors", Bucket: "b"}, []ar{{"s3:PutBucketCORS", bARN}}},
	{"GetBucketCors", Request{Operation: "GetBucketCors", Bucket: "b"}, []ar{{"s3:GetBucketCORS", bARN}}},
	{"DeleteBucketCors", Request{Operation: "DeleteBucketCors", Bucket: "b"}, []ar{{"s3:PutBucketCORS", bARN}}},
	{"PutBucketEncryption", Request{Operation: "PutBucketEncryption", Bucket: "b"}, []ar{{"s3:PutEncryptionConfiguration", bARN}}},
	{"GetBucketEncryption", Request{Operation: "GetBucketEncryption", Bucket: "b"}, []ar{{"s3:GetEncryptionConfiguration", bARN}}},
	{"DeleteBucketEncryption", Request{Operation: "DeleteBucketEncryption", Bucket: "b"}, []ar{{"s3:PutEncryptionConfiguration", bARN}}},
	{"PutBucketLifecycleConfiguration", Request{Operation: "PutBucketLifecycleConfiguration", Bucket: "b"}, []ar{{"s3:PutLifecycleConfiguration", bARN}}},
	{"GetBucketLifecycleConfiguration", Request{Operation: "GetBucketLifecycleConfiguration", Bucket: "b"}, []ar{{"s3:GetLifecycleConfiguration", bARN}}},
	{"DeleteBucketLifecycle", Request{Operation: "DeleteBucketLifecycle", Bucket: "b"}, []ar{{"s3:PutLifecycleConfiguration", bARN}}},
	{"PutBucketWebsite", Request{Operation: "PutBucketWebsite", Bucket: "b"}, []ar{{"s3:PutBucketWebsite", bARN}}},
	{"GetBucketWebsite", Request{Operation: "GetBucketWebsite", Bucket: "b"}, []ar{{"s3:GetBucketWebsite", bARN}}},
	{"DeleteBucketWebsite", Request{Operation: "DeleteBucketWebsite", Bucket: "b"}, []ar{{"s3:DeleteBucketWebsite", bARN}}},
	{"PutBucketLogging", Request{Operation: "PutBucketLogging", Bucket: "b"}, []ar{{"s3:PutBucketLogging", bARN}}},
	{"GetBucketLogging", Request{Operation: "GetBucketLogging", Bucket: "b"}, []ar{{"s3:GetBucketLogging", bARN}}},
	{"PutBucketRequestPayment", Request{Operation: "PutBucketRequestPayment", Bucket: "b"}, []ar{{"s3:PutBucketRequestPayment", bARN}}},
	{"GetBucketRequestPayment", Request{Operation: "GetBucketRequestPayment", Bucket: "b"}, []ar{{"s3:GetBucketRequestPayment", bARN}}},
	{"PutBucketAccelerateConfiguration", Request{Operation: "PutBucketAccelerateConfiguration", Bucket: "b"}, []ar{{"s3:PutAccelerateConfiguration", bARN}}},
	{"GetBucketAccelerateConfiguration", Request{Operation: "GetBucketAccelerateConfiguration", Bucket: "b"}, []ar{{"s3:GetAccelerateConfiguration", bARN}}},
	{"PutBucketNotificationConfiguration", Request{Operation: "PutBucketNotificationConfiguration", Bucket: "b"}, []ar{{"s3:PutBucketNotification", bARN}}},
	{"GetBucketNotificationConfiguration", Request{Operation: "GetBucketNotificationConfiguration", Bucket: "b"}, []ar{{"s3:GetBucketNotification", bARN}}},
	{"PutBucketReplication", Request{Operation: "PutBucketReplication", Bucket: "b"}, []ar{{"s3:PutReplicationConfiguration", bARN}}},
	{"GetBucketReplication", Request{Operation: "GetBucketReplication", Bucket: "b"}, []ar{{"s3:GetReplicationConfiguration", bARN}}},
	{"DeleteBucketReplication", Request{Operation: "DeleteBucketReplication", Bucket: "b"}, []ar{{"s3:PutReplicationConfiguration", bARN}}},
	{"PutObjectLockConfiguration", Request{Operation: "PutObjectLockConfiguration", Bucket: "b"}, []ar{{"s3:PutBucketObjectLockConfiguration", bARN}}},
	{"GetObjectLockConfiguration", Request{Operation: "GetObjectLockConfiguration", Bucket: "b"}, []ar{{"s3:GetBucketObjectLockConfiguration", bARN}}},
	{"PutObjectRetention", Request{Operation: "PutObjectRetention", Bucket: "b", Key: "k", Headers: h("x-amz-bypass-governance-retention", "true")}, []ar{{"s3:PutObjectRetention", kARN}, {"s3:BypassGovernanceRetention", kARN}}},
	{"GetObjectRetention", Request{Operation: "GetObjectRetention", Bucket: "b", Key: "k"}, []ar{{"s3:GetObjectRetention", kARN}}},
	{"PutObjectLegalHold", Request{Operation: "PutObjectLegalHold", Bucket: "b", Key: "k"}, []ar{{"s3:PutObjectLegalHold", kARN}}},
	{"GetObjectLegalHold", Request{Operation: "GetObjectLegalHold", Bucket: "b", Key: "k"}, []ar{{"s3:GetObjectLegalHold", kARN}}},
}

// h builds a header map from name/value pairs.
func h(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func TestDescribe(t *testing.T) {
	for _, tc := range describeCases {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := Describe(&tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := checksOf(cs); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDescribeRequiredOperations: every operation the S3 endpoint must
// authorize is described.
func TestDescribeRequiredOperations(t *testing.T) {
	ops := strings.Fields(`ListBuckets CreateBucket DeleteBucket HeadBucket GetBucketLocation ListObjects
	ListObjectsV2 ListObjectVersions PutObject GetObject HeadObject DeleteObject DeleteObjects CopyObject
	CreateMultipartUpload UploadPart UploadPartCopy CompleteMultipartUpload AbortMultipartUpload ListParts
	ListMultipartUploads PutBucketPolicy GetBucketPolicy DeleteBucketPolicy GetBucketPolicyStatus PutBucketAcl
	GetBucketAcl PutObjectAcl GetObjectAcl PutBucketOwnershipControls GetBucketOwnershipControls
	DeleteBucketOwnershipControls PutPublicAccessBlock GetPublicAccessBlock DeletePublicAccessBlock
	PutBucketTagging GetBucketTagging DeleteBucketTagging PutObjectTagging GetObjectTagging DeleteObjectTagging
	PutBucketVersioning GetBucketVersioning GetObjectAttributes`)
	seen := map[string]bool{}
	for _, tc := range describeCases {
		seen[tc.req.Operation] = true
	}
	for _, op := range ops {
		if !seen[op] {
			t.Errorf("%s has no Describe case", op)
		}
	}
}

// TestDescribeActionsInAuthref: every action Describe emits exists in the
// Service Authorization Reference for the s3 prefix, and its resource ARN
// is of a resource type the reference gives the action ("*" only for
// actions without resource types).
func TestDescribeActionsInAuthref(t *testing.T) {
	data := authref.Lookup()
	for _, tc := range describeCases {
		cs, err := Describe(&tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, c := range cs {
			a, ok := data.Action(c.Action)
			if !ok {
				t.Errorf("%s: %s is not in authref", tc.name, c.Action)
				continue
			}
			if a.FullName() != c.Action {
				t.Errorf("%s: %s is spelled %s in authref", tc.name, c.Action, a.FullName())
			}
			if len(a.Resources) == 0 {
				if c.Resource != "*" {
					t.Errorf("%s: %s takes no resource type, got %s", tc.name, c.Action, c.Resource)
				}
				continue
			}
			match := false
			for _, r := range a.Resources {
				if (r.Type.Name == "bucket" || r.Type.Name == "object") && r.Type.MatchesARN(c.Resource) {
					match = true
				}
			}
			if !match {
				t.Errorf("%s: %s on %s matches none of its resource types", tc.name, c.Action, c.Resource)
			}
		}
	}
}

func TestDescribeUnknownOperation(t *testing.T) {
	_, err := Describe(&Request{Operation: "Frobnicate"})
	var e *awserr.Error
	if !errors.As(err, &e) || e.Code != "NotImplemented" || e.Status != 501 {
		t.Fatalf("got %v", err)
	}
}

// Condition keys: amazon-s3-policy-keys.html and the reference's keys per
// action (a key is supplied only to actions that list it).
func TestDescribeConditionKeys(t *testing.T) {
	tests := []struct {
		name   string
		req    Request
		check  int
		want   map[string][]string
		absent []string
	}{
		{
			name: "ListBucket prefix delimiter max-keys",
			req: Request{Operation: "ListObjectsV2", Bucket: "b", Query: map[string][]string{"prefix": {"home/"}, "delimiter": {"/"}, "max-keys": {"10"}},
				Auth: Auth{Type: AuthHeader, Age: 1500 * time.Millisecond}, TLSVersion: "1.3", BucketOwner: "111122223333",
				Headers: h("Referer", "https://example.com", "User-Agent", "aws-cli/2", "x-amz-content-sha256", "UNSIGNED-PAYLOAD")},
			want: map[string][]string{"s3:prefix": {"home/"}, "s3:delimiter": {"/"}, "s3:max-keys": {"10"},
				"s3:signatureversion": {"AWS4-HMAC-SHA256"}, "s3:authType": {"REST-HEADER"}, "s3:signatureAge": {"1500"},
				"s3:TlsVersion": {"1.3"}, "s3:ResourceAccount": {"111122223333"}, "aws:ResourceAccount": {"111122223333"},
				"aws:Referer": {"https://example.com"}, "aws:UserAgent": {"aws-cli/2"}, "s3:x-amz-content-sha256": {"UNSIGNED-PAYLOAD"}},
		},
		{
			name: "ListBucket without prefix has s3:prefix empty",
			req:  Request{Operation: "ListObjects", Bucket: "b"},
			want: map[string][]string{"s3:prefix": {""}}, absent: []string{"s3:delimiter", "s3:max-keys", "s3:authType"},
		},
		{
			name: "GetObject has no s3:prefix, has existing tags",
			req:  Request{Operation: "GetObject", Bucket: "b", Key: "k", ExistingObjectTags: map[string]string{"team": "red"}},
			want: map[string][]string{"s3:ExistingObjectTag/team": {"red"}}, absent: []string{"s3:prefix", "s3:VersionId"},
		},
		{
			name: "GetObjectVersion has s3:VersionId",
			req:  Request{Operation: "GetObject", Bucket: "b", Key: "k", VersionID: "v1"},
			want: map[string][]string{"s3:VersionId": {"v1"}},
		},
		{
			name: "PutObject headers and request tags",
			req: Request{Operation: "PutObject", Bucket: "b", Key: "k", Headers: h("x-amz-acl", "public-read", "x-amz-server-side-encryption", "aws:kms",
				"x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:us-east-1:111122223333:key/k", "x-amz-storage-class", "STANDARD_IA",
				"x-amz-tagging", "b=2&a=1", "x-amz-object-lock-mode", "GOVERNANCE")},
			want: map[string][]string{"s3:x-amz-acl": {"public-read"}, "s3:x-amz-server-side-encryption": {"aws:kms"},
				"s3:x-amz-server-side-encryption-aws-kms-key-id": {"arn:aws:kms:us-east-1:111122223333:key/k"},
				"s3:x-amz-storage-class":                         {"STANDARD_IA"}, "s3:RequestObjectTag/a": {"1"}, "s3:RequestObjectTag/b": {"2"},
				"s3:RequestObjectTagKeys": {"a", "b"}, "s3:object-lock-mode": {"GOVERNANCE"}},
			absent: []string{"s3:prefix", "s3:ExistingObjectTag/x"},
		},
		{
			name:  "CopyObject destination has copy source and metadata directive",
			req:   Request{Operation: "CopyObject", Bucket: "b", Key: "k", Headers: h("x-amz-copy-source", "src/s", "x-amz-metadata-directive", "REPLACE")},
			check: 1,
			want:  map[string][]string{"s3:x-amz-copy-source": {"src/s"}, "s3:x-amz-metadata-directive": {"REPLACE"}},
		},
		{
			name:   "CopyObject source read has no copy-source key",
			req:    Request{Operation: "CopyObject", Bucket: "b", Key: "k", Headers: h("x-amz-copy-source", "src/s")},
			absent: []string{"s3:x-amz-copy-source"},
		},
		{
			name: "CreateBucket location and ownership",
			req:  Request{Operation: "CreateBucket", Bucket: "b", LocationConstraint: "eu-west-1", Headers: h("x-amz-object-ownership", "BucketOwnerEnforced")},
			want: map[string][]string{"s3:LocationConstraint": {"eu-west-1"}, "s3:x-amz-object-ownership": {"BucketOwnerEnforced"}},
		},
		{
			name: "PutObjectTagging body tags",
			req:  Request{Operation: "PutObjectTagging", Bucket: "b", Key: "k", RequestTags: map[string]string{"x": "y"}},
			want: map[string][]string{"s3:RequestObjectTag/x": {"y"}, "s3:RequestObjectTagKeys": {"x"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := Describe(&tc.req)
			if err != nil {
				t.Fatal(err)
			}
			ctx := cs[tc.check].Context
			for k, v := range tc.want {
				if got, ok := ctx[k]; !ok || !slices.Equal(got, v) {
					t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := ctx[k]; ok {
					t.Errorf("%s present, want absent", k)
				}
			}
		})
	}
}

func TestParseCopySource(t *testing.T) {
	tests := []struct {
		in              string
		bucket, key, vr string
		err             bool
	}{
		{in: "b/k", bucket: "b", key: "k"},
		{in: "/b/dir/k%2Bplus", bucket: "b", key: "dir/k+plus"},
		{in: "b/k?versionId=abc", bucket: "b", key: "k", vr: "abc"},
		{in: "b", err: true},
		{in: "/b/", err: true},
		{in: "", err: true},
		{in: "b/%zz", err: true},
	}
	for _, tc := range tests {
		b, k, v, err := ParseCopySource(tc.in)
		if (err != nil) != tc.err || b != tc.bucket || k != tc.key || v != tc.vr {
			t.Errorf("ParseCopySource(%q) = %q %q %q %v", tc.in, b, k, v, err)
		}
	}
}

// Tag limits: object-tagging.html (10 tags, keys 128, values 256).
func TestParseTagging(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		code string
	}{
		{in: "a=1&b=2", want: map[string]string{"a": "1", "b": "2"}},
		{in: "k%20x=v%2Fy", want: map[string]string{"k x": "v/y"}},
		{in: "a=", want: map[string]string{"a": ""}},
		{in: "a=1&a=2", code: "InvalidArgument"},
		{in: "a=%zz", code: "InvalidArgument"},
		{in: strings.Repeat("k", 129) + "=v", code: "InvalidTag"},
		{in: "k=" + strings.Repeat("v", 257), code: "InvalidTag"},
		{in: "a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1", code: "BadRequest"},
	}
	for _, tc := range tests {
		got, err := ParseTagging(tc.in)
		if tc.code != "" {
			var e *awserr.Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Errorf("ParseTagging(%q) error %v, want %s", tc.in, err, tc.code)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("ParseTagging(%q) = %v, %v", tc.in, got, err)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("ParseTagging(%q)[%q] = %q, want %q", tc.in, k, got[k], v)
			}
		}
	}
}

func FuzzParseTagging(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "a=%zz", "", "&&=", "k=v&k=w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseTagging(s)
		if err == nil && len(m) > maxObjectTags {
			t.Fatalf("%d tags accepted", len(m))
		}
	})
}

func FuzzParseCopySource(f *testing.F) {
	for _, s := range []string{"b/k", "/b/k?versionId=1", "b", "%", "/b/%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, k, _, err := ParseCopySource(s)
		if err == nil && (b == "" || k == "") {
			t.Fatalf("%q: empty bucket or key accepted", s)
		}
	})
}
