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

// TestReviewCopySourceExistingObjectTag: the source check of a CopyObject
// (s3:GetObject on the source) must be decided with the source object's
// tags as s3:ExistingObjectTag/<key>, not the destination's: otherwise a
// caller allowed to read only objects tagged classification=public copies
// a confidential object over a destination it tagged public itself.
func TestReviewCopySourceExistingObjectTag(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "review-tags"
	mkBucket(t, root, b)
	ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("conf"), Body: strings.NewReader("secret"), Tagging: aws.String("classification=confidential")}))
	u := newUser(t, srv, "tag-copier", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::review-tags/*",
		 "Condition":{"StringEquals":{"s3:ExistingObjectTag/classification":"public"}}},
		{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::review-tags/drop/*"}]}`).s3(srv)
	if _, err := get(u, b, "conf"); err == nil {
		t.Fatal("the confidential object is readable directly")
	}
	// The destination exists, tagged public by the caller.
	ok(t)(u.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("drop/x"), Body: strings.NewReader("mine"), Tagging: aws.String("classification=public")}))
	_, err := u.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("drop/x"), CopySource: aws.String(b + "/conf"),
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("classification=public")})
	wantDenied(t, err, "")
	if got, _ := get(u, b, "drop/x"); got == "secret" {
		t.Errorf("the confidential object was copied to a readable destination")
	}
}
