package s3

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/s3/access"
)

func (s *Service) copyObject(ctx context.Context, c *identity.Caller, r *Request, in *s3api.CopyObjectRequest) (*s3api.CopyObjectOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	srcBucket, srcKey, srcVersion, err := access.ParseCopySource(in.CopySource)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(ctx, srcBucket); err != nil {
		return nil, err
	}
	owned, err := s.writeObject(ctx, c, b, r.Header)
	if err != nil {
		return nil, err
	}
	replace := in.MetadataDirective != nil && *in.MetadataDirective == "REPLACE"
	if !replace && srcBucket == in.Bucket && srcKey == in.Key && srcVersion == "" && in.StorageClass == nil &&
		in.ServerSideEncryption == nil && in.WebsiteRedirectLocation == nil {
		return nil, errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	lock, err := s.newVersionLock(b, r.Header, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus, false)
	if err != nil {
		return nil, err
	}
	var newTags []objectstore.Tag
	replaceTags := in.TaggingDirective != nil && *in.TaggingDirective == "REPLACE"
	if replaceTags && in.Tagging != nil && *in.Tagging != "" {
		if newTags, err = parseTaggingHeader(*in.Tagging); err != nil {
			return nil, err
		}
	}
	// The metadata is decided against the very version copied, inside the
	// backend's commit.
	metaOf := func(src objectstore.Info) (objectstore.Meta, error) {
		if _, err := conditional(src, in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince); err != nil {
			return objectstore.Meta{}, err
		}
		meta := src.Meta.Clone()
		if replace {
			meta = objectMeta(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl,
				in.Expires, in.WebsiteRedirectLocation, in.Metadata, enumString(in.StorageClass), enumString(in.ServerSideEncryption))
			meta.Tags = src.Meta.Tags
			meta.Checksum = src.Meta.Checksum
		}
		if replaceTags {
			meta.Tags = newTags
		}
		meta.Owner, meta.ACL = owned.Owner, owned.ACL
		// A copy is a new version: its lock is its own request's or the
		// bucket's default, never the source's.
		meta.Lock = lock
		return meta, nil
	}
	res0, err := s.backend.CopyObject(ctx, objectstore.ObjectRef{Bucket: srcBucket, Key: srcKey, VersionID: srcVersion}, in.Bucket, in.Key, metaOf)
	if err != nil {
		if ae, ok := asAWS(err); ok {
			return nil, ae
		}
		return nil, s.objectError(err, srcBucket, srcKey, srcVersion)
	}
	info := res0.Object
	res := &s3api.CopyObjectResult{ETag: str(info.ETag), LastModified: timep(info.LastModified)}
	setChecksumOut(info.Meta.Checksum, &res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumSHA1, &res.ChecksumSHA256)
	out := &s3api.CopyObjectOutput{CopyObjectResult: res, VersionId: versionOut(info.VersionID)}
	if v := res0.Source.VersionID; v != "" {
		out.CopySourceVersionId = str(v)
	}
	return out, nil
}

// maxDeleteObjects is DeleteObjects' limit (API_DeleteObjects: "up to
// 1,000 keys").
const maxDeleteObjects = 1000

func (s *Service) deleteObjects(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteObjectsRequest) (*s3api.DeleteObjectsOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if len(in.Delete.Objects) > maxDeleteObjects {
		return nil, errMalformedXML()
	}
	quiet := in.Delete.Quiet != nil && *in.Delete.Quiet
	out := &s3api.DeleteObjectsOutput{}
	for _, o := range in.Delete.Objects {
		version := deref(o.VersionId)
		if err := s.authorizeDelete(ctx, c, r, b.Name, o.Key, version); err != nil {
			out.Errors = append(out.Errors, deleteError(o, err))
			continue
		}
		res, err := s.deleteVersion(ctx, in.Bucket, o.Key, version, r.Header)
		if err != nil {
			out.Errors = append(out.Errors, deleteError(o, err))
			continue
		}
		if quiet {
			continue
		}
		d := s3api.DeletedObject{Key: str(o.Key), VersionId: o.VersionId}
		if res.DeleteMarker {
			d.DeleteMarker = boolp(true)
			d.DeleteMarkerVersionId = str(res.VersionID)
		}
		out.Deleted = append(out.Deleted, d)
	}
	return out, nil
}

// authorizeDelete decides one object of a DeleteObjects request as the
// DeleteObject (or DeleteObjectVersion) it stands for.
func (s *Service) authorizeDelete(ctx context.Context, c *identity.Caller, r *Request, bucket, key, version string) error {
	q := map[string][]string{}
	if version != "" {
		q["versionId"] = []string{version}
	}
	one := &Request{Operation: "DeleteObject", Bucket: bucket, Key: key, Header: r.Header, Query: q}
	_, err := s.authorize(ctx, c, one)
	return err
}

func deleteError(o s3api.ObjectIdentifier, err error) s3api.Error {
	e := s3api.Error{Key: str(o.Key), VersionId: o.VersionId, Code: str("InternalError"), Message: str("We encountered an internal error. Please try again.")}
	if ae, ok := asAWS(err); ok {
		e.Code, e.Message = str(ae.Code), str(ae.Message)
	}
	return e
}
