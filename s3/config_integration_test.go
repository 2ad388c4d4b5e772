package s3_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// Each bucket configuration round-trips through aws-sdk-go-v2: absent (AWS's
// "not configured" error with its status, or AWS's default), put, read back
// as it was put, deleted.
func TestIntegrationBucketConfigs(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.RootS3()
	ctx := t.Context()
	b := aws.String("configs")
	mkBucket(t, c, "configs")

	t.Run("cors", func(t *testing.T) {
		_, err := c.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: b})
		wantErr(t, err, "NoSuchCORSConfiguration", 404)
		rules := []types.CORSRule{
			{ID: aws.String("web"), AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"GET", "PUT"},
				AllowedHeaders: []string{"x-amz-*", "Content-Type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300)},
			{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
		}
		ok(t)(c.PutBucketCors(ctx, &awss3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}}))
		out, err := c.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.CORSRules) != 2 || aws.ToString(out.CORSRules[0].ID) != "web" || out.CORSRules[0].AllowedOrigins[0] != "https://*.example.com" ||
			len(out.CORSRules[0].AllowedHeaders) != 2 || aws.ToInt32(out.CORSRules[0].MaxAgeSeconds) != 300 || out.CORSRules[1].AllowedMethods[0] != "GET" {
			t.Errorf("GetBucketCors = %+v", out.CORSRules)
		}
		for _, tc := range []struct {
			rule types.CORSRule
			code string
		}{
			{types.CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}, "InvalidRequest"},
			{types.CORSRule{AllowedOrigins: []string{"https://*.*.com"}, AllowedMethods: []string{"GET"}}, "InvalidRequest"},
			{types.CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"*-*"}}, "InvalidRequest"},
		} {
			_, err := c.PutBucketCors(ctx, &awss3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{tc.rule}}})
			wantErr(t, err, tc.code, 400)
		}
		// A configuration without rules, or a rule without origins, is
		// MalformedXML (the SDK refuses to send the latter itself).
		for _, doc := range []string{`<CORSConfiguration/>`, `<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`} {
			resp, body := signedMD5(t, srv, http.MethodPut, "/configs?cors", doc)
			checkErrorDoc(t, resp, body, 400, "MalformedXML")
		}
		ok(t)(c.DeleteBucketCors(ctx, &awss3.DeleteBucketCorsInput{Bucket: b}))
		_, err = c.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: b})
		wantErr(t, err, "NoSuchCORSConfiguration", 404)
		ok(t)(c.DeleteBucketCors(ctx, &awss3.DeleteBucketCorsInput{Bucket: b})) // none: still 204
	})

	t.Run("website", func(t *testing.T) {
		_, err := c.GetBucketWebsite(ctx, &awss3.GetBucketWebsiteInput{Bucket: b})
		wantErr(t, err, "NoSuchWebsiteConfiguration", 404)
		ok(t)(c.PutBucketWebsite(ctx, &awss3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: &types.WebsiteConfiguration{
			IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}, ErrorDocument: &types.ErrorDocument{Key: aws.String("404.html")},
			RoutingRules: []types.RoutingRule{{Condition: &types.Condition{KeyPrefixEquals: aws.String("docs/")},
				Redirect: &types.Redirect{ReplaceKeyPrefixWith: aws.String("documents/"), HttpRedirectCode: aws.String("301")}}}}}))
		out, err := c.GetBucketWebsite(ctx, &awss3.GetBucketWebsiteInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.IndexDocument.Suffix) != "index.html" || aws.ToString(out.ErrorDocument.Key) != "404.html" || len(out.RoutingRules) != 1 ||
			aws.ToString(out.RoutingRules[0].Redirect.ReplaceKeyPrefixWith) != "documents/" {
			t.Errorf("GetBucketWebsite = %+v", out)
		}
		_, err = c.PutBucketWebsite(ctx, &awss3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: &types.WebsiteConfiguration{ErrorDocument: &types.ErrorDocument{Key: aws.String("e")}}})
		wantErr(t, err, "InvalidArgument", 400)
		_, err = c.PutBucketWebsite(ctx, &awss3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("a/index.html")}}})
		wantErr(t, err, "InvalidArgument", 400)
		ok(t)(c.DeleteBucketWebsite(ctx, &awss3.DeleteBucketWebsiteInput{Bucket: b}))
		_, err = c.GetBucketWebsite(ctx, &awss3.GetBucketWebsiteInput{Bucket: b})
		wantErr(t, err, "NoSuchWebsiteConfiguration", 404)
	})

	t.Run("lifecycle", func(t *testing.T) {
		_, err := c.GetBucketLifecycleConfiguration(ctx, &awss3.GetBucketLifecycleConfigurationInput{Bucket: b})
		wantErr(t, err, "NoSuchLifecycleConfiguration", 404)
		ok(t)(c.PutBucketLifecycleConfiguration(ctx, &awss3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
				Expiration:  &types.LifecycleExpiration{Days: aws.Int32(30)},
				Transitions: []types.Transition{{Days: aws.Int32(7), StorageClass: types.TransitionStorageClassStandardIa}}},
			{Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("tmp"), Value: aws.String("1")}},
				AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}},
		}}}))
		out, err := c.GetBucketLifecycleConfiguration(ctx, &awss3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Rules) != 2 || aws.ToString(out.Rules[0].ID) != "logs" || aws.ToInt32(out.Rules[0].Expiration.Days) != 30 ||
			aws.ToString(out.Rules[0].Filter.Prefix) != "logs/" || out.Rules[0].Transitions[0].StorageClass != types.TransitionStorageClassStandardIa ||
			aws.ToString(out.Rules[1].ID) == "" || aws.ToString(out.Rules[1].Filter.Tag.Key) != "tmp" || out.Rules[1].Status != types.ExpirationStatusDisabled {
			t.Errorf("GetBucketLifecycleConfiguration = %+v", out.Rules)
		}
		for _, rule := range []types.LifecycleRule{
			{ID: aws.String("x"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}},
			{ID: aws.String("x"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(0)}},
		} {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &awss3.PutBucketLifecycleConfigurationInput{Bucket: b,
				LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{rule}}})
			wantErr(t, err, "", 400)
		}
		dup := types.LifecycleRule{ID: aws.String("d"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}
		_, err = c.PutBucketLifecycleConfiguration(ctx, &awss3.PutBucketLifecycleConfigurationInput{Bucket: b,
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{dup, dup}}})
		wantErr(t, err, "InvalidArgument", 400)
		ok(t)(c.DeleteBucketLifecycle(ctx, &awss3.DeleteBucketLifecycleInput{Bucket: b}))
		_, err = c.GetBucketLifecycleConfiguration(ctx, &awss3.GetBucketLifecycleConfigurationInput{Bucket: b})
		wantErr(t, err, "NoSuchLifecycleConfiguration", 404)
	})

	t.Run("encryption", func(t *testing.T) {
		// Every bucket has SSE-S3 by default (API_DeleteBucketEncryption).
		check := func(alg types.ServerSideEncryption, key string, bucketKey bool) {
			t.Helper()
			out, err := c.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: b})
			if err != nil {
				t.Fatal(err)
			}
			r := out.ServerSideEncryptionConfiguration.Rules
			if len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != alg ||
				aws.ToString(r[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != key || aws.ToBool(r[0].BucketKeyEnabled) != bucketKey {
				t.Errorf("GetBucketEncryption = %+v", r)
			}
		}
		check(types.ServerSideEncryptionAes256, "", false)
		kms := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		ok(t)(c.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
				SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(kms)}, BucketKeyEnabled: aws.Bool(true)}}}}))
		check(types.ServerSideEncryptionAwsKms, kms, true)
		_, err := c.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
				SSEAlgorithm: types.ServerSideEncryptionAes256, KMSMasterKeyID: aws.String(kms)}}}}})
		wantErr(t, err, "InvalidArgument", 400)
		ok(t)(c.DeleteBucketEncryption(ctx, &awss3.DeleteBucketEncryptionInput{Bucket: b}))
		check(types.ServerSideEncryptionAes256, "", false)
	})

	t.Run("logging", func(t *testing.T) {
		out, err := c.GetBucketLogging(ctx, &awss3.GetBucketLoggingInput{Bucket: b})
		if err != nil || out.LoggingEnabled != nil {
			t.Fatalf("GetBucketLogging = %+v, %v", out, err)
		}
		_, err = c.PutBucketLogging(ctx, &awss3.PutBucketLoggingInput{Bucket: b, BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("no-such-logs"), TargetPrefix: aws.String("x/")}}})
		wantErr(t, err, "InvalidTargetBucketForLogging", 400)
		mkBucket(t, c, "configs-logs")
		ok(t)(c.PutBucketLogging(ctx, &awss3.PutBucketLoggingInput{Bucket: b, BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("configs-logs"), TargetPrefix: aws.String("configs/")}}}))
		out, err = c.GetBucketLogging(ctx, &awss3.GetBucketLoggingInput{Bucket: b})
		if err != nil || out.LoggingEnabled == nil || aws.ToString(out.LoggingEnabled.TargetBucket) != "configs-logs" || aws.ToString(out.LoggingEnabled.TargetPrefix) != "configs/" {
			t.Fatalf("GetBucketLogging = %+v, %v", out, err)
		}
		// An empty BucketLoggingStatus turns logging off.
		ok(t)(c.PutBucketLogging(ctx, &awss3.PutBucketLoggingInput{Bucket: b, BucketLoggingStatus: &types.BucketLoggingStatus{}}))
		if out, err = c.GetBucketLogging(ctx, &awss3.GetBucketLoggingInput{Bucket: b}); err != nil || out.LoggingEnabled != nil {
			t.Fatalf("GetBucketLogging after disabling = %+v, %v", out, err)
		}
	})

	t.Run("requestPayment", func(t *testing.T) {
		out, err := c.GetBucketRequestPayment(ctx, &awss3.GetBucketRequestPaymentInput{Bucket: b})
		if err != nil || out.Payer != types.PayerBucketOwner {
			t.Fatalf("GetBucketRequestPayment = %+v, %v", out, err)
		}
		ok(t)(c.PutBucketRequestPayment(ctx, &awss3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}))
		if out, err = c.GetBucketRequestPayment(ctx, &awss3.GetBucketRequestPaymentInput{Bucket: b}); err != nil || out.Payer != types.PayerRequester {
			t.Fatalf("GetBucketRequestPayment = %+v, %v", out, err)
		}
		_, err = c.PutBucketRequestPayment(ctx, &awss3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: "Nobody"}})
		wantErr(t, err, "MalformedXML", 400)
	})

	t.Run("accelerate", func(t *testing.T) {
		out, err := c.GetBucketAccelerateConfiguration(ctx, &awss3.GetBucketAccelerateConfigurationInput{Bucket: b})
		if err != nil || out.Status != "" {
			t.Fatalf("GetBucketAccelerateConfiguration = %+v, %v", out, err)
		}
		ok(t)(c.PutBucketAccelerateConfiguration(ctx, &awss3.PutBucketAccelerateConfigurationInput{Bucket: b, AccelerateConfiguration: &types.AccelerateConfiguration{Status: types.BucketAccelerateStatusEnabled}}))
		if out, err = c.GetBucketAccelerateConfiguration(ctx, &awss3.GetBucketAccelerateConfigurationInput{Bucket: b}); err != nil || out.Status != types.BucketAccelerateStatusEnabled {
			t.Fatalf("GetBucketAccelerateConfiguration = %+v, %v", out, err)
		}
		_, err = c.PutBucketAccelerateConfiguration(ctx, &awss3.PutBucketAccelerateConfigurationInput{Bucket: b, AccelerateConfiguration: &types.AccelerateConfiguration{Status: "On"}})
		wantErr(t, err, "MalformedXML", 400)
	})

	t.Run("notification", func(t *testing.T) {
		out, err := c.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: b})
		if err != nil || len(out.QueueConfigurations)+len(out.TopicConfigurations)+len(out.LambdaFunctionConfigurations) != 0 {
			t.Fatalf("GetBucketNotificationConfiguration = %+v, %v", out, err)
		}
		ok(t)(c.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{Bucket: b, NotificationConfiguration: &types.NotificationConfiguration{
			QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:123456789012:uploads"), Events: []types.Event{"s3:ObjectCreated:*"},
				Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{{Name: "prefix", Value: aws.String("in/")}}}}}},
			TopicConfigurations: []types.TopicConfiguration{{Id: aws.String("t"), TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:deletes"), Events: []types.Event{"s3:ObjectRemoved:Delete"}}},
		}}))
		out, err = c.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: b})
		if err != nil || len(out.QueueConfigurations) != 1 || aws.ToString(out.QueueConfigurations[0].Id) == "" ||
			aws.ToString(out.QueueConfigurations[0].QueueArn) != "arn:aws:sqs:us-east-1:123456789012:uploads" ||
			aws.ToString(out.QueueConfigurations[0].Filter.Key.FilterRules[0].Value) != "in/" || aws.ToString(out.TopicConfigurations[0].Id) != "t" {
			t.Fatalf("GetBucketNotificationConfiguration = %+v, %v", out, err)
		}
		_, err = c.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{Bucket: b, NotificationConfiguration: &types.NotificationConfiguration{
			QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:123456789012:q"), Events: []types.Event{"s3:ObjectEaten:*"}}}}})
		wantErr(t, err, "InvalidArgument", 400)
		// An empty configuration turns notifications off.
		ok(t)(c.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{Bucket: b, NotificationConfiguration: &types.NotificationConfiguration{}}))
		if out, err = c.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: b}); err != nil || len(out.QueueConfigurations) != 0 {
			t.Fatalf("GetBucketNotificationConfiguration = %+v, %v", out, err)
		}
	})

	t.Run("replication and object lock", func(t *testing.T) {
		_, err := c.GetBucketReplication(ctx, &awss3.GetBucketReplicationInput{Bucket: b})
		wantErr(t, err, "ReplicationConfigurationNotFoundError", 404)
		_, err = c.GetObjectLockConfiguration(ctx, &awss3.GetObjectLockConfigurationInput{Bucket: b})
		wantErr(t, err, "ObjectLockConfigurationNotFoundError", 404)
		repl := &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::123456789012:role/replication"), Rules: []types.ReplicationRule{{
			ID: aws.String("all"), Status: types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1), Filter: &types.ReplicationRuleFilter{Prefix: aws.String("")},
			DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
			Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::configs-replica")}}}}
		// Versioning must be enabled on the source (replication-requirements.html).
		_, err = c.PutBucketReplication(ctx, &awss3.PutBucketReplicationInput{Bucket: b, ReplicationConfiguration: repl})
		wantErr(t, err, "InvalidRequest", 400)
		lock := &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled, Rule: &types.ObjectLockRule{
			DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}
		_, err = c.PutObjectLockConfiguration(ctx, &awss3.PutObjectLockConfigurationInput{Bucket: b, ObjectLockConfiguration: lock})
		wantErr(t, err, "InvalidBucketState", 409)
		ok(t)(c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
		ok(t)(c.PutBucketReplication(ctx, &awss3.PutBucketReplicationInput{Bucket: b, ReplicationConfiguration: repl}))
		out, err := c.GetBucketReplication(ctx, &awss3.GetBucketReplicationInput{Bucket: b})
		if err != nil || aws.ToString(out.ReplicationConfiguration.Role) != "arn:aws:iam::123456789012:role/replication" ||
			len(out.ReplicationConfiguration.Rules) != 1 || aws.ToString(out.ReplicationConfiguration.Rules[0].Destination.Bucket) != "arn:aws:s3:::configs-replica" {
			t.Fatalf("GetBucketReplication = %+v, %v", out, err)
		}
		ok(t)(c.PutObjectLockConfiguration(ctx, &awss3.PutObjectLockConfigurationInput{Bucket: b, ObjectLockConfiguration: lock}))
		lo, err := c.GetObjectLockConfiguration(ctx, &awss3.GetObjectLockConfigurationInput{Bucket: b})
		if err != nil || lo.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled ||
			lo.ObjectLockConfiguration.Rule.DefaultRetention.Mode != types.ObjectLockRetentionModeGovernance || aws.ToInt32(lo.ObjectLockConfiguration.Rule.DefaultRetention.Days) != 1 {
			t.Fatalf("GetObjectLockConfiguration = %+v, %v", lo, err)
		}
		// Object Lock holds versioning enabled (object-lock.html).
		_, err = c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
		wantErr(t, err, "InvalidBucketState", 409)
		ok(t)(c.DeleteBucketReplication(ctx, &awss3.DeleteBucketReplicationInput{Bucket: b}))
		_, err = c.GetBucketReplication(ctx, &awss3.GetBucketReplicationInput{Bucket: b})
		wantErr(t, err, "ReplicationConfigurationNotFoundError", 404)
	})

	t.Run("created with object lock", func(t *testing.T) {
		ok(t)(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("configs-locked"), ObjectLockEnabledForBucket: aws.Bool(true)}))
		lo, err := c.GetObjectLockConfiguration(ctx, &awss3.GetObjectLockConfigurationInput{Bucket: aws.String("configs-locked")})
		if err != nil || lo.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled || lo.ObjectLockConfiguration.Rule != nil {
			t.Fatalf("GetObjectLockConfiguration = %+v, %v", lo, err)
		}
		v, err := c.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: aws.String("configs-locked")})
		if err != nil || v.Status != types.BucketVersioningStatusEnabled {
			t.Fatalf("GetBucketVersioning = %+v, %v", v, err)
		}
	})

	t.Run("no such bucket", func(t *testing.T) {
		_, err := c.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: aws.String("configs-none")})
		wantErr(t, err, "NoSuchBucket", 404)
		_, err = c.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: aws.String("configs-none")})
		wantErr(t, err, "NoSuchBucket", 404)
	})
}

// signedMD5 sends a document signed by the root user, with the
// Content-MD5 S3's configuration PUTs require.
func signedMD5(t *testing.T, srv *testserver.Server, method, path, doc string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(doc))
	req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	hash := sha256.Sum256([]byte(doc))
	h := hex.EncodeToString(hash[:])
	req.Header.Set("X-Amz-Content-Sha256", h)
	creds := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, h, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

// preflight sends a browser's CORS preflight (unsigned) and returns the
// response.
func preflight(t *testing.T, srv *testserver.Server, path, origin, method, headers string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if method != "" {
		req.Header.Set("Access-Control-Request-Method", method)
	}
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// CORS preflights are answered from the bucket's rules
// (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html,
// cors-troubleshooting.html), and cross-origin requests get the headers.
func TestIntegrationCORSPreflight(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.RootS3()
	ctx := t.Context()
	mkBucket(t, c, "site")
	put(t, c, "site", "app.js", "x")

	resp := preflight(t, srv, "/site/app.js", "https://app.example.com", "GET", "")
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight without CORS = %d %v", resp.StatusCode, resp.Header)
	}
	ok(t)(c.PutBucketCors(ctx, &awss3.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"x-amz-*", "content-type"},
			ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
	}}}))

	for _, tc := range []struct {
		name, path, origin, method, headers string
		status                              int
		allowOrigin, allowHeaders, maxAge   string
	}{
		{"first rule", "/site/app.js", "https://app.example.com", "PUT", "Content-Type, X-Amz-Date", 200, "https://app.example.com", "content-type, x-amz-date", "600"},
		{"wildcard rule", "/site/app.js", "https://other.org", "GET", "", 200, "*", "", ""},
		{"bucket", "/site", "https://other.org", "GET", "", 200, "*", "", ""},
		{"method not allowed", "/site/app.js", "https://other.org", "PUT", "", 403, "", "", ""},
		{"header not allowed", "/site/app.js", "https://app.example.com", "PUT", "authorization", 403, "", "", ""},
		{"no origin", "/site/app.js", "", "GET", "", 400, "", "", ""},
		{"no bucket", "/nosuch/app.js", "https://app.example.com", "GET", "", 404, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := preflight(t, srv, tc.path, tc.origin, tc.method, tc.headers)
			h := resp.Header
			if resp.StatusCode != tc.status || h.Get("Access-Control-Allow-Origin") != tc.allowOrigin ||
				h.Get("Access-Control-Allow-Headers") != tc.allowHeaders || h.Get("Access-Control-Max-Age") != tc.maxAge {
				t.Errorf("preflight = %d %v", resp.StatusCode, h)
			}
			if tc.status == 200 && !strings.Contains(h.Get("Access-Control-Allow-Methods"), tc.method) {
				t.Errorf("Access-Control-Allow-Methods = %q", h.Get("Access-Control-Allow-Methods"))
			}
		})
	}

	// The actual cross-origin request (signed GET with an Origin) gets the
	// rule's headers.
	rec := &recorder{base: withOrigin{"https://app.example.com"}}
	cc := srv.RootS3(func(o *awss3.Options) { o.HTTPClient = rec.client() })
	out, err := cc.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("site"), Key: aws.String("app.js")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	h := rec.last().Header
	if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || h.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("cross-origin GET headers = %v", h)
	}

	// A refused preflight is S3's AccessForbidden document.
	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, srv.URL+"/site/app.js", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "https://other.org")
	req.Header.Set("Access-Control-Request-Method", "DELETE")
	r, body := do(t, req)
	if d := checkErrorDoc(t, r, body, 403, "AccessForbidden"); !strings.Contains(d.Message, "CORSResponse: This CORS request is not allowed") {
		t.Errorf("refusal = %+v", d)
	}
}

// withOrigin sends requests with an Origin header, as a browser's
// cross-origin requests carry (not a signed header).
type withOrigin struct{ origin string }

func (o withOrigin) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Origin", o.origin)
	return http.DefaultTransport.RoundTrip(req)
}

// Each configuration operation is authorized with its own IAM action
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
// a user allowed only the read actions reads and cannot write.
func TestIntegrationBucketConfigAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := t.Context()
	root := srv.RootS3()
	mkBucket(t, root, "guarded")
	b := aws.String("guarded")
	reader := newUser(t, srv, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
		"s3:GetBucketCORS","s3:GetLifecycleConfiguration","s3:GetEncryptionConfiguration","s3:GetBucketWebsite","s3:GetBucketLogging",
		"s3:GetBucketRequestPayment","s3:GetAccelerateConfiguration","s3:GetBucketNotification","s3:GetReplicationConfiguration",
		"s3:GetBucketObjectLockConfiguration","s3:PutBucketCORS"],"Resource":"arn:aws:s3:::guarded"}]}`).s3(srv)

	// Allowed: the reads (answering "not configured" or the default) and
	// the one write granted.
	_, err := reader.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: b})
	wantErr(t, err, "NoSuchCORSConfiguration", 404)
	_, err = reader.GetBucketLifecycleConfiguration(ctx, &awss3.GetBucketLifecycleConfigurationInput{Bucket: b})
	wantErr(t, err, "NoSuchLifecycleConfiguration", 404)
	_, err = reader.GetObjectLockConfiguration(ctx, &awss3.GetObjectLockConfigurationInput{Bucket: b})
	wantErr(t, err, "ObjectLockConfigurationNotFoundError", 404)
	_, err = reader.GetBucketReplication(ctx, &awss3.GetBucketReplicationInput{Bucket: b})
	wantErr(t, err, "ReplicationConfigurationNotFoundError", 404)
	_, err = reader.GetBucketWebsite(ctx, &awss3.GetBucketWebsiteInput{Bucket: b})
	wantErr(t, err, "NoSuchWebsiteConfiguration", 404)
	ok(t)(reader.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: b}))
	ok(t)(reader.GetBucketLogging(ctx, &awss3.GetBucketLoggingInput{Bucket: b}))
	ok(t)(reader.GetBucketRequestPayment(ctx, &awss3.GetBucketRequestPaymentInput{Bucket: b}))
	ok(t)(reader.GetBucketAccelerateConfiguration(ctx, &awss3.GetBucketAccelerateConfigurationInput{Bucket: b}))
	ok(t)(reader.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: b}))
	ok(t)(reader.PutBucketCors(ctx, &awss3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}}}))
	// DeleteBucketCors needs s3:PutBucketCORS too (API_DeleteBucketCors).
	ok(t)(reader.DeleteBucketCors(ctx, &awss3.DeleteBucketCorsInput{Bucket: b}))

	// Denied: every write without its action.
	denied := map[string]error{}
	_, denied["PutBucketLifecycleConfiguration"] = reader.PutBucketLifecycleConfiguration(ctx, &awss3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}})
	_, denied["DeleteBucketLifecycle"] = reader.DeleteBucketLifecycle(ctx, &awss3.DeleteBucketLifecycleInput{Bucket: b})
	_, denied["PutBucketEncryption"] = reader.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
	_, denied["DeleteBucketWebsite"] = reader.DeleteBucketWebsite(ctx, &awss3.DeleteBucketWebsiteInput{Bucket: b})
	_, denied["PutBucketRequestPayment"] = reader.PutBucketRequestPayment(ctx, &awss3.PutBucketRequestPaymentInput{Bucket: b,
		RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}})
	_, denied["PutBucketAccelerateConfiguration"] = reader.PutBucketAccelerateConfiguration(ctx, &awss3.PutBucketAccelerateConfigurationInput{Bucket: b,
		AccelerateConfiguration: &types.AccelerateConfiguration{Status: types.BucketAccelerateStatusEnabled}})
	_, denied["PutBucketNotificationConfiguration"] = reader.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{Bucket: b,
		NotificationConfiguration: &types.NotificationConfiguration{}})
	_, denied["DeleteBucketReplication"] = reader.DeleteBucketReplication(ctx, &awss3.DeleteBucketReplicationInput{Bucket: b})
	_, denied["PutObjectLockConfiguration"] = reader.PutObjectLockConfiguration(ctx, &awss3.PutObjectLockConfigurationInput{Bucket: b,
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
	for name, err := range denied {
		t.Run(name, func(t *testing.T) {
			if ae := wantErr(t, err, "AccessDenied", 403); ae != nil && !strings.Contains(ae.ErrorMessage(), "not authorized to perform: s3:") {
				t.Errorf("message %q", ae.ErrorMessage())
			}
		})
	}
}
