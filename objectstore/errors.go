package objectstore

import (
	"errors"
	"fmt"
)

// The errors a Backend returns, tested with errors.Is. Each names the S3
// error code and HTTP status the S3 layer answers with (from
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
var (
	// ErrNoSuchBucket: NoSuchBucket, 404.
	ErrNoSuchBucket = errors.New("objectstore: no such bucket")
	// ErrBucketExists: BucketAlreadyOwnedByYou (409) — the S3 layer, which
	// knows the owner, decides between it and BucketAlreadyExists.
	ErrBucketExists = errors.New("objectstore: bucket exists")
	// ErrBucketNotEmpty: BucketNotEmpty, 409.
	ErrBucketNotEmpty = errors.New("objectstore: bucket not empty")
	// ErrNoSuchKey: NoSuchKey, 404 (404 without a body for HEAD; with
	// x-amz-delete-marker: true when the current version is a delete marker).
	ErrNoSuchKey = errors.New("objectstore: no such key")
	// ErrNoSuchVersion: NoSuchVersion, 404.
	ErrNoSuchVersion = errors.New("objectstore: no such version")
	// ErrMethodNotAllowed: MethodNotAllowed, 405 — a GET or HEAD of a version
	// that is a delete marker (x-amz-delete-marker: true); for a copy
	// source, InvalidRequest, 400.
	ErrMethodNotAllowed = errors.New("objectstore: the version is a delete marker")
	// ErrInvalidRange: InvalidRange, 416, with Content-Range: bytes */size;
	// the error is a *RangeError carrying the size.
	ErrInvalidRange = errors.New("objectstore: the requested range is not satisfiable")
	// ErrPartNotSatisfiable: InvalidPartNumber, 416 ("The requested
	// partnumber is not satisfiable") — a GET or HEAD with ?partNumber= of a
	// part the object does not have.
	ErrPartNotSatisfiable = errors.New("objectstore: the requested partnumber is not satisfiable")
	// ErrNoSuchUpload: NoSuchUpload, 404.
	ErrNoSuchUpload = errors.New("objectstore: no such upload")
	// ErrInvalidPart: InvalidPart, 400 — a listed part was not uploaded or
	// its ETag does not match.
	ErrInvalidPart = errors.New("objectstore: invalid part")
	// ErrInvalidPartOrder: InvalidPartOrder, 400 — part numbers not in
	// ascending order.
	ErrInvalidPartOrder = errors.New("objectstore: parts not in ascending order")
	// ErrEntityTooSmall: EntityTooSmall, 400 — a part but the last is
	// smaller than MinPartSize.
	ErrEntityTooSmall = errors.New("objectstore: part smaller than the minimum allowed size")
	// ErrInvalidPartNumber: InvalidArgument, 400 ("Part number must be an
	// integer between 1 and 10000, inclusive").
	ErrInvalidPartNumber = errors.New("objectstore: part number must be an integer between 1 and 10000, inclusive")
	// ErrIllegalVersioning: IllegalVersioningConfigurationException, 400 —
	// a versioning state other than Enabled or Suspended.
	ErrIllegalVersioning = errors.New("objectstore: illegal versioning configuration")
)

// RangeError is the ErrInvalidRange a GetObject returns: Size is the
// object's size, for S3's Content-Range: bytes */Size and its
// ActualObjectSize error element.
type RangeError struct {
	Size int64
}

// Error says the range is not satisfiable.
func (e *RangeError) Error() string {
	return fmt.Sprintf("objectstore: the requested range is not satisfiable (object size %d)", e.Size)
}

// Is makes errors.Is(err, ErrInvalidRange) hold.
func (e *RangeError) Is(target error) bool { return target == ErrInvalidRange }

// PartError is the ErrInvalidPart, ErrInvalidPartOrder or ErrEntityTooSmall a
// CompleteMultipartUpload returns, naming the part at fault.
type PartError struct {
	// Err is the sentinel.
	Err error
	// PartNumber and ETag are the listed part's.
	PartNumber int
	ETag       string
}

// Error names the part.
func (e *PartError) Error() string {
	return fmt.Sprintf("%v: part %d (ETag %s)", e.Err, e.PartNumber, e.ETag)
}

// Unwrap returns the sentinel.
func (e *PartError) Unwrap() error { return e.Err }
