package s3

import (
	"context"
	"errors"
	"io"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// objectRead is the object a request addresses, read once: authorization
// decides with its facts (tags, owner, ACL), and the operation serves the
// same read (GetObject its open bytes, HeadObject its info) rather than
// asking the backend again.
type objectRead struct {
	// version is the version asked for ("" the current one).
	version string
	// info is the version found; err the read's error when none was (the
	// object or version is missing).
	info objectstore.Info
	err  error
	// rc is a GetObject's open bytes (nil for the other operations, and
	// when openErr is set); openErr the error of opening the bytes of a
	// version that exists (a range or part it cannot satisfy).
	rc      io.ReadCloser
	openErr error
}

// close releases the read's bytes, if open.
func (o *objectRead) close() {
	if o != nil && o.rc != nil {
		_ = o.rc.Close()
		o.rc = nil
	}
}

// readObject reads the object r addresses for authorization: a GetObject
// opens its bytes at once (with the request's range or part), any other
// operation reads the version's info.
func (s *Service) readObject(ctx context.Context, r *Request, version string) *objectRead {
	if in, ok := r.Input.(*s3api.GetObjectRequest); ok {
		if opt, ok := getOptions(in); ok {
			opt.VersionID = version
			info, rc, err := s.backend.GetObject(ctx, r.Bucket, r.Key, opt)
			if err == nil {
				return &objectRead{version: version, info: info, rc: rc}
			}
			if errors.Is(err, objectstore.ErrInvalidRange) || errors.Is(err, objectstore.ErrPartNotSatisfiable) {
				// The version exists: its facts decide, and the operation
				// answers the range's error after the preconditions.
				info, herr := s.backend.HeadObject(ctx, r.Bucket, r.Key, version)
				return &objectRead{version: version, info: info, err: herr, openErr: err}
			}
			return &objectRead{version: version, err: err}
		}
	}
	info, err := s.backend.HeadObject(ctx, r.Bucket, r.Key, version)
	return &objectRead{version: version, info: info, err: err}
}

// getOptions are the range or part a GetObject reads; ok is false when the
// request names both or a part out of bounds, errors the operation reports.
func getOptions(in *s3api.GetObjectRequest) (objectstore.GetOptions, bool) {
	var opt objectstore.GetOptions
	if in.Range != nil {
		if parsed, ok := objectstore.ParseRange(*in.Range); ok {
			opt.Range = &parsed
		}
	}
	if in.PartNumber != nil {
		part := int(*in.PartNumber)
		if opt.Range != nil || part < 1 || part > objectstore.MaxPartNumber {
			return opt, false
		}
		opt.PartNumber = part
	}
	return opt, true
}

// takeObject returns the read authorization made of bucket/key/version
// for the operation to use (nil when none was made, or of another object),
// and leaves none on r.
func (r *Request) takeObject(bucket, key, version string) *objectRead {
	o := r.object
	r.object = nil
	if o == nil || bucket != r.Bucket || key != r.Key || version != o.version {
		o.close()
		return nil
	}
	return o
}
