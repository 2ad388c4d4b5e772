package upstream

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// S3 decides conditional writes itself (If-None-Match: * and If-Match on
// PutObject and CompleteMultipartUpload,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html),
// but an objectstore.Precondition is a function, not a header. So a write
// with one is a compare-and-swap: the current object is headed, the
// precondition evaluated against it (its error returned as is), and the
// write sent upstream on the condition that the key is still in that
// state — If-Match with the ETag seen, or If-None-Match: * when there was
// no object. Whatever the precondition is, two writers cannot both pass:
// the upstream lets only the first of them commit. A write refused
// upstream (412, or 409 ConditionalRequestConflict) evaluates the
// precondition again against the object now current and returns its
// error; if the precondition now holds (the key changed and changed back,
// or to another object that also satisfies it), the write fails with
// errConflict, which the client may retry, as AWS's own 409 says.

// errConflict is a conditional write that lost a race upstream although
// its precondition holds against the object that won.
var errConflict = errors.New("a conflicting write to the key happened meanwhile; retry the request")

// guard is the upstream condition of a write checked against cur.
type guard struct {
	ifMatch, ifNoneMatch *string
}

// checkCond evaluates cond against the key's current object and returns
// the upstream condition that keeps it true until the commit; a nil cond
// gives no condition. cond's error is returned as is.
func (b *Backend) checkCond(ctx context.Context, bucket, key string, cond objectstore.Precondition) (guard, error) {
	if cond == nil {
		return guard{}, nil
	}
	cur, err := b.current(ctx, bucket, key)
	if err != nil {
		return guard{}, err
	}
	if err := cond(cur); err != nil {
		return guard{}, err
	}
	if cur == nil {
		return guard{ifNoneMatch: aws.String("*")}, nil
	}
	return guard{ifMatch: aws.String(cur.ETag)}, nil
}

// current is the key's current object, nil when there is none or it is a
// delete marker.
func (b *Backend) current(ctx context.Context, bucket, key string) (*objectstore.Info, error) {
	info, err := b.HeadObject(ctx, bucket, key, "")
	switch {
	case errors.Is(err, objectstore.ErrNoSuchKey):
		return nil, nil
	case err != nil:
		return nil, err
	case info.IsDeleteMarker:
		return nil, nil
	}
	return &info, nil
}

// refused reports whether a write failed on its upstream condition.
func refused(err error) bool {
	switch status(err) {
	case http.StatusPreconditionFailed, http.StatusConflict:
		return true
	case http.StatusNotFound:
		// If-Match of a key deleted meanwhile (NoSuchKey), not a missing
		// bucket or upload.
		return errorCode(err) == "NoSuchKey"
	}
	return false
}

// lostRace is the error of a write the upstream refused on its condition:
// the precondition's against the object now current, else errConflict.
func (b *Backend) lostRace(ctx context.Context, op, bucket, key string, cond objectstore.Precondition, cause error) error {
	cur, err := b.current(ctx, bucket, key)
	if err != nil {
		return err
	}
	if err := cond(cur); err != nil {
		return err
	}
	return wrap(op, bucket, key, nil, errors.Join(errConflict, cause))
}
