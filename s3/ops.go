package s3

import (
	"context"
	"fmt"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
)

// op is one S3 operation: authorized by authorize, run over its generated
// input type I; a cross-origin request's response gets the headers the
// bucket's CORS configuration grants it (cors.go).
func op[I, O any](s *Service, name string, run func(ctx context.Context, c *identity.Caller, r *Request, in I) (O, error)) operation.Op {
	return operation.New(name, s.authorize, func(ctx context.Context, c *identity.Caller, r *Request) (any, error) {
		in, ok := r.Input.(I)
		if !ok {
			return nil, errInternal(fmt.Errorf("s3: %s: input is %T", name, r.Input))
		}
		out, err := run(ctx, c, r, in)
		if err != nil {
			return nil, err
		}
		return s.withCORS(r, r.Method, out), nil
	})
}

// Ops returns the operation table.
func (s *Service) Ops() map[string]operation.Op {
	return operation.Table(s.controlOps(), []operation.Op{
		s.preflightOp(),
		anonymous(op(s, "ListBuckets", s.listBuckets)),
		anonymous(op(s, "CreateBucket", s.createBucket)),
		anonymous(op(s, "DeleteBucket", s.deleteBucketOp)),
		anonymous(op(s, "HeadBucket", s.headBucket)),
		anonymous(op(s, "GetBucketLocation", s.getBucketLocation)),
		anonymous(op(s, "ListObjects", s.listObjects)),
		anonymous(op(s, "ListObjectsV2", s.listObjectsV2)),
		anonymous(op(s, "ListObjectVersions", s.listObjectVersions)),
		anonymous(op(s, "PutObject", s.putObject)),
		anonymous(op(s, "GetObject", s.getObject)),
		anonymous(op(s, "HeadObject", s.headObject)),
		anonymous(op(s, "DeleteObject", s.deleteObject)),
		anonymous(op(s, "DeleteObjects", s.deleteObjects)),
		anonymous(op(s, "CopyObject", s.copyObject)),
		anonymous(op(s, "CreateMultipartUpload", s.createMultipartUpload)),
		anonymous(op(s, "UploadPart", s.uploadPart)),
		anonymous(op(s, "UploadPartCopy", s.uploadPartCopy)),
		anonymous(op(s, "CompleteMultipartUpload", s.completeMultipartUpload)),
		anonymous(op(s, "AbortMultipartUpload", s.abortMultipartUpload)),
		anonymous(op(s, "ListParts", s.listParts)),
		anonymous(op(s, "ListMultipartUploads", s.listMultipartUploads)),
		anonymous(op(s, "PutBucketPolicy", s.putBucketPolicy)),
		anonymous(op(s, "GetBucketPolicy", s.getBucketPolicy)),
		anonymous(op(s, "DeleteBucketPolicy", s.deleteBucketPolicy)),
		anonymous(op(s, "GetBucketPolicyStatus", s.getBucketPolicyStatus)),
		anonymous(op(s, "PutBucketAcl", s.putBucketAcl)),
		anonymous(op(s, "GetBucketAcl", s.getBucketAcl)),
		anonymous(op(s, "PutObjectAcl", s.putObjectAcl)),
		anonymous(op(s, "GetObjectAcl", s.getObjectAcl)),
		anonymous(op(s, "PutBucketOwnershipControls", s.putBucketOwnershipControls)),
		anonymous(op(s, "GetBucketOwnershipControls", s.getBucketOwnershipControls)),
		anonymous(op(s, "DeleteBucketOwnershipControls", s.deleteBucketOwnershipControls)),
		anonymous(op(s, "PutPublicAccessBlock", s.putPublicAccessBlock)),
		anonymous(op(s, "GetPublicAccessBlock", s.getPublicAccessBlock)),
		anonymous(op(s, "DeletePublicAccessBlock", s.deletePublicAccessBlock)),
		anonymous(op(s, "PutBucketTagging", s.putBucketTagging)),
		anonymous(op(s, "GetBucketTagging", s.getBucketTagging)),
		anonymous(op(s, "DeleteBucketTagging", s.deleteBucketTagging)),
		anonymous(op(s, "PutObjectTagging", s.putObjectTagging)),
		anonymous(op(s, "GetObjectTagging", s.getObjectTagging)),
		anonymous(op(s, "DeleteObjectTagging", s.deleteObjectTagging)),
		anonymous(op(s, "PutBucketVersioning", s.putBucketVersioning)),
		anonymous(op(s, "GetBucketVersioning", s.getBucketVersioning)),
		anonymous(op(s, "PutBucketCors", s.putBucketCors)),
		anonymous(op(s, "GetBucketCors", s.getBucketCors)),
		anonymous(op(s, "DeleteBucketCors", s.deleteBucketCors)),
		anonymous(op(s, "PutBucketWebsite", s.putBucketWebsite)),
		anonymous(op(s, "GetBucketWebsite", s.getBucketWebsite)),
		anonymous(op(s, "DeleteBucketWebsite", s.deleteBucketWebsite)),
		anonymous(op(s, "PutBucketLifecycleConfiguration", s.putBucketLifecycleConfiguration)),
		anonymous(op(s, "GetBucketLifecycleConfiguration", s.getBucketLifecycleConfiguration)),
		anonymous(op(s, "DeleteBucketLifecycle", s.deleteBucketLifecycle)),
		anonymous(op(s, "PutBucketEncryption", s.putBucketEncryption)),
		anonymous(op(s, "GetBucketEncryption", s.getBucketEncryption)),
		anonymous(op(s, "DeleteBucketEncryption", s.deleteBucketEncryption)),
		anonymous(op(s, "PutBucketLogging", s.putBucketLogging)),
		anonymous(op(s, "GetBucketLogging", s.getBucketLogging)),
		anonymous(op(s, "PutBucketRequestPayment", s.putBucketRequestPayment)),
		anonymous(op(s, "GetBucketRequestPayment", s.getBucketRequestPayment)),
		anonymous(op(s, "PutBucketAccelerateConfiguration", s.putBucketAccelerateConfiguration)),
		anonymous(op(s, "GetBucketAccelerateConfiguration", s.getBucketAccelerateConfiguration)),
		anonymous(op(s, "PutBucketNotificationConfiguration", s.putBucketNotificationConfiguration)),
		anonymous(op(s, "GetBucketNotificationConfiguration", s.getBucketNotificationConfiguration)),
		anonymous(op(s, "PutBucketReplication", s.putBucketReplication)),
		anonymous(op(s, "GetBucketReplication", s.getBucketReplication)),
		anonymous(op(s, "DeleteBucketReplication", s.deleteBucketReplication)),
		anonymous(op(s, "PutObjectLockConfiguration", s.putObjectLockConfiguration)),
		anonymous(op(s, "GetObjectLockConfiguration", s.getObjectLockConfiguration)),
		anonymous(op(s, "PutObjectRetention", s.putObjectRetention)),
		anonymous(op(s, "GetObjectRetention", s.getObjectRetention)),
		anonymous(op(s, "PutObjectLegalHold", s.putObjectLegalHold)),
		anonymous(op(s, "GetObjectLegalHold", s.getObjectLegalHold)),
	})
}

// anonymous marks an operation that unsigned callers may make: S3 decides
// them as the anonymous principal.
func anonymous(o operation.Op) operation.Op {
	o.Anonymous = true
	return o
}
