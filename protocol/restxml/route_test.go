package restxml_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/internal/apigen/gen"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// sdkCalls makes each implemented operation the way aws-sdk-go-v2's S3
// client makes it, with its required members.
var sdkCalls = map[string]func(c *s3.Client) error{
	"ListBuckets": func(c *s3.Client) error { _, err := c.ListBuckets(ctx, &s3.ListBucketsInput{}); return err },
	"CreateBucket": func(c *s3.Client) error {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucket": func(c *s3.Client) error {
		_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")})
		return err
	},
	"HeadBucket": func(c *s3.Client) error {
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")})
		return err
	},
	"GetBucketLocation": func(c *s3.Client) error {
		_, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("bkt")})
		return err
	},
	"ListObjects": func(c *s3.Client) error {
		_, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt")})
		return err
	},
	"ListObjectsV2": func(c *s3.Client) error {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
		return err
	},
	"ListObjectVersions": func(c *s3.Client) error {
		_, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutObject": func(c *s3.Client) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/b.txt"), Body: strings.NewReader("x")})
		return err
	},
	"GetObject": func(c *s3.Client) error {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"HeadObject": func(c *s3.Client) error {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"DeleteObject": func(c *s3.Client) error {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"DeleteObjects": func(c *s3.Client) error {
		_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"),
			Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}})
		return err
	},
	"CopyObject": func(c *s3.Client) error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), CopySource: aws.String("src/k")})
		return err
	},
	"CreateMultipartUpload": func(c *s3.Client) error {
		_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"UploadPart": func(c *s3.Client) error {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: aws.String("u"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
		return err
	},
	"UploadPartCopy": func(c *s3.Client) error {
		_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: aws.String("u"), PartNumber: aws.Int32(1), CopySource: aws.String("src/k")})
		return err
	},
	"CompleteMultipartUpload": func(c *s3.Client) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: aws.String("u")})
		return err
	},
	"AbortMultipartUpload": func(c *s3.Client) error {
		_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: aws.String("u")})
		return err
	},
	"ListParts": func(c *s3.Client) error {
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: aws.String("u")})
		return err
	},
	"ListMultipartUploads": func(c *s3.Client) error {
		_, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketPolicy": func(c *s3.Client) error {
		_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bkt"), Policy: aws.String(`{"Version":"2012-10-17"}`)})
		return err
	},
	"GetBucketPolicy": func(c *s3.Client) error {
		_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketPolicy": func(c *s3.Client) error {
		_, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("bkt")})
		return err
	},
	"GetBucketPolicyStatus": func(c *s3.Client) error {
		_, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketAcl": func(c *s3.Client) error {
		_, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bkt"), ACL: types.BucketCannedACLPrivate})
		return err
	},
	"GetBucketAcl": func(c *s3.Client) error {
		_, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutObjectAcl": func(c *s3.Client) error {
		_, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("bkt"), Key: aws.String("k"), ACL: types.ObjectCannedACLPrivate})
		return err
	},
	"GetObjectAcl": func(c *s3.Client) error {
		_, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"PutBucketOwnershipControls": func(c *s3.Client) error {
		_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("bkt"),
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
		return err
	},
	"GetBucketOwnershipControls": func(c *s3.Client) error {
		_, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketOwnershipControls": func(c *s3.Client) error {
		_, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutPublicAccessBlock": func(c *s3.Client) error {
		_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("bkt"),
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}})
		return err
	},
	"GetPublicAccessBlock": func(c *s3.Client) error {
		_, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeletePublicAccessBlock": func(c *s3.Client) error {
		_, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketTagging": func(c *s3.Client) error {
		_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("bkt"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		return err
	},
	"GetBucketTagging": func(c *s3.Client) error {
		_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketTagging": func(c *s3.Client) error {
		_, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutObjectTagging": func(c *s3.Client) error {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		return err
	},
	"GetObjectTagging": func(c *s3.Client) error {
		_, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"DeleteObjectTagging": func(c *s3.Client) error {
		_, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"PutBucketVersioning": func(c *s3.Client) error {
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("bkt"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
		return err
	},
	"GetBucketVersioning": func(c *s3.Client) error {
		_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("bkt")})
		return err
	},
	"GetObjectAttributes": func(c *s3.Client) error {
		_, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize}})
		return err
	},

	"PutBucketCors": func(c *s3.Client) error {
		_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("bkt"), CORSConfiguration: &types.CORSConfiguration{
			CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}}})
		return err
	},
	"GetBucketCors": func(c *s3.Client) error {
		_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketCors": func(c *s3.Client) error {
		_, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketWebsite": func(c *s3.Client) error {
		_, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("bkt"), WebsiteConfiguration: &types.WebsiteConfiguration{
			IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}})
		return err
	},
	"GetBucketWebsite": func(c *s3.Client) error {
		_, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketWebsite": func(c *s3.Client) error {
		_, err := c.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketLifecycleConfiguration": func(c *s3.Client) error {
		_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("bkt"),
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{Status: types.ExpirationStatusEnabled,
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}})
		return err
	},
	"GetBucketLifecycleConfiguration": func(c *s3.Client) error {
		_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketLifecycle": func(c *s3.Client) error {
		_, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketEncryption": func(c *s3.Client) error {
		_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("bkt"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
		return err
	},
	"GetBucketEncryption": func(c *s3.Client) error {
		_, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketEncryption": func(c *s3.Client) error {
		_, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketLogging": func(c *s3.Client) error {
		_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("bkt"), BucketLoggingStatus: &types.BucketLoggingStatus{}})
		return err
	},
	"GetBucketLogging": func(c *s3.Client) error {
		_, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketRequestPayment": func(c *s3.Client) error {
		_, err := c.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("bkt"),
			RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}})
		return err
	},
	"GetBucketRequestPayment": func(c *s3.Client) error {
		_, err := c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketAccelerateConfiguration": func(c *s3.Client) error {
		_, err := c.PutBucketAccelerateConfiguration(ctx, &s3.PutBucketAccelerateConfigurationInput{Bucket: aws.String("bkt"),
			AccelerateConfiguration: &types.AccelerateConfiguration{Status: types.BucketAccelerateStatusEnabled}})
		return err
	},
	"GetBucketAccelerateConfiguration": func(c *s3.Client) error {
		_, err := c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketNotificationConfiguration": func(c *s3.Client) error {
		_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("bkt"),
			NotificationConfiguration: &types.NotificationConfiguration{}})
		return err
	},
	"GetBucketNotificationConfiguration": func(c *s3.Client) error {
		_, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutBucketReplication": func(c *s3.Client) error {
		_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("bkt"), ReplicationConfiguration: &types.ReplicationConfiguration{
			Role: aws.String("arn:aws:iam::123456789012:role/r"), Rules: []types.ReplicationRule{{Status: types.ReplicationRuleStatusEnabled,
				Destination: &types.Destination{Bucket: aws.String("arn:aws:s3:::dst")}}}}})
		return err
	},
	"GetBucketReplication": func(c *s3.Client) error {
		_, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("bkt")})
		return err
	},
	"DeleteBucketReplication": func(c *s3.Client) error {
		_, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutObjectLockConfiguration": func(c *s3.Client) error {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("bkt"),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
		return err
	},
	"GetObjectLockConfiguration": func(c *s3.Client) error {
		_, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("bkt")})
		return err
	},
	"PutObjectRetention": func(c *s3.Client) error {
		_, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance,
				RetainUntilDate: aws.Time(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))}})
		return err
	},
	"GetObjectRetention": func(c *s3.Client) error {
		_, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
	"PutObjectLegalHold": func(c *s3.Client) error {
		_, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
		return err
	},
	"GetObjectLegalHold": func(c *s3.Client) error {
		_, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		return err
	},
}

// TestRoutingSDK: every implemented operation, made by the real SDK
// client, resolves to itself and decodes.
func TestRoutingSDK(t *testing.T) {
	h, c := newHarness(t, nil)
	for _, name := range s3api.Implemented() {
		call, ok := sdkCalls[name]
		if !ok {
			t.Errorf("no SDK call for %s", name)
			continue
		}
		h.reset()
		err := call(c)
		got, in := h.last()
		if got != name {
			t.Errorf("%s: resolved to %q (err %v)", name, got, err)
			continue
		}
		if in == nil {
			t.Errorf("%s: not decoded (SDK error %v)", name, err)
		}
	}
}

// TestRoutingModel: a request built from each operation's request URI in
// the model (method, bucket and key, query literals, required query
// parameters and headers) resolves to that operation, for all of them.
func TestRoutingModel(t *testing.T) {
	m, err := gen.Load("../../reference/aws-api-models/s3/2006-03-01/service-2.json")
	if err != nil {
		t.Fatal(err)
	}
	svc := s3codec.Service()
	if n := len(s3api.OperationNames()); n != len(m.Operations) {
		t.Fatalf("table has %d operations, model %d", n, len(m.Operations))
	}
	for name, op := range m.Operations {
		path, query, _ := strings.Cut(op.HTTP.RequestURI, "?")
		bucket, key, target := "", "", path
		switch path {
		case "/":
		case "/{Bucket}":
			bucket, target = "bkt", "/bkt"
		case "/{Bucket}/{Key+}":
			bucket, key, target = "bkt", "a/b", "/bkt/a/b"
		default:
			bucket = strings.TrimPrefix(path, "/")
		}
		var q []string
		if query != "" {
			q = append(q, query)
		}
		r := httptest.NewRequest(op.HTTP.Method, target, nil)
		if op.Input != nil {
			in := m.Shapes[op.Input.Shape]
			for _, mem := range in.Members {
				if !slices.Contains(in.Required, mem.Name) {
					continue
				}
				switch mem.Location {
				case "querystring":
					q = append(q, mem.LocationName+"=1")
				case "header":
					r.Header.Set(mem.LocationName, "v")
				}
			}
		}
		r.URL.RawQuery = strings.Join(q, "&")
		req, err := svc.Resolve(r, bucket, key)
		if err != nil {
			t.Errorf("%s (%s %s?%s): %v", name, op.HTTP.Method, target, r.URL.RawQuery, err)
			continue
		}
		want := name
		// The deprecated operations share their request with the ones
		// that replaced them, which win.
		switch name {
		case "GetBucketLifecycle", "PutBucketLifecycle", "GetBucketNotification", "PutBucketNotification":
			want += "Configuration"
		}
		if req.Operation() != want {
			t.Errorf("%s (%s %s?%s): resolved to %s", name, op.HTTP.Method, target, r.URL.RawQuery, req.Operation())
		}
	}
}

// TestRoutingDiscrimination pins the cases where operations share a
// method and resource.
func TestRoutingDiscrimination(t *testing.T) {
	svc := s3codec.Service()
	tests := []struct {
		method, bucket, key, query string
		header                     map[string]string
		want                       string
	}{
		{"GET", "", "", "", nil, "ListBuckets"},
		{"GET", "b", "", "", nil, "ListObjects"},
		{"GET", "b", "", "list-type=2&prefix=a", nil, "ListObjectsV2"},
		{"GET", "b", "", "list-type=1", nil, "ListObjects"},
		{"GET", "b", "", "versions", nil, "ListObjectVersions"},
		{"GET", "b", "", "versions=", nil, "ListObjectVersions"},
		{"GET", "b", "", "uploads", nil, "ListMultipartUploads"},
		{"GET", "b", "", "analytics", nil, "ListBucketAnalyticsConfigurations"},
		{"GET", "b", "", "analytics&id=x", nil, "GetBucketAnalyticsConfiguration"},
		{"GET", "b", "k", "", nil, "GetObject"},
		{"GET", "b", "k", "uploadId=u", nil, "ListParts"},
		{"GET", "b", "k", "versionId=v", nil, "GetObject"},
		// GetObjectAttributes without its required header still resolves;
		// its decoder names the missing header.
		{"GET", "b", "k", "attributes", nil, "GetObjectAttributes"},
		{"PUT", "b", "k", "", nil, "PutObject"},
		{"PUT", "b", "k", "", map[string]string{"x-amz-copy-source": "s/k"}, "CopyObject"},
		{"PUT", "b", "k", "partNumber=1&uploadId=u", nil, "UploadPart"},
		{"PUT", "b", "k", "partNumber=1&uploadId=u", map[string]string{"x-amz-copy-source": "s/k"}, "UploadPartCopy"},
		// A part number without an upload id is no upload.
		{"PUT", "b", "k", "partNumber=1", nil, "PutObject"},
		{"POST", "b", "k", "uploads", nil, "CreateMultipartUpload"},
		{"POST", "b", "k", "uploadId=u", nil, "CompleteMultipartUpload"},
		{"DELETE", "b", "k", "", nil, "DeleteObject"},
		{"DELETE", "b", "k", "uploadId=u", nil, "AbortMultipartUpload"},
		{"DELETE", "b", "k", "tagging", nil, "DeleteObjectTagging"},
		{"POST", "b", "", "delete", nil, "DeleteObjects"},
		{"PUT", "b", "", "", nil, "CreateBucket"},
		{"HEAD", "b", "", "", nil, "HeadBucket"},
		{"HEAD", "b", "k", "", nil, "HeadObject"},
		{"GET", "b", "", "policyStatus", nil, "GetBucketPolicyStatus"},
		{"GET", "b", "", "location", nil, "GetBucketLocation"},
		{"POST", "WriteGetObjectResponse", "", "", nil, "WriteGetObjectResponse"},
		{"GET", "WriteGetObjectResponse", "", "", nil, "ListObjects"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/", nil)
		r.URL.RawQuery = tt.query
		for k, v := range tt.header {
			r.Header.Set(k, v)
		}
		req, err := svc.Resolve(r, tt.bucket, tt.key)
		if err != nil {
			t.Errorf("%s %s/%s?%s: %v", tt.method, tt.bucket, tt.key, tt.query, err)
			continue
		}
		if req.Operation() != tt.want {
			t.Errorf("%s %s/%s?%s: %s, want %s", tt.method, tt.bucket, tt.key, tt.query, req.Operation(), tt.want)
		}
	}
}

// TestRoutingUnknown: what no operation accepts is S3's 405
// MethodNotAllowed, with the Method and ResourceType elements S3 adds
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html:
// "MethodNotAllowed — The specified method is not allowed against this
// resource. 405 Method Not Allowed").
func TestRoutingUnknown(t *testing.T) {
	svc := s3codec.Service()
	for _, tt := range []struct{ method, bucket, key, query, resource string }{
		{"PATCH", "b", "k", "", "OBJECT"},
		{"POST", "b", "k", "", "OBJECT"},
		{"PUT", "", "", "", "SERVICE"},
		{"DELETE", "", "", "", "SERVICE"},
		{"OPTIONS", "b", "", "", "BUCKET"},
	} {
		r := httptest.NewRequest(tt.method, "/", nil)
		r.URL.RawQuery = tt.query
		_, err := svc.Resolve(r, tt.bucket, tt.key)
		ae, ok := awserr.As(err)
		if !ok || ae.Code != "MethodNotAllowed" || ae.Status != http.StatusMethodNotAllowed ||
			ae.Members["Method"] != tt.method || ae.Members["ResourceType"] != tt.resource {
			t.Errorf("%s %s/%s: got %v %v", tt.method, tt.bucket, tt.key, err, ae)
		}
	}
}

// TestNotImplemented: an operation of the table without generated codecs
// resolves by name and decodes to S3's 501 NotImplemented.
func TestNotImplemented(t *testing.T) {
	svc := s3codec.Service()
	r := httptest.NewRequest("GET", "/b?analytics&id=a", nil)
	req, err := svc.Resolve(r, "b", "")
	if err != nil || req.Operation() != "GetBucketAnalyticsConfiguration" {
		t.Fatalf("resolved %v, %v", req, err)
	}
	_, err = svc.Decode(req, http.NoBody)
	ae, ok := awserr.As(err)
	if !ok || ae.Code != restxml.CodeNotImplemented || ae.Status != http.StatusNotImplemented {
		t.Fatalf("got %v", err)
	}
}
