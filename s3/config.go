package s3

import (
	"context"
	"maps"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/store"
)

// A bucket's sub-resource configurations (CORS, website, lifecycle, default
// encryption, logging, request payment, transfer acceleration, event
// notifications, replication, Object Lock) are kept in its store record
// (store.Bucket.Configs), each as the S3 XML document its GET answers: the
// PUT's input, validated as S3 validates it, written by the generated
// encoder of the GET's output. A GET answers the document as it was kept;
// without one it answers AWS's "not configured" error or the default AWS
// answers for a bucket that never had one.
//
// Gatehouse keeps and answers these configurations; apart from CORS (the
// preflight requests of cors.go) and Object Lock (its hold on versioning,
// and its default retention, which objectlock.go applies to new versions),
// it does not act on them: no lifecycle expiry or transition, no website
// endpoint, no access logs, no event notifications, no replication.

// bucketConfig is one kind of configuration a bucket keeps.
type bucketConfig struct {
	// key names it in store.Bucket.Configs (its sub-resource).
	key string
	// root is its document's root element.
	root string
	// absent is the GET's answer when none is kept: AWS's "not
	// configured" error, or nil and dflt.
	absent func(bucket string) error
	// dflt is what AWS answers for a bucket that never had one.
	dflt func() s3api.Output
}

// The configurations, with the errors and defaults of the Amazon S3 API
// Reference (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
var (
	cfgCORS = bucketConfig{key: "cors", root: "CORSConfiguration", absent: func(b string) error {
		return s3err("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist").WithMembers(map[string]any{"BucketName": b})
	}}
	cfgWebsite = bucketConfig{key: "website", root: "WebsiteConfiguration", absent: func(b string) error {
		return s3err("NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a website configuration").WithMembers(map[string]any{"BucketName": b})
	}}
	cfgLifecycle = bucketConfig{key: "lifecycle", root: "LifecycleConfiguration", absent: func(b string) error {
		return s3err("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist").WithMembers(map[string]any{"BucketName": b})
	}}
	cfgReplication = bucketConfig{key: "replication", root: "ReplicationConfiguration", absent: func(b string) error {
		return s3err("ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found").WithMembers(map[string]any{"BucketName": b})
	}}
	cfgObjectLock = bucketConfig{key: "object-lock", root: "ObjectLockConfiguration", absent: func(b string) error {
		return s3err("ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket").WithMembers(map[string]any{"BucketName": b})
	}}
	// Since January 5, 2023 every bucket encrypts new objects with SSE-S3
	// unless configured otherwise, and DeleteBucketEncryption "resets the
	// default encryption for the bucket as server-side encryption with
	// Amazon S3 managed keys (SSE-S3)" (API_DeleteBucketEncryption;
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html).
	cfgEncryption = bucketConfig{key: "encryption", root: "ServerSideEncryptionConfiguration", dflt: func() s3api.Output {
		return &s3api.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3api.ServerSideEncryptionConfiguration{
			Rules: []s3api.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3api.ServerSideEncryptionByDefault{SSEAlgorithm: s3api.ServerSideEncryption("AES256")},
				BucketKeyEnabled:                   boolp(false)}}}}
	}}
	// Logging is off until configured: an empty BucketLoggingStatus
	// (API_GetBucketLogging).
	cfgLogging = bucketConfig{key: "logging", root: "BucketLoggingStatus", dflt: func() s3api.Output {
		return &s3api.GetBucketLoggingOutput{}
	}}
	// "By default, the bucket owner pays for downloads from the bucket"
	// (API_PutBucketRequestPayment).
	cfgRequestPayment = bucketConfig{key: "requestPayment", root: "RequestPaymentConfiguration", dflt: func() s3api.Output {
		p := s3api.Payer("BucketOwner")
		return &s3api.GetBucketRequestPaymentOutput{Payer: &p}
	}}
	// A bucket that never had acceleration configured answers no Status
	// (API_GetBucketAccelerateConfiguration: "If the transfer acceleration
	// state has never been set on the bucket, the response does not contain
	// the state").
	cfgAccelerate = bucketConfig{key: "accelerate", root: "AccelerateConfiguration", dflt: func() s3api.Output {
		return &s3api.GetBucketAccelerateConfigurationOutput{}
	}}
	// "If notifications are not enabled on the bucket, the action returns
	// an empty NotificationConfiguration element"
	// (API_GetBucketNotificationConfiguration).
	cfgNotification = bucketConfig{key: "notification", root: "NotificationConfiguration", dflt: func() s3api.Output {
		return &s3api.NotificationConfiguration{}
	}}
)

// putConfig keeps out's document as the bucket's configuration c, after
// check (nil, or a check of the bucket as it is in the same transaction).
func (s *Service) putConfig(ctx context.Context, bucket string, c bucketConfig, out s3api.Output, check func(b *store.Bucket) error) error {
	doc := string(s.docs.Encode(out))
	return s.updateBucket(ctx, bucket, func(b *store.Bucket) error {
		if check != nil {
			if err := check(b); err != nil {
				return err
			}
		}
		cfgs := maps.Clone(b.Configs)
		if cfgs == nil {
			cfgs = map[string]string{}
		}
		cfgs[c.key] = doc
		b.Configs = cfgs
		return nil
	})
}

// getConfig answers the bucket's configuration c as it was kept, or its
// absence.
func (s *Service) getConfig(ctx context.Context, bucket string, c bucketConfig) (s3api.Output, error) {
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if doc, ok := b.Configs[c.key]; ok {
		return s3api.Document{Body: []byte(doc)}, nil
	}
	if c.dflt != nil {
		return c.dflt(), nil
	}
	return nil, c.absent(bucket)
}

// deleteConfig removes the bucket's configuration c (none is no error).
func (s *Service) deleteConfig(ctx context.Context, bucket string, c bucketConfig) error {
	return s.updateBucket(ctx, bucket, func(b *store.Bucket) error {
		if _, ok := b.Configs[c.key]; !ok {
			return nil
		}
		cfgs := maps.Clone(b.Configs)
		delete(cfgs, c.key)
		if len(cfgs) == 0 {
			cfgs = nil
		}
		b.Configs = cfgs
		return nil
	})
}

// readConfig decodes the bucket's kept configuration c into v; ok is
// false when none is kept.
func (s *Service) readConfig(b *store.Bucket, c bucketConfig, v any) (ok bool, err error) {
	doc, ok := b.Configs[c.key]
	if !ok {
		return false, nil
	}
	if err := s.docs.Decode([]byte(doc), c.root, v); err != nil {
		return false, errInternal(err)
	}
	return true, nil
}
