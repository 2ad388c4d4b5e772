package s3_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationReplicationPassRole: PutBucketReplication needs
// iam:PassRole on the configuration's role besides
// s3:PutReplicationConfiguration (S3 User Guide,
// setting-repl-config-perm-overview.html lists iam:PassRole among the
// actions the principal creating replication rules needs), passed to
// s3.amazonaws.com.
func TestIntegrationReplicationPassRole(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.RootS3()
	ctx := context.Background()
	for _, b := range []string{"repl-src", "repl-dst"} {
		mkBucket(t, root, b)
		ok(t)(root.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: aws.String(b),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	}
	const role = "arn:aws:iam::123456789012:role/replication"
	repl := func(role string) *awss3.PutBucketReplicationInput {
		return &awss3.PutBucketReplicationInput{Bucket: aws.String("repl-src"), ReplicationConfiguration: &types.ReplicationConfiguration{
			Role: aws.String(role), Rules: []types.ReplicationRule{{ID: aws.String("all"), Status: types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
				Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
				DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
				Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::repl-dst")}}}}}
	}
	s3only := newUser(t, srv, "s3only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutReplicationConfiguration","Resource":"arn:aws:s3:::repl-src"}]}`).s3(srv)
	_, err := s3only.PutBucketReplication(ctx, repl(role))
	wantErr(t, err, "AccessDenied", 403)

	passer := newUser(t, srv, "passer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutReplicationConfiguration","Resource":"arn:aws:s3:::repl-src"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+role+`","Condition":{"StringEquals":{"iam:PassedToService":"s3.amazonaws.com"}}}]}`).s3(srv)
	ok(t)(passer.PutBucketReplication(ctx, repl(role)))
	// Another role is not passed by that permission.
	_, err = passer.PutBucketReplication(ctx, repl("arn:aws:iam::123456789012:role/other"))
	wantErr(t, err, "AccessDenied", 403)
	// The root user passes any role of its account.
	ok(t)(root.PutBucketReplication(ctx, repl("arn:aws:iam::123456789012:role/other")))
}
