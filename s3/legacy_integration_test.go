package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationLegacyBucketConfigurations: the deprecated
// PutBucketLifecycle/GetBucketLifecycle (rules with a Prefix, no Filter:
// https://docs.aws.amazon.com/AmazonS3/latest/API/lifecycle-old-api.html)
// and PutBucketNotification/GetBucketNotification
// (NotificationConfigurationDeprecated) are the same requests on the wire
// as their replacements (PUT and GET /BUCKET?lifecycle, ?notification):
// one configuration, which the documents of either API write and both
// read. A GET of a configuration whose rules use a Filter answers the
// Filter, as S3's GET Bucket lifecycle does (its documented example
// response holds a <Filter>, as quoted in boto/botocore issue 1280).
// aws-sdk-go-v2 has no client for the old operations: the old documents
// are sent as old clients send them (the aws CLI's put-bucket-lifecycle
// and put-bucket-notification, acceptance/gh-12-s3-legacy.sh).
func TestIntegrationLegacyBucketConfigurations(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.RootS3()
	ctx := context.Background()
	mkBucket(t, c, "legacy")

	const oldLifecycle = `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>old-logs</ID><Prefix>logs/</Prefix>` +
		`<Status>Enabled</Status><Transition><Days>7</Days><StorageClass>STANDARD_IA</StorageClass></Transition>` +
		`<Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`
	resp, body := signedMD5(t, srv, "PUT", "/legacy?lifecycle", oldLifecycle)
	if resp.StatusCode != 200 {
		t.Fatalf("PUT ?lifecycle (old) = %d %s", resp.StatusCode, body)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &awss3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("legacy")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lc.Rules) != 1 || aws.ToString(lc.Rules[0].ID) != "old-logs" || aws.ToString(lc.Rules[0].Prefix) != "logs/" || //nolint:staticcheck // the deprecated Prefix is what the old API writes
		aws.ToInt32(lc.Rules[0].Expiration.Days) != 30 || len(lc.Rules[0].Transitions) != 1 || lc.Rules[0].Transitions[0].StorageClass != types.TransitionStorageClassStandardIa {
		t.Errorf("the old lifecycle read by the new API: %+v", lc.Rules)
	}
	resp, body = signedMD5(t, srv, "GET", "/legacy?lifecycle", "")
	if s := string(body); resp.StatusCode != 200 || !strings.Contains(s, "<Prefix>logs/</Prefix>") || !strings.Contains(s, "<Transition><Days>7</Days>") {
		t.Errorf("GET ?lifecycle = %d %s", resp.StatusCode, s)
	}

	ok(t)(c.PutBucketLifecycleConfiguration(ctx, &awss3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("legacy"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("tagged"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("tier"), Value: aws.String("tmp")}}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}}))
	resp, body = signedMD5(t, srv, "GET", "/legacy?lifecycle", "")
	if s := string(body); resp.StatusCode != 200 || !strings.Contains(s, "<Filter><Tag><Key>tier</Key>") || !strings.Contains(s, "<ID>tagged</ID>") {
		t.Errorf("GET ?lifecycle of a filtered rule = %d %s", resp.StatusCode, s)
	}

	const oldNotification = `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<TopicConfiguration><Id>old-topic</Id><Event>s3:ObjectCreated:*</Event><Topic>arn:aws:sns:us-east-1:123456789012:uploads</Topic></TopicConfiguration>` +
		`<QueueConfiguration><Id>old-queue</Id><Event>s3:ObjectRemoved:*</Event><Queue>arn:aws:sqs:us-east-1:123456789012:removed</Queue></QueueConfiguration>` +
		`<CloudFunctionConfiguration><Id>old-fn</Id><Event>s3:ObjectCreated:Put</Event>` +
		`<CloudFunction>arn:aws:lambda:us-east-1:123456789012:function:thumbs</CloudFunction>` +
		`<InvocationRole>arn:aws:iam::123456789012:role/invoke</InvocationRole></CloudFunctionConfiguration></NotificationConfiguration>`
	resp, body = signedMD5(t, srv, "PUT", "/legacy?notification", oldNotification)
	if resp.StatusCode != 200 {
		t.Fatalf("PUT ?notification (old) = %d %s", resp.StatusCode, body)
	}
	nc, err := c.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: aws.String("legacy")})
	if err != nil {
		t.Fatal(err)
	}
	if len(nc.TopicConfigurations) != 1 || aws.ToString(nc.TopicConfigurations[0].TopicArn) != "arn:aws:sns:us-east-1:123456789012:uploads" ||
		len(nc.QueueConfigurations) != 1 || aws.ToString(nc.QueueConfigurations[0].Id) != "old-queue" ||
		len(nc.LambdaFunctionConfigurations) != 1 || aws.ToString(nc.LambdaFunctionConfigurations[0].LambdaFunctionArn) != "arn:aws:lambda:us-east-1:123456789012:function:thumbs" {
		t.Errorf("the old notification configuration read by the new API: %+v", nc)
	}
	resp, body = signedMD5(t, srv, "GET", "/legacy?notification", "")
	if s := string(body); resp.StatusCode != 200 || !strings.Contains(s, "<Topic>arn:aws:sns:us-east-1:123456789012:uploads</Topic>") ||
		!strings.Contains(s, "<CloudFunction>arn:aws:lambda:") {
		t.Errorf("GET ?notification = %d %s", resp.StatusCode, s)
	}
}
