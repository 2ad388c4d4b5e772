package s3

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The operations of the bucket configurations kept by config.go, each
// input validated with S3's errors before it is kept.

// validEnum reports whether v is one of its model's values.
func validEnum[T interface {
	~string
	Values() []T
}](v T) bool {
	return slices.Contains(v.Values(), v)
}

// maxRuleID is the longest rule ID S3 takes (the model's LifecycleRule.ID,
// ReplicationRule.ID: "The value cannot be longer than 255 characters").
const maxRuleID = 255

// newRuleID is the ID S3 gives a rule put without one: AWS generates a
// random one (as recorded in minio/minio#10084).
// wording: the ID's form is not found in AWS docs (base64 of 32 random hex
// digits here).
func (s *Service) newRuleID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", errInternal(fmt.Errorf("reading a rule id: %w", err))
	}
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(b[:]))), nil
}

// ruleID gives a rule put without an ID one (newRuleID) and checks it:
// at most 255 characters, unique among the configuration's rules (seen).
func (s *Service) ruleID(id **string, seen map[string]bool) error {
	if *id == nil || **id == "" {
		v, err := s.newRuleID()
		if err != nil {
			return err
		}
		*id = &v
	}
	if utf8.RuneCountInString(**id) > maxRuleID {
		// wording: not found in AWS docs.
		return errInvalidArgument("ID length should not exceed allowed limit of 255", "ID", **id)
	}
	if seen[**id] {
		// wording: not found in AWS docs.
		return errInvalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", **id)
	}
	seen[**id] = true
	return nil
}

// --- CORS (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html)

// maxCORSRules is S3's limit: "The CORS configuration ... can have up to
// 100 rules" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html).
const maxCORSRules = 100

// corsMethods are the methods a CORS rule may allow (ManageCorsUsing.html,
// "AllowedMethod element").
var corsMethods = []string{"GET", "PUT", "POST", "DELETE", "HEAD"}

func validateCORS(rules []s3api.CORSRule) error {
	if len(rules) == 0 || len(rules) > maxCORSRules {
		// wording: S3's answer past 100 rules is not found in AWS docs.
		return errMalformedXML()
	}
	for _, r := range rules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return errMalformedXML()
		}
		if r.ID != nil && utf8.RuneCountInString(*r.ID) > maxRuleID {
			// wording: not found in AWS docs.
			return errInvalidArgument("ID length should not exceed allowed limit of 255", "ID", *r.ID)
		}
		for _, m := range r.AllowedMethods {
			if !slices.Contains(corsMethods, m) {
				return errInvalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is " + m)
			}
		}
		// "The AllowedOrigin element can contain at most one asterisk"
		// (ManageCorsUsing.html); so can AllowedHeader.
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return errInvalidRequest(`AllowedOrigin "` + o + `" can not have more than one wildcard.`)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return errInvalidRequest(`AllowedHeader "` + h + `" can not have more than one wildcard.`)
			}
		}
	}
	return nil
}

func (s *Service) putBucketCors(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketCorsRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if err := validateCORS(in.CORSConfiguration.CORSRules); err != nil {
		return nil, err
	}
	return done(s.putConfig(ctx, in.Bucket, cfgCORS, &s3api.GetBucketCorsOutput{CORSRules: in.CORSConfiguration.CORSRules}, nil))
}

func (s *Service) getBucketCors(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketCorsRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgCORS)
}

func (s *Service) deleteBucketCors(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketCorsRequest) (s3api.Output, error) {
	return done(s.deleteConfig(ctx, in.Bucket, cfgCORS))
}

// --- Website (https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteHosting.html)

// maxRoutingRules is S3's limit: "you can have up to 50 routing rules"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-to-page-redirect.html).
const maxRoutingRules = 50

func validateWebsite(w *s3api.WebsiteConfiguration) error {
	if w.RedirectAllRequestsTo != nil {
		if w.IndexDocument != nil || w.ErrorDocument != nil || len(w.RoutingRules) > 0 {
			// wording: not found in AWS docs.
			return errInvalidRequest("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")
		}
		if w.RedirectAllRequestsTo.HostName == "" || w.RedirectAllRequestsTo.Protocol != nil && !validEnum(*w.RedirectAllRequestsTo.Protocol) {
			return errMalformedXML()
		}
		return nil
	}
	if w.IndexDocument == nil {
		// wording: not found in AWS docs.
		return errInvalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "")
	}
	// "The suffix must not be empty and must not include a slash
	// character" (the model's IndexDocument.Suffix).
	if sfx := w.IndexDocument.Suffix; sfx == "" || strings.Contains(sfx, "/") {
		// wording: not found in AWS docs.
		return errInvalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", sfx)
	}
	if w.ErrorDocument != nil && w.ErrorDocument.Key == "" {
		return errMalformedXML()
	}
	if len(w.RoutingRules) > maxRoutingRules {
		// wording: not found in AWS docs.
		return errInvalidRequest("The number of routing rules must not exceed the allowed limit of 50 rules.")
	}
	for _, rr := range w.RoutingRules {
		rd := rr.Redirect
		if rd.HostName == nil && rd.HttpRedirectCode == nil && rd.Protocol == nil && rd.ReplaceKeyPrefixWith == nil && rd.ReplaceKeyWith == nil {
			return errMalformedXML()
		}
		if rd.Protocol != nil && !validEnum(*rd.Protocol) {
			return errMalformedXML()
		}
		if rd.ReplaceKeyPrefixWith != nil && rd.ReplaceKeyWith != nil {
			// The model's Redirect: "Not required if one of the siblings is
			// present. Can be present only if ReplaceKeyWith is not provided."
			// wording: not found in AWS docs.
			return errInvalidRequest("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
		}
		if rd.HttpRedirectCode != nil {
			code, err := strconv.Atoi(*rd.HttpRedirectCode)
			if err != nil || code < 301 || code > 399 {
				// wording: not found in AWS docs.
				return errInvalidRequest("The provided HTTP redirect code (" + *rd.HttpRedirectCode + ") is not valid. Valid codes are 3XX except 300.")
			}
		}
		if cond := rr.Condition; cond != nil && cond.HttpErrorCodeReturnedEquals != nil {
			code, err := strconv.Atoi(*cond.HttpErrorCodeReturnedEquals)
			if err != nil || code < 400 || code > 599 {
				// wording: not found in AWS docs.
				return errInvalidRequest("The provided HTTP error code (" + *cond.HttpErrorCodeReturnedEquals + ") is not valid. Valid codes are 4XX or 5XX.")
			}
		}
	}
	return nil
}

func (s *Service) putBucketWebsite(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketWebsiteRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	w := &in.WebsiteConfiguration
	if err := validateWebsite(w); err != nil {
		return nil, err
	}
	out := &s3api.GetBucketWebsiteOutput{RedirectAllRequestsTo: w.RedirectAllRequestsTo, IndexDocument: w.IndexDocument,
		ErrorDocument: w.ErrorDocument, RoutingRules: w.RoutingRules}
	return done(s.putConfig(ctx, in.Bucket, cfgWebsite, out, nil))
}

func (s *Service) getBucketWebsite(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketWebsiteRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgWebsite)
}

func (s *Service) deleteBucketWebsite(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketWebsiteRequest) (s3api.Output, error) {
	return done(s.deleteConfig(ctx, in.Bucket, cfgWebsite))
}

// --- Lifecycle (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html)

// maxLifecycleRules: "An Amazon S3 Lifecycle configuration can have up to
// 1,000 rules" (API_PutBucketLifecycleConfiguration).
const maxLifecycleRules = 1000

func (s *Service) validateLifecycle(rules []s3api.LifecycleRule) error {
	if len(rules) == 0 || len(rules) > maxLifecycleRules {
		return errMalformedXML()
	}
	ids := map[string]bool{}
	for i := range rules {
		r := &rules[i]
		if !validEnum(r.Status) {
			return errMalformedXML()
		}
		if err := s.ruleID(&r.ID, ids); err != nil {
			return err
		}
		if r.Prefix != nil && r.Filter != nil {
			return errMalformedXML()
		}
		if f := r.Filter; f != nil {
			n := 0
			for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.And != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil} {
				if set {
					n++
				}
			}
			if n > 1 {
				return errMalformedXML()
			}
			if f.Tag != nil {
				if err := validateTags([]objectstore.Tag{{Key: f.Tag.Key, Value: f.Tag.Value}}); err != nil {
					return err
				}
			}
			if f.And != nil {
				if err := validateTags(tagsIn(f.And.Tags)); err != nil {
					return err
				}
			}
		}
		if r.Expiration == nil && len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 &&
			r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil {
			// wording: not found in AWS docs.
			return errInvalidRequest("At least one action needs to be specified in a rule")
		}
		if e := r.Expiration; e != nil {
			n := 0
			for _, set := range []bool{e.Date != nil, e.Days != nil, e.ExpiredObjectDeleteMarker != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				return errMalformedXML()
			}
			if e.Days != nil && *e.Days <= 0 {
				// wording: not found in AWS docs.
				return errInvalidArgument("'Days' for Expiration action must be a positive integer", "Days", strconv.Itoa(int(*e.Days)))
			}
			if e.Date != nil && !e.Date.Equal(e.Date.UTC().Truncate(24*60*60*1e9)) {
				// "The date value must conform to the ISO 8601 format. The
				// time is always midnight UTC" (the model's
				// LifecycleExpiration.Date).
				// wording: not found in AWS docs.
				return errInvalidArgument("'Date' must be at midnight GMT", "Date", e.Date.UTC().Format("2006-01-02T15:04:05Z"))
			}
		}
		for _, t := range r.Transitions {
			if t.StorageClass == nil || !validEnum(*t.StorageClass) || (t.Date == nil) == (t.Days == nil) {
				return errMalformedXML()
			}
			if t.Days != nil && *t.Days < 0 {
				// wording: not found in AWS docs.
				return errInvalidArgument("'Days' in Transition action must be nonnegative", "Days", strconv.Itoa(int(*t.Days)))
			}
		}
		for _, t := range r.NoncurrentVersionTransitions {
			if t.StorageClass == nil || !validEnum(*t.StorageClass) || t.NoncurrentDays == nil {
				return errMalformedXML()
			}
		}
		if e := r.NoncurrentVersionExpiration; e != nil && e.NoncurrentDays != nil && *e.NoncurrentDays <= 0 {
			// wording: not found in AWS docs.
			return errInvalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", "NoncurrentDays", strconv.Itoa(int(*e.NoncurrentDays)))
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil && (a.DaysAfterInitiation == nil || *a.DaysAfterInitiation <= 0) {
			// wording: not found in AWS docs.
			return errInvalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer", "DaysAfterInitiation", "")
		}
	}
	return nil
}

func (s *Service) putBucketLifecycleConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketLifecycleConfigurationRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if in.LifecycleConfiguration == nil {
		return nil, errMalformedXML()
	}
	rules := in.LifecycleConfiguration.Rules
	if err := s.validateLifecycle(rules); err != nil {
		return nil, err
	}
	return done(s.putConfig(ctx, in.Bucket, cfgLifecycle, &s3api.GetBucketLifecycleConfigurationOutput{Rules: rules}, nil))
}

func (s *Service) getBucketLifecycleConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketLifecycleConfigurationRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgLifecycle)
}

func (s *Service) deleteBucketLifecycle(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketLifecycleRequest) (s3api.Output, error) {
	return done(s.deleteConfig(ctx, in.Bucket, cfgLifecycle))
}

// --- Default encryption (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html)

func validateEncryption(cfg *s3api.ServerSideEncryptionConfiguration) error {
	if len(cfg.Rules) != 1 {
		return errMalformedXML()
	}
	d := cfg.Rules[0].ApplyServerSideEncryptionByDefault
	if d == nil || !validEnum(d.SSEAlgorithm) {
		return errMalformedXML()
	}
	if d.KMSMasterKeyID != nil && !strings.HasPrefix(string(d.SSEAlgorithm), "aws:kms") {
		// wording: not found in AWS docs.
		return errInvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
			"ApplyServerSideEncryptionByDefault", "")
	}
	return nil
}

func (s *Service) putBucketEncryption(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketEncryptionRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	cfg := in.ServerSideEncryptionConfiguration
	if err := validateEncryption(&cfg); err != nil {
		return nil, err
	}
	return done(s.putConfig(ctx, in.Bucket, cfgEncryption, &s3api.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &cfg}, nil))
}

func (s *Service) getBucketEncryption(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketEncryptionRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgEncryption)
}

func (s *Service) deleteBucketEncryption(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketEncryptionRequest) (s3api.Output, error) {
	return done(s.deleteConfig(ctx, in.Bucket, cfgEncryption))
}

// --- Server access logging (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html)

func errInvalidTargetBucket(target, msg string) error {
	return s3err("InvalidTargetBucketForLogging", 400, msg).WithMembers(map[string]any{"TargetBucket": target})
}

func (s *Service) putBucketLogging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketLoggingRequest) (s3api.Output, error) {
	src, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	le := in.BucketLoggingStatus.LoggingEnabled
	if le != nil {
		// "The target bucket must be in the same AWS Region and AWS
		// account as the source bucket" (enable-server-access-logging.html).
		t, ok := s.buckets.Bucket(le.TargetBucket)
		if !ok {
			return nil, errInvalidTargetBucket(le.TargetBucket, "The target bucket for logging does not exist")
		}
		if t.Account != src.Account {
			return nil, errInvalidTargetBucket(le.TargetBucket, "The owner for the bucket to be logged and the target bucket must be the same.")
		}
		if t.Region != src.Region {
			// wording: not found in AWS docs.
			return nil, errInvalidTargetBucket(le.TargetBucket, "The target bucket for logging must be in the same region as the source bucket.")
		}
		for _, g := range le.TargetGrants {
			if g.Grantee == nil || !validEnum(g.Grantee.Type) || g.Permission != nil && !validEnum(*g.Permission) {
				return nil, errMalformedXML()
			}
		}
	}
	return done(s.putConfig(ctx, in.Bucket, cfgLogging, &s3api.GetBucketLoggingOutput{LoggingEnabled: le}, nil))
}

func (s *Service) getBucketLogging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketLoggingRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgLogging)
}

// --- Requester Pays (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html)

func (s *Service) putBucketRequestPayment(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketRequestPaymentRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	p := in.RequestPaymentConfiguration.Payer
	if !validEnum(p) {
		return nil, errMalformedXML()
	}
	return done(s.putConfig(ctx, in.Bucket, cfgRequestPayment, &s3api.GetBucketRequestPaymentOutput{Payer: &p}, nil))
}

func (s *Service) getBucketRequestPayment(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketRequestPaymentRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgRequestPayment)
}

// --- Transfer Acceleration (https://docs.aws.amazon.com/AmazonS3/latest/userguide/transfer-acceleration.html)

func (s *Service) putBucketAccelerateConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketAccelerateConfigurationRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	st := in.AccelerateConfiguration.Status
	if st == nil || !validEnum(*st) {
		return nil, errMalformedXML()
	}
	// "The name of the bucket used for Transfer Acceleration must be
	// DNS-compliant and must not contain periods (".")"
	// (transfer-acceleration.html).
	if strings.Contains(in.Bucket, ".") {
		// wording: not found in AWS docs.
		return nil, errInvalidRequest("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
	}
	return done(s.putConfig(ctx, in.Bucket, cfgAccelerate, &s3api.GetBucketAccelerateConfigurationOutput{Status: st}, nil))
}

func (s *Service) getBucketAccelerateConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketAccelerateConfigurationRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgAccelerate)
}

// --- Event notifications (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html)

// notificationTarget is what the three kinds of destination share.
type notificationTarget struct {
	id      **string
	arn     string
	service string
	events  []s3api.Event
	filter  *s3api.NotificationConfigurationFilter
}

func (s *Service) validateNotification(cfg *s3api.NotificationConfiguration) error {
	var targets []notificationTarget
	for i := range cfg.TopicConfigurations {
		t := &cfg.TopicConfigurations[i]
		targets = append(targets, notificationTarget{&t.Id, t.TopicArn, "sns", t.Events, t.Filter})
	}
	for i := range cfg.QueueConfigurations {
		q := &cfg.QueueConfigurations[i]
		targets = append(targets, notificationTarget{&q.Id, q.QueueArn, "sqs", q.Events, q.Filter})
	}
	for i := range cfg.LambdaFunctionConfigurations {
		l := &cfg.LambdaFunctionConfigurations[i]
		targets = append(targets, notificationTarget{&l.Id, l.LambdaFunctionArn, "lambda", l.Events, l.Filter})
	}
	ids := map[string]bool{}
	for _, t := range targets {
		a, err := arn.Parse(t.arn)
		if err != nil || a.Service != t.service {
			// wording: not found in AWS docs.
			return errInvalidArgument("The ARN is not well formed", "ARN", t.arn)
		}
		if len(t.events) == 0 {
			return errMalformedXML()
		}
		for _, e := range t.events {
			if !validEnum(e) {
				// wording: not found in AWS docs.
				return errInvalidArgument("The event is not supported for notifications", "Event", string(e))
			}
		}
		if t.filter != nil && t.filter.Key != nil {
			seen := map[string]bool{}
			for _, fr := range t.filter.Key.FilterRules {
				name := strings.ToLower(enumString(fr.Name))
				if !validEnum(s3api.FilterRuleName(name)) {
					// wording: not found in AWS docs.
					return errInvalidArgument("filter rule name must be either prefix or suffix", "FilterRule", name)
				}
				if seen[name] {
					// wording: not found in AWS docs.
					return errInvalidArgument("Cannot specify more than one "+name+" rule in a filter.", "FilterRule", name)
				}
				seen[name] = true
			}
		}
		if *t.id == nil || **t.id == "" {
			id, err := s.newRuleID()
			if err != nil {
				return err
			}
			*t.id = &id
		}
		if ids[**t.id] {
			// wording: not found in AWS docs.
			return errInvalidArgument("Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.", "Id", **t.id)
		}
		ids[**t.id] = true
	}
	return nil
}

// putBucketNotificationConfiguration keeps the configuration. Gatehouse has
// no SNS, SQS or Lambda to deliver to or to validate a destination against
// (x-amz-skip-destination-validation changes nothing): the destinations'
// ARNs and the events are checked, and no event is ever sent.
func (s *Service) putBucketNotificationConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketNotificationConfigurationRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	cfg := in.NotificationConfiguration
	if err := s.validateNotification(&cfg); err != nil {
		return nil, err
	}
	return done(s.putConfig(ctx, in.Bucket, cfgNotification, &cfg, nil))
}

func (s *Service) getBucketNotificationConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketNotificationConfigurationRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgNotification)
}

// --- Replication (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html)

// versioningEnabled reports whether versioning is enabled on a bucket.
func (s *Service) versioningEnabled(ctx context.Context, bucket string) (bool, error) {
	st, err := s.backend.Versioning(ctx, bucket)
	if err != nil {
		return false, s.objectError(err, bucket, "", "")
	}
	return st == objectstore.Enabled, nil
}

func (s *Service) validateReplication(ctx context.Context, cfg *s3api.ReplicationConfiguration) error {
	if cfg.Role == "" || len(cfg.Rules) == 0 || len(cfg.Rules) > maxLifecycleRules {
		return errMalformedXML()
	}
	if a, err := arn.Parse(cfg.Role); err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		// wording: not found in AWS docs.
		return errInvalidArgument("Invalid ReplicationConfiguration Role ARN", "Role", cfg.Role)
	}
	ids, priorities := map[string]bool{}, map[int32]bool{}
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if !validEnum(r.Status) || r.Prefix != nil && r.Filter != nil {
			return errMalformedXML()
		}
		if err := s.ruleID(&r.ID, ids); err != nil {
			return err
		}
		// The current schema (a Filter) needs DeleteMarkerReplication and a
		// Priority unique among the rules (replication-add-config.html).
		if r.Filter != nil {
			if r.DeleteMarkerReplication == nil || r.Priority == nil {
				// wording: not found in AWS docs.
				return errInvalidRequest("DeleteMarkerReplication and Priority must be specified when Filter is used.")
			}
			if priorities[*r.Priority] {
				// wording: not found in AWS docs.
				return errInvalidRequest("Found duplicate priority " + strconv.Itoa(int(*r.Priority)) + " when priority must be unique")
			}
			priorities[*r.Priority] = true
		}
		if sc := r.Destination.StorageClass; sc != nil && !validEnum(*sc) {
			return errMalformedXML()
		}
		// The destination is a bucket's ARN; one on this server must exist
		// and have versioning enabled (replication-requirements.html).
		d, err := arn.Parse(r.Destination.Bucket)
		if err != nil || d.Service != "s3" || d.Resource == "" || strings.Contains(d.Resource, "/") {
			// wording: not found in AWS docs.
			return errInvalidArgument("Invalid bucket ARN", "Destination", r.Destination.Bucket)
		}
		if _, ok := s.buckets.Bucket(d.Resource); ok {
			on, err := s.versioningEnabled(ctx, d.Resource)
			if err != nil {
				return err
			}
			if !on {
				// wording: not found in AWS docs.
				return errInvalidRequest("Destination bucket must have versioning enabled.")
			}
		}
	}
	return nil
}

// putBucketReplication keeps the configuration. Gatehouse does not
// replicate objects: the configuration is validated and answered, and
// nothing is copied.
func (s *Service) putBucketReplication(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketReplicationRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	on, err := s.versioningEnabled(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if !on {
		// wording: not found in AWS docs.
		return nil, errInvalidRequest("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
	}
	cfg := in.ReplicationConfiguration
	if err := s.validateReplication(ctx, &cfg); err != nil {
		return nil, err
	}
	return done(s.putConfig(ctx, in.Bucket, cfgReplication, &s3api.GetBucketReplicationOutput{ReplicationConfiguration: &cfg}, nil))
}

func (s *Service) getBucketReplication(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketReplicationRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgReplication)
}

func (s *Service) deleteBucketReplication(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketReplicationRequest) (s3api.Output, error) {
	return done(s.deleteConfig(ctx, in.Bucket, cfgReplication))
}

// --- Object Lock (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html)

func errInvalidBucketState(msg string) error { return s3err("InvalidBucketState", 409, msg) }

func validateObjectLock(cfg *s3api.ObjectLockConfiguration) error {
	if cfg.ObjectLockEnabled == nil || *cfg.ObjectLockEnabled != "Enabled" {
		return errMalformedXML()
	}
	if cfg.Rule == nil {
		return nil
	}
	// "The DefaultRetention settings require both a mode and a period. The
	// DefaultRetention period can be either Days or Years but you must
	// select one. You cannot specify Days and Years at the same time"
	// (API_PutObjectLockConfiguration).
	d := cfg.Rule.DefaultRetention
	if d == nil || d.Mode == nil || !validEnum(*d.Mode) || (d.Days == nil) == (d.Years == nil) {
		return errMalformedXML()
	}
	if d.Days != nil && *d.Days <= 0 || d.Years != nil && *d.Years <= 0 {
		// wording: not found in AWS docs.
		return errInvalidArgument("Default retention period must be a positive integer value", "DefaultRetention", "")
	}
	return nil
}

// putObjectLockConfiguration keeps the configuration; a bucket needs
// versioning enabled for it (object-lock.html, "Enabling Object Lock on an
// existing bucket"), and once enabled Object Lock cannot be disabled nor
// versioning suspended. The default retention applies to the versions
// written after it (objectlock.go).
func (s *Service) putObjectLockConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutObjectLockConfigurationRequest) (s3api.Output, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	cfg := in.ObjectLockConfiguration
	if cfg == nil {
		return nil, errMalformedXML()
	}
	if err := validateObjectLock(cfg); err != nil {
		return nil, err
	}
	on, err := s.versioningEnabled(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if !on {
		// wording: not found in AWS docs.
		return nil, errInvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	}
	return done(s.putConfig(ctx, in.Bucket, cfgObjectLock, &s3api.GetObjectLockConfigurationOutput{ObjectLockConfiguration: cfg}, nil))
}

func (s *Service) getObjectLockConfiguration(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetObjectLockConfigurationRequest) (s3api.Output, error) {
	return s.getConfig(ctx, in.Bucket, cfgObjectLock)
}

// objectLockEnabledDoc is the configuration of a bucket created with
// Object Lock enabled and no default retention.
func (s *Service) objectLockEnabledDoc() string {
	on := s3api.ObjectLockEnabled("Enabled")
	return string(s.docs.Encode(&s3api.GetObjectLockConfigurationOutput{ObjectLockConfiguration: &s3api.ObjectLockConfiguration{ObjectLockEnabled: &on}}))
}

// versioningLocked is the error of a change of versioning state a
// bucket's configuration forbids, nil when none does.
func versioningLocked(b *store.Bucket) error {
	if _, ok := b.Configs[cfgObjectLock.key]; ok {
		// wording: not found in AWS docs.
		return errInvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
	}
	if _, ok := b.Configs[cfgReplication.key]; ok {
		// wording: not found in AWS docs.
		return errInvalidBucketState("A replication configuration is present on this bucket, so the versioning state cannot be changed.")
	}
	return nil
}
