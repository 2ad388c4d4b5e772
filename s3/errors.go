package s3

import (
	"github.com/gatehouse-iam/gatehouse/awserr"
)

// S3's errors, with the codes, statuses and messages of
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
// and the extra elements S3 puts in their documents.

func s3err(code string, status int, msg string) *awserr.Error {
	return &awserr.Error{Code: code, Status: status, Message: msg, Sender: status < 500}
}

func errNoSuchBucket(bucket string) *awserr.Error {
	return s3err("NoSuchBucket", 404, "The specified bucket does not exist").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errNoSuchKey(key string) *awserr.Error {
	return s3err("NoSuchKey", 404, "The specified key does not exist.").
		WithMembers(map[string]any{"Key": key})
}

func errNoSuchVersion(key, version string) *awserr.Error {
	return s3err("NoSuchVersion", 404, "The specified version does not exist.").
		WithMembers(map[string]any{"Key": key, "VersionId": version})
}

func errNoSuchUpload(uploadID string) *awserr.Error {
	return s3err("NoSuchUpload", 404,
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
		WithMembers(map[string]any{"UploadId": uploadID})
}

func errInvalidBucketName(bucket string) *awserr.Error {
	return s3err("InvalidBucketName", 400, "The specified bucket is not valid.").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errBucketAlreadyExists(bucket string) *awserr.Error {
	return s3err("BucketAlreadyExists", 409,
		"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errBucketAlreadyOwnedByYou(bucket string) *awserr.Error {
	return s3err("BucketAlreadyOwnedByYou", 409,
		"Your previous request to create the named bucket succeeded and you already own it.").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errBucketNotEmpty(bucket string) *awserr.Error {
	return s3err("BucketNotEmpty", 409, "The bucket you tried to delete is not empty").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errNoSuchBucketPolicy(bucket string) *awserr.Error {
	return s3err("NoSuchBucketPolicy", 404, "The bucket policy does not exist").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errNoSuchTagSet(bucket string) *awserr.Error {
	return s3err("NoSuchTagSet", 404, "The TagSet does not exist").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errNoSuchPublicAccessBlock(bucket string) *awserr.Error {
	return s3err("NoSuchPublicAccessBlockConfiguration", 404,
		"The public access block configuration was not found").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errNoOwnershipControls(bucket string) *awserr.Error {
	return s3err("OwnershipControlsNotFoundError", 404,
		"The bucket ownership controls were not found").
		WithMembers(map[string]any{"BucketName": bucket})
}

func errMalformedXML() *awserr.Error {
	return s3err("MalformedXML", 400,
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func errMalformedPolicy(msg string) *awserr.Error {
	return s3err("MalformedPolicy", 400, msg)
}

func errInvalidArgument(msg, name, value string) *awserr.Error {
	return s3err("InvalidArgument", 400, msg).
		WithMembers(map[string]any{"ArgumentName": name, "ArgumentValue": value})
}

func errInvalidRequest(msg string) *awserr.Error {
	return s3err("InvalidRequest", 400, msg)
}

func errAccessDenied() *awserr.Error {
	return s3err("AccessDenied", 403, "Access Denied")
}

func errInvalidTag(msg string) *awserr.Error {
	return s3err("InvalidTag", 400, msg)
}

func errInternal(cause error) *awserr.Error {
	return s3err("InternalError", 500,
		"We encountered an internal error. Please try again.").WithCause(cause)
}
