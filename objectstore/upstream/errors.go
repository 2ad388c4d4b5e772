package upstream

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// opError is a failed upstream call: the objectstore sentinel it maps to
// (if any) and the SDK's error, both reachable through errors.Is and As.
type opError struct {
	op, bucket, key string
	sentinel        error
	cause           error
}

func (e *opError) Error() string {
	var b strings.Builder
	b.WriteString("upstream: ")
	b.WriteString(e.op)
	if e.bucket != "" {
		b.WriteString(" " + e.bucket)
		if e.key != "" {
			b.WriteString("/" + e.key)
		}
	}
	switch {
	case e.sentinel != nil && e.cause != nil:
		fmt.Fprintf(&b, ": %v (%v)", e.sentinel, e.cause)
	case e.sentinel != nil:
		fmt.Fprintf(&b, ": %v", e.sentinel)
	default:
		fmt.Fprintf(&b, ": %v", e.cause)
	}
	return b.String()
}

func (e *opError) Unwrap() []error {
	var errs []error
	if e.sentinel != nil {
		errs = append(errs, e.sentinel)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

func wrap(op, bucket, key string, sentinel, cause error) error {
	return &opError{op: op, bucket: bucket, key: key, sentinel: sentinel, cause: cause}
}

// errCtx says what a call asked for, where an S3 error code means more
// than one thing.
type errCtx struct {
	versionID string
	// copy: the call is a CopyObject, whose InvalidRequest names a source
	// version that is a delete marker.
	copy bool
}

// codes maps S3 error codes to the sentinels.
var codes = map[string]error{
	"NoSuchBucket":            objectstore.ErrNoSuchBucket,
	"BucketAlreadyOwnedByYou": objectstore.ErrBucketExists,
	"BucketAlreadyExists":     objectstore.ErrBucketExists,
	"BucketNotEmpty":          objectstore.ErrBucketNotEmpty,
	"NoSuchKey":               objectstore.ErrNoSuchKey,
	"NoSuchVersion":           objectstore.ErrNoSuchVersion,
	"MethodNotAllowed":        objectstore.ErrMethodNotAllowed,
	"InvalidRange":            objectstore.ErrInvalidRange,
	"NoSuchUpload":            objectstore.ErrNoSuchUpload,
	"InvalidPart":             objectstore.ErrInvalidPart,
	"InvalidPartOrder":        objectstore.ErrInvalidPartOrder,
	"EntityTooSmall":          objectstore.ErrEntityTooSmall,
	"IllegalVersioningConfigurationException": objectstore.ErrIllegalVersioning,
}

// mapErr turns an SDK error into an objectstore error: a sentinel when the
// S3 error code names one, the error wrapped with the call otherwise. nil
// stays nil.
func (b *Backend) mapErr(op, bucket, key string, err error, ec errCtx) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		if s, ok := codes[code]; ok {
			if s == objectstore.ErrNoSuchBucket && bucket != "" {
				b.known.Delete(bucket)
			}
			return wrap(op, bucket, key, s, err)
		}
		msg := strings.ToLower(api.ErrorMessage())
		switch {
		case code == "InvalidArgument" && ec.versionID != "" && ec.versionID != objectstore.NullVersion &&
			(strings.Contains(msg, "version") || msg == "invalid argument"):
			// AWS answers a version id of the wrong form so; SeaweedFS
			// answers any id but "null" in a bucket never versioned so,
			// with no more than "Invalid Argument". Either way no such
			// version is there: NoSuchVersion, "the version ID specified
			// in the request does not match an existing version"
			// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
			return wrap(op, bucket, key, objectstore.ErrNoSuchVersion, err)
		case code == "InvalidRequest" && ec.copy && strings.Contains(msg, "delete marker"):
			return wrap(op, bucket, key, objectstore.ErrMethodNotAllowed, err)
		}
	}
	return wrap(op, bucket, key, nil, err)
}

// status is the HTTP status of a failed call's response, 0 when there was
// none.
func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.HTTPStatusCode()
	}
	return 0
}

// header is a header of a failed call's response.
func header(err error) http.Header {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.Response.Header
	}
	return nil
}

// errorCode is a failed call's S3 error code, "" when it has none.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
