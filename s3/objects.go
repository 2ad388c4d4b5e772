package s3

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// objectError maps an object backend error to S3's.
func (s *Service) objectError(err error, bucket, key, version string) error {
	var re *objectstore.RangeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, objectstore.ErrNoSuchBucket):
		return errNoSuchBucket(bucket)
	case errors.Is(err, objectstore.ErrBucketNotEmpty):
		return errBucketNotEmpty(bucket)
	case errors.Is(err, objectstore.ErrNoSuchKey):
		return errNoSuchKey(key)
	case errors.Is(err, objectstore.ErrNoSuchVersion):
		return errNoSuchVersion(key, version)
	case errors.Is(err, objectstore.ErrMethodNotAllowed):
		return s3err("MethodNotAllowed", 405, "The specified method is not allowed against this resource.").
			WithMembers(map[string]any{"Method": "GET", "ResourceType": "DeleteMarker"})
	case errors.As(err, &re):
		return s3err("InvalidRange", 416, "The requested range is not satisfiable").
			WithMembers(map[string]any{"ActualObjectSize": strconv.FormatInt(re.Size, 10)})
	case errors.Is(err, objectstore.ErrPartNotSatisfiable):
		return s3err("InvalidPartNumber", 416, "The requested partnumber is not satisfiable")
	case errors.Is(err, objectstore.ErrNoSuchUpload):
		return errNoSuchUpload(version)
	case errors.Is(err, objectstore.ErrInvalidPart):
		return s3err("InvalidPart", 400,
			"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	case errors.Is(err, objectstore.ErrInvalidPartOrder):
		return s3err("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.")
	case errors.Is(err, objectstore.ErrEntityTooSmall):
		return s3err("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.")
	case errors.Is(err, objectstore.ErrInvalidPartNumber):
		return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", "")
	case errors.Is(err, objectstore.ErrIllegalVersioning):
		return errMalformedXML()
	}
	if ae, ok := asAWS(err); ok {
		return ae
	}
	return err
}

// objectMeta collects the metadata a PutObject-like request stores.
func objectMeta(contentType, encoding, disposition, language, cacheControl *string, expires *time.Time,
	redirect *string, user map[string]string, storageClass, sse string) objectstore.Meta {
	m := objectstore.Meta{
		ContentType: deref(contentType), ContentEncoding: deref(encoding), ContentDisposition: deref(disposition),
		ContentLanguage: deref(language), CacheControl: deref(cacheControl), WebsiteRedirect: deref(redirect),
		UserMetadata: user, StorageClass: storageClass, SSE: sse,
	}
	if expires != nil {
		m.Expires = expires.UTC().Format(s3api.HTTPDate)
	}
	if m.ContentType == "" {
		m.ContentType = "binary/octet-stream"
	}
	// aws-chunked is a transfer framing, not the object's encoding.
	m.ContentEncoding = stripAWSChunked(m.ContentEncoding)
	return m
}

func stripAWSChunked(enc string) string {
	if enc == "" {
		return ""
	}
	var keep []string
	for _, p := range strings.Split(enc, ",") {
		if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(p, "aws-chunked") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}

func (s *Service) putObject(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutObjectRequest) (*s3api.PutObjectOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if !validKeyLength(in.Key) {
		return nil, s3err("KeyTooLongError", 400, "Your key is too long")
	}
	if err := needLength(r.Header); err != nil {
		return nil, err
	}
	if err := checkUserMetadata(in.Metadata); err != nil {
		return nil, err
	}
	owned, err := s.writeObject(ctx, c, b, r.Header)
	if err != nil {
		return nil, err
	}
	var tags []objectstore.Tag
	if in.Tagging != nil && *in.Tagging != "" {
		if tags, err = parseTaggingHeader(*in.Tagging); err != nil {
			return nil, err
		}
	}
	meta := objectMeta(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl,
		in.Expires, in.WebsiteRedirectLocation, in.Metadata, enumString(in.StorageClass), enumString(in.ServerSideEncryption))
	meta.Tags, meta.ACL, meta.Owner = tags, owned.ACL, owned.Owner
	if meta.Lock, err = s.newVersionLock(b, r.Header, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus, true); err != nil {
		return nil, err
	}
	alg, declared := requestChecksum(in.ChecksumAlgorithm, in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumSHA1, in.ChecksumSHA256)
	body, err := newChecksumReader(bodyOf(in.Body), alg, declared, deref(in.ContentMD5))
	if err != nil {
		return nil, err
	}
	if alg != "" {
		meta.Checksum = objectstore.Checksum{Algorithm: alg, Type: "FULL_OBJECT"}
	}
	info, err := s.backend.PutObject(ctx, in.Bucket, in.Key, body, meta, writeCondition(r.Header))
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, "")
	}
	out := &s3api.PutObjectOutput{ETag: str(info.ETag), VersionId: versionOut(info.VersionID)}
	setChecksumOut(info.Meta.Checksum, &out.ChecksumCRC32, &out.ChecksumCRC32C, &out.ChecksumSHA1, &out.ChecksumSHA256)
	if meta.SSE != "" {
		v := s3api.ServerSideEncryption(meta.SSE)
		out.ServerSideEncryption = &v
	}
	return out, nil
}

// writeCondition is the precondition of a conditional write
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
// If-None-Match: * fails with 412 PreconditionFailed when the key exists,
// If-Match when its ETag differs or it does not exist (404 NoSuchKey).
func writeCondition(h map[string][]string) objectstore.Precondition {
	none, match := headerValue(h, "If-None-Match"), headerValue(h, "If-Match")
	if none == "" && match == "" {
		return nil
	}
	return func(cur *objectstore.Info) error {
		exists := cur != nil && !cur.IsDeleteMarker
		if none == "*" && exists {
			return s3err("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold").
				WithMembers(map[string]any{"Condition": "If-None-Match"})
		}
		if match != "" {
			if !exists {
				return errNoSuchKey("")
			}
			if !etagMatches(match, cur.ETag) {
				return s3err("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold").
					WithMembers(map[string]any{"Condition": "If-Match"})
			}
		}
		return nil
	}
}

// headerValue is a request header's first value, whatever its case.
func headerValue(h map[string][]string, name string) string {
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, name) {
			return v[0]
		}
	}
	return ""
}

func (s *Service) getObject(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetObjectRequest) (s3api.Output, error) {
	version := deref(in.VersionId)
	// The object as authorization read it: its bytes are already open.
	pre := r.takeObject(in.Bucket, in.Key, version)
	served := false
	defer func() {
		if !served {
			pre.close()
		}
	}()
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if c.Principal.Type == policy.PrincipalAnonymous && (in.ResponseCacheControl != nil || in.ResponseContentDisposition != nil ||
		in.ResponseContentEncoding != nil || in.ResponseContentLanguage != nil || in.ResponseContentType != nil || in.ResponseExpires != nil) {
		// "You must sign the request ... when using these parameters. They
		// cannot be used with an unsigned (anonymous) request" (API
		// reference, GetObject).
		return nil, errInvalidRequest("Request specific response headers cannot be used for anonymous GET requests.")
	}
	var rng *objectstore.Range
	if in.Range != nil {
		if parsed, ok := objectstore.ParseRange(*in.Range); ok {
			rng = &parsed
		}
	}
	var head objectstore.Info
	if pre != nil {
		if pre.err != nil {
			return nil, s.missing(ctx, c, r, s.objectError(pre.err, in.Bucket, in.Key, version))
		}
		head = pre.info
	} else {
		var err error
		if head, err = s.backend.HeadObject(ctx, in.Bucket, in.Key, version); err != nil {
			return nil, s.missing(ctx, c, r, s.objectError(err, in.Bucket, in.Key, version))
		}
	}
	if status, err := conditional(head, in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince); err != nil || status != 0 {
		if status == 304 {
			return s3api.WithStatus(notModified(head), 304), nil
		}
		return nil, err
	}
	part := 0
	if in.PartNumber != nil {
		if rng != nil {
			return nil, errInvalidRequest("Cannot specify both Range header and partNumber query parameter")
		}
		if part = int(*in.PartNumber); part < 1 || part > objectstore.MaxPartNumber {
			return nil, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", strconv.Itoa(part))
		}
	}
	var (
		info objectstore.Info
		rc   io.ReadCloser
	)
	switch {
	case pre != nil && pre.openErr != nil:
		return nil, s.objectError(pre.openErr, in.Bucket, in.Key, version)
	case pre != nil && pre.rc != nil:
		info, rc = pre.info, pre.rc
	default:
		var err error
		if info, rc, err = s.backend.GetObject(ctx, in.Bucket, in.Key, objectstore.GetOptions{VersionID: head.VersionID, Range: rng, PartNumber: part}); err != nil {
			return nil, s.objectError(err, in.Bucket, in.Key, version)
		}
	}
	served = true
	out := &s3api.GetObjectOutput{Body: rc, AcceptRanges: str("bytes")}
	fillObjectHeaders(info, &out.LastModified, &out.ETag, &out.VersionId, &out.ContentType, &out.ContentEncoding,
		&out.ContentDisposition, &out.ContentLanguage, &out.CacheControl, &out.WebsiteRedirectLocation, &out.Metadata)
	out.Expires = parseExpires(info.Meta.Expires)
	if n := len(info.Meta.Tags); n > 0 {
		out.TagCount = i32(int32(n))
	}
	if part > 0 && info.PartsCount > 0 {
		// "only returned if you specify partNumber" (API_GetObject).
		out.PartsCount = i32(int32(info.PartsCount))
	}
	if sc := info.Meta.StorageClass; sc != "" && sc != "STANDARD" {
		v := s3api.StorageClass(sc)
		out.StorageClass = &v
	}
	if in.ChecksumMode != nil && *in.ChecksumMode == "ENABLED" && rng == nil {
		setChecksumOut(info.Meta.Checksum, &out.ChecksumCRC32, &out.ChecksumCRC32C, &out.ChecksumSHA1, &out.ChecksumSHA256)
	}
	s.lockHeaders(ctx, c, r, info.Meta.Lock, &out.ObjectLockMode, &out.ObjectLockRetainUntilDate, &out.ObjectLockLegalHoldStatus)
	applyResponseOverrides(in, out)
	length := info.Size
	if part > 0 {
		start, n, err := head.PartRange(part)
		if err != nil {
			rc.Close()
			return nil, s.objectError(err, in.Bucket, in.Key, version)
		}
		out.ContentLength = &n
		if head.PartsCount > 0 {
			out.ContentRange = str(contentRange(start, n, head.Size))
			return s3api.WithStatus(out, 206), nil
		}
		return out, nil
	}
	if rng != nil {
		start, n, err := rng.Resolve(head.Size)
		if err != nil {
			rc.Close()
			return nil, s.objectError(err, in.Bucket, in.Key, version)
		}
		length = n
		out.ContentRange = str(contentRange(start, n, head.Size))
		out.ContentLength = &length
		return s3api.WithStatus(out, 206), nil
	}
	out.ContentLength = &length
	return out, nil
}

func (s *Service) headObject(ctx context.Context, c *identity.Caller, r *Request, in *s3api.HeadObjectRequest) (_ s3api.Output, err error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	var info objectstore.Info
	if pre := r.takeObject(in.Bucket, in.Key, version); pre != nil {
		// The object as authorization read it.
		info, err = pre.info, pre.err
	} else {
		info, err = s.backend.HeadObject(ctx, in.Bucket, in.Key, version)
	}
	if err != nil {
		return nil, s.missing(ctx, c, r, s.objectError(err, in.Bucket, in.Key, version))
	}
	if status, err := conditional(info, in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince); err != nil || status != 0 {
		if status == 304 {
			return s3api.WithStatus(notModified(info), 304), nil
		}
		return nil, err
	}
	out := &s3api.HeadObjectOutput{AcceptRanges: str("bytes")}
	fillObjectHeaders(info, &out.LastModified, &out.ETag, &out.VersionId, &out.ContentType, &out.ContentEncoding,
		&out.ContentDisposition, &out.ContentLanguage, &out.CacheControl, &out.WebsiteRedirectLocation, &out.Metadata)
	out.Expires = parseExpires(info.Meta.Expires)
	size := info.Size
	out.ContentLength = &size
	if sc := info.Meta.StorageClass; sc != "" && sc != "STANDARD" {
		v := s3api.StorageClass(sc)
		out.StorageClass = &v
	}
	if in.ChecksumMode != nil && *in.ChecksumMode == "ENABLED" {
		setChecksumOut(info.Meta.Checksum, &out.ChecksumCRC32, &out.ChecksumCRC32C, &out.ChecksumSHA1, &out.ChecksumSHA256)
	}
	s.lockHeaders(ctx, c, r, info.Meta.Lock, &out.ObjectLockMode, &out.ObjectLockRetainUntilDate, &out.ObjectLockLegalHoldStatus)
	if in.PartNumber != nil {
		start, n, err := info.PartRange(int(*in.PartNumber))
		if err != nil {
			return nil, s.objectError(err, in.Bucket, in.Key, version)
		}
		out.ContentLength = &n
		if info.PartsCount > 0 {
			// "only returned if you specify partNumber" (API_HeadObject).
			out.PartsCount = i32(int32(info.PartsCount))
			return s3api.WithStatus(s3api.WithHeaders(out, map[string]string{"Content-Range": contentRange(start, n, info.Size)}), 206), nil
		}
		return out, nil
	}
	if in.Range != nil {
		if rng, ok := objectstore.ParseRange(*in.Range); ok {
			start, n, err := rng.Resolve(info.Size)
			if err != nil {
				return nil, s.objectError(err, in.Bucket, in.Key, version)
			}
			_ = start
			out.ContentLength = &n
			return s3api.WithStatus(out, 206), nil
		}
	}
	return out, nil
}

// notModified is the 304 answer: the object's ETag and Last-Modified.
func notModified(info objectstore.Info) s3api.Output {
	out := &s3api.HeadObjectOutput{ETag: str(info.ETag)}
	t := info.LastModified
	out.LastModified = &t
	return out
}

// conditional applies the conditional headers as S3 does
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "If-Match"…):
// If-Match false → 412; If-None-Match true → 304; If-Unmodified-Since
// false → 412 (unless If-Match holds); If-Modified-Since false → 304
// (unless If-None-Match is given and false).
func conditional(info objectstore.Info, ifMatch, ifNoneMatch *string, ifModifiedSince, ifUnmodifiedSince *time.Time) (int, error) {
	failed := func() (int, error) {
		return 412, s3err("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold").
			WithMembers(map[string]any{"Condition": "If-Match"})
	}
	lm := info.LastModified.Truncate(time.Second)
	if ifMatch != nil {
		if !etagMatches(*ifMatch, info.ETag) {
			return failed()
		}
	} else if ifUnmodifiedSince != nil && lm.After(*ifUnmodifiedSince) {
		return failed()
	}
	if ifNoneMatch != nil {
		if etagMatches(*ifNoneMatch, info.ETag) {
			return 304, nil
		}
	} else if ifModifiedSince != nil && !lm.After(*ifModifiedSince) {
		return 304, nil
	}
	return 0, nil
}

func etagMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "*" || strings.Trim(e, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

func (s *Service) deleteObject(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteObjectRequest) (*s3api.DeleteObjectOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	res, err := s.deleteVersion(ctx, in.Bucket, in.Key, version, r.Header)
	if err != nil {
		return nil, err
	}
	out := &s3api.DeleteObjectOutput{VersionId: versionOut(res.VersionID)}
	if res.DeleteMarker {
		out.DeleteMarker = boolp(true)
	}
	return out, nil
}

// bodyOf is a request's body, or an empty one.
func bodyOf(r io.Reader) io.Reader {
	if r == nil {
		return strings.NewReader("")
	}
	return r
}

// contentRange is a Content-Range header value.
func contentRange(start, n, size int64) string {
	return "bytes " + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(start+n-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// missing is the answer to a read of a key that does not exist: NoSuchKey
// for a caller that may list the bucket, else AccessDenied, so that a
// caller learns nothing of what it may not list (API_GetObject,
// "Permissions": "If you don't have the s3:ListBucket permission, Amazon
// S3 returns an HTTP status code 403 Access Denied error").
func (s *Service) missing(ctx context.Context, c *identity.Caller, r *Request, err error) error {
	if ae, ok := asAWS(err); !ok || ae.Code != "NoSuchKey" {
		return err
	}
	list := &Request{Operation: "ListObjectsV2", Bucket: r.Bucket, Header: r.Header, Query: map[string][]string{"list-type": {"2"}}}
	if _, aerr := s.authorize(ctx, c, list); aerr != nil {
		return errAccessDenied()
	}
	return err
}

// maxUserMetadata is the limit of user-defined metadata: "the sum of the
// number of bytes in the UTF-8 encoding of each key and value" at most 2 KB
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
const maxUserMetadata = 2 << 10

func checkUserMetadata(m map[string]string) error {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	if n > maxUserMetadata {
		return s3err("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size.").
			WithMembers(map[string]any{"Size": n, "MaxSizeAllowed": maxUserMetadata})
	}
	return nil
}

// needLength refuses an upload whose length the request does not state
// (no Content-Length, not aws-chunked with x-amz-decoded-content-length):
// 411 MissingContentLength.
func needLength(h map[string][]string) error {
	if headerValue(h, "Content-Length") != "" || headerValue(h, "X-Amz-Decoded-Content-Length") != "" {
		return nil
	}
	return s3err("MissingContentLength", 411, "You must provide the Content-Length HTTP header.")
}
