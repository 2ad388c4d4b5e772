package generate

import (
	"strings"

	"github.com/gatehouse-iam/gatehouse/authref"
)

// prefixes maps the eventSource of services whose IAM service prefix is not
// their host name's first label.
var prefixes = map[string]string{
	"s3-object-lambda.amazonaws.com": "s3-object-lambda",
}

// exceptions maps the operations whose permission is not the action of the
// same name to the actions they need, from the "Permissions" sections of the
// services' API references and the Service Authorization Reference's
// "Dependent actions" (e.g. Amazon S3 API Reference, API_HeadObject: "you
// must have the s3:GetObject permission"; API_ListObjectsV2: "you must have
// the s3:ListBucket permission").
var exceptions = map[string][]string{
	"s3:CompleteMultipartUpload": {"s3:PutObject"},
	"s3:CreateMultipartUpload":   {"s3:PutObject"},
	"s3:UploadPart":              {"s3:PutObject"},
	"s3:UploadPartCopy":          {"s3:PutObject", "s3:GetObject"},
	"s3:CopyObject":              {"s3:PutObject", "s3:GetObject"},
	"s3:DeleteObjects":           {"s3:DeleteObject"},
	"s3:HeadObject":              {"s3:GetObject"},
	"s3:SelectObjectContent":     {"s3:GetObject"},
	"s3:HeadBucket":              {"s3:ListBucket"},
	"s3:ListObjects":             {"s3:ListBucket"},
	"s3:ListObjectsV2":           {"s3:ListBucket"},
	"s3:ListObjectVersions":      {"s3:ListBucketVersions"},
	"s3:ListMultipartUploads":    {"s3:ListBucketMultipartUploads"},
	"s3:ListParts":               {"s3:ListMultipartUploadParts"},
	"s3:ListBuckets":             {"s3:ListAllMyBuckets"},

	"s3:GetBucketEncryption":           {"s3:GetEncryptionConfiguration"},
	"s3:PutBucketEncryption":           {"s3:PutEncryptionConfiguration"},
	"s3:DeleteBucketEncryption":        {"s3:PutEncryptionConfiguration"},
	"s3:GetPublicAccessBlock":          {"s3:GetBucketPublicAccessBlock"},
	"s3:PutPublicAccessBlock":          {"s3:PutBucketPublicAccessBlock"},
	"s3:DeletePublicAccessBlock":       {"s3:PutBucketPublicAccessBlock"},
	"s3:DeleteBucketCors":              {"s3:PutBucketCORS"},
	"s3:DeleteBucketTagging":           {"s3:PutBucketTagging"},
	"s3:DeleteBucketOwnershipControls": {"s3:PutBucketOwnershipControls"},

	"s3:GetBucketLifecycle":               {"s3:GetLifecycleConfiguration"},
	"s3:GetBucketLifecycleConfiguration":  {"s3:GetLifecycleConfiguration"},
	"s3:PutBucketLifecycle":               {"s3:PutLifecycleConfiguration"},
	"s3:PutBucketLifecycleConfiguration":  {"s3:PutLifecycleConfiguration"},
	"s3:DeleteBucketLifecycle":            {"s3:PutLifecycleConfiguration"},
	"s3:GetBucketReplication":             {"s3:GetReplicationConfiguration"},
	"s3:PutBucketReplication":             {"s3:PutReplicationConfiguration"},
	"s3:DeleteBucketReplication":          {"s3:PutReplicationConfiguration"},
	"s3:GetBucketAccelerateConfiguration": {"s3:GetAccelerateConfiguration"},
	"s3:PutBucketAccelerateConfiguration": {"s3:PutAccelerateConfiguration"},

	"s3:GetBucketAnalyticsConfiguration":    {"s3:GetAnalyticsConfiguration"},
	"s3:ListBucketAnalyticsConfigurations":  {"s3:GetAnalyticsConfiguration"},
	"s3:PutBucketAnalyticsConfiguration":    {"s3:PutAnalyticsConfiguration"},
	"s3:DeleteBucketAnalyticsConfiguration": {"s3:PutAnalyticsConfiguration"},

	"s3:GetBucketIntelligentTieringConfiguration":    {"s3:GetIntelligentTieringConfiguration"},
	"s3:ListBucketIntelligentTieringConfigurations":  {"s3:GetIntelligentTieringConfiguration"},
	"s3:PutBucketIntelligentTieringConfiguration":    {"s3:PutIntelligentTieringConfiguration"},
	"s3:DeleteBucketIntelligentTieringConfiguration": {"s3:PutIntelligentTieringConfiguration"},

	"s3:GetBucketInventoryConfiguration":    {"s3:GetInventoryConfiguration"},
	"s3:ListBucketInventoryConfigurations":  {"s3:GetInventoryConfiguration"},
	"s3:PutBucketInventoryConfiguration":    {"s3:PutInventoryConfiguration"},
	"s3:DeleteBucketInventoryConfiguration": {"s3:PutInventoryConfiguration"},

	"s3:GetBucketMetricsConfiguration":    {"s3:GetMetricsConfiguration"},
	"s3:ListBucketMetricsConfigurations":  {"s3:GetMetricsConfiguration"},
	"s3:PutBucketMetricsConfiguration":    {"s3:PutMetricsConfiguration"},
	"s3:DeleteBucketMetricsConfiguration": {"s3:PutMetricsConfiguration"},

	"s3:GetBucketNotificationConfiguration": {"s3:GetBucketNotification"},
	"s3:PutBucketNotificationConfiguration": {"s3:PutBucketNotification"},
	"s3:GetObjectLockConfiguration":         {"s3:GetBucketObjectLockConfiguration"},
	"s3:PutObjectLockConfiguration":         {"s3:PutBucketObjectLockConfiguration"},
	"s3:WriteGetObjectResponse":             {"s3-object-lambda:WriteGetObjectResponse"},

	// Access Analyzer's V2 finding operations need the V1 permissions
	// (Service Authorization Reference, IAM Access Analyzer).
	"access-analyzer:GetFindingV2":   {"access-analyzer:GetFinding"},
	"access-analyzer:ListFindingsV2": {"access-analyzer:ListFindings"},
}

// Prefix returns the IAM service prefix of an eventSource: its host name's
// first label (iam.amazonaws.com → iam), but for the exceptions.
func Prefix(source string) string {
	if p, ok := prefixes[source]; ok {
		return p
	}
	p, _, _ := strings.Cut(source, ".")
	return p
}

// Actions returns the IAM actions a call needs, in the Service
// Authorization Reference's case, and its service prefix: the action of the
// operation's name, but for the exceptions. It returns no action when the
// call resolves to none the reference knows.
func Actions(source, name string) ([]string, string) {
	prefix := Prefix(source)
	data := authref.Lookup()
	if acts, ok := exceptions[prefix+":"+name]; ok {
		return acts, prefix
	}
	if a, ok := data.Action(prefix + ":" + name); ok {
		return []string{a.FullName()}, prefix
	}
	return nil, prefix
}
