package s3

import (
	"context"
	"io"
	"strconv"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/store"
)

func (s *Service) createMultipartUpload(ctx context.Context, c *identity.Caller, r *Request, in *s3api.CreateMultipartUploadRequest) (*s3api.CreateMultipartUploadOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if !validKeyLength(in.Key) {
		return nil, s3err("KeyTooLongError", 400, "Your key is too long")
	}
	if err := checkUserMetadata(in.Metadata); err != nil {
		return nil, err
	}
	owned, err := s.writeObject(ctx, c, b, r.Header)
	if err != nil {
		return nil, err
	}
	meta := objectMeta(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl,
		in.Expires, in.WebsiteRedirectLocation, in.Metadata, enumString(in.StorageClass), enumString(in.ServerSideEncryption))
	if in.Tagging != nil && *in.Tagging != "" {
		if meta.Tags, err = parseTaggingHeader(*in.Tagging); err != nil {
			return nil, err
		}
	}
	meta.ACL, meta.Owner = owned.ACL, owned.Owner
	if meta.Lock, err = s.newVersionLock(b, r.Header, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus, false); err != nil {
		return nil, err
	}
	if in.ChecksumAlgorithm != nil {
		meta.Checksum = objectstore.Checksum{Algorithm: string(*in.ChecksumAlgorithm), Type: "COMPOSITE"}
	}
	id, err := s.backend.CreateMultipartUpload(ctx, in.Bucket, in.Key, meta)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, "")
	}
	return &s3api.CreateMultipartUploadOutput{Bucket: str(in.Bucket), Key: str(in.Key), UploadId: str(id), ChecksumAlgorithm: in.ChecksumAlgorithm}, nil
}

func (s *Service) uploadPart(ctx context.Context, c *identity.Caller, r *Request, in *s3api.UploadPartRequest) (*s3api.UploadPartOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if in.PartNumber < 1 || in.PartNumber > objectstore.MaxPartNumber {
		return nil, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
			strconv.Itoa(int(in.PartNumber)))
	}
	if err := needLength(r.Header); err != nil {
		return nil, err
	}
	if err := s.partLockChecksum(ctx, b, in, r.Header); err != nil {
		return nil, err
	}
	alg, declared := requestChecksum(in.ChecksumAlgorithm, in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumSHA1, in.ChecksumSHA256)
	body, err := newChecksumReader(bodyOf(in.Body), alg, declared, deref(in.ContentMD5))
	if err != nil {
		return nil, err
	}
	part, err := s.backend.UploadPart(ctx, in.Bucket, in.Key, in.UploadId, int(in.PartNumber), body, objectstore.Checksum{})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, in.UploadId)
	}
	out := &s3api.UploadPartOutput{ETag: str(part.ETag)}
	setChecksumOut(part.Checksum, &out.ChecksumCRC32, &out.ChecksumCRC32C, &out.ChecksumSHA1, &out.ChecksumSHA256)
	return out, nil
}

// partLockChecksum refuses a part without a checksum of its body
// (Content-MD5 or an x-amz-checksum-* header or trailer) for an object
// that will carry Object Lock parameters: the upload's own (its
// x-amz-object-lock-* headers, or the bucket's default retention when it
// was created) or the bucket's default retention now. API_UploadPart:
// "This header is required for any request to upload an object with a
// retention period configured using Amazon S3 Object Lock"; S3's answer
// is recorded in s3tools/s3cmd issue 1436 and
// confluentinc/kafka-connect-storage-cloud issue 710. A part with a
// checksum, and any part in a bucket without Object Lock, costs nothing
// more; otherwise the upload's metadata is read (ListParts). An upload
// that is not there is left for UploadPart to answer.
func (s *Service) partLockChecksum(ctx context.Context, b *store.Bucket, in *s3api.UploadPartRequest, h map[string][]string) error {
	if hasBodyChecksum(h) {
		return nil
	}
	enabled, def, err := s.bucketLock(b)
	if err != nil || !enabled {
		return err
	}
	if def == nil || def.Mode == nil {
		up, err := s.backend.ListParts(ctx, in.Bucket, in.Key, in.UploadId, objectstore.PartListOptions{MaxParts: 1})
		if err != nil || up.Upload.Meta.Lock == (objectstore.Lock{}) {
			return nil
		}
	}
	return errInvalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests with Object Lock parameters")
}

func (s *Service) completeMultipartUpload(ctx context.Context, c *identity.Caller, r *Request, in *s3api.CompleteMultipartUploadRequest) (*s3api.CompleteMultipartUploadOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if in.MultipartUpload == nil || len(in.MultipartUpload.Parts) == 0 {
		return nil, errMalformedXML()
	}
	parts := make([]objectstore.CompletedPart, 0, len(in.MultipartUpload.Parts))
	for _, p := range in.MultipartUpload.Parts {
		if p.PartNumber == nil || p.ETag == nil {
			return nil, errMalformedXML()
		}
		cp := objectstore.CompletedPart{PartNumber: int(*p.PartNumber), ETag: *p.ETag}
		for _, v := range []*string{p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumSHA1, p.ChecksumSHA256} {
			if v != nil {
				cp.Checksum = *v
			}
		}
		parts = append(parts, cp)
	}
	opt := objectstore.CompleteOptions{Cond: writeCondition(r.Header), Checksum: compositeChecksum}
	info, err := s.backend.CompleteMultipartUpload(ctx, in.Bucket, in.Key, in.UploadId, parts, opt)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, in.UploadId)
	}
	out := &s3api.CompleteMultipartUploadOutput{Location: str("/" + in.Bucket + "/" + in.Key), Bucket: str(in.Bucket), Key: str(in.Key),
		ETag: str(info.ETag), VersionId: versionOut(info.VersionID)}
	setChecksumOut(info.Meta.Checksum, &out.ChecksumCRC32, &out.ChecksumCRC32C, &out.ChecksumSHA1, &out.ChecksumSHA256)
	return out, nil
}

// compositeChecksum is a multipart object's checksum: the checksum of its
// parts' checksums, "-N" (checking-object-integrity.html, "Using part-level
// checksums for multipart uploads"); none when the parts carry none.
func compositeChecksum(parts []objectstore.PartInfo) (objectstore.Checksum, error) {
	if len(parts) == 0 || parts[0].Checksum.Algorithm == "" {
		return objectstore.Checksum{}, nil
	}
	alg := parts[0].Checksum.Algorithm
	if alg == "CRC64NVME" {
		return objectstore.CombineChecksum(alg, parts)
	}
	return objectstore.ComposeChecksum(alg, parts)
}

func (s *Service) abortMultipartUpload(ctx context.Context, c *identity.Caller, r *Request, in *s3api.AbortMultipartUploadRequest) (*s3api.AbortMultipartUploadOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if err := s.backend.AbortMultipartUpload(ctx, in.Bucket, in.Key, in.UploadId); err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, in.UploadId)
	}
	return &s3api.AbortMultipartUploadOutput{}, nil
}

func (s *Service) listParts(ctx context.Context, c *identity.Caller, r *Request, in *s3api.ListPartsRequest) (*s3api.ListPartsOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	maxParts := 1000
	if in.MaxParts != nil && *in.MaxParts >= 0 && *in.MaxParts < 1000 {
		maxParts = int(*in.MaxParts)
	}
	marker := 0
	if in.PartNumberMarker != nil {
		marker = int(*in.PartNumberMarker)
	}
	res, err := s.backend.ListParts(ctx, in.Bucket, in.Key, in.UploadId, objectstore.PartListOptions{PartNumberMarker: marker, MaxParts: maxParts})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, in.UploadId)
	}
	owner := s.ownerOf(ownerAccountOf(res.Upload.Meta.Owner, b.Account))
	sc := s3api.StorageClass("STANDARD")
	out := &s3api.ListPartsOutput{Bucket: str(in.Bucket), Key: str(in.Key), UploadId: str(in.UploadId), PartNumberMarker: i32(int32(marker)),
		MaxParts: i32(int32(maxParts)), IsTruncated: boolp(res.IsTruncated), Owner: owner,
		Initiator: &s3api.Initiator{ID: owner.ID}, StorageClass: &sc}
	for _, p := range res.Parts {
		size := p.Size
		part := s3api.Part{PartNumber: i32(int32(p.PartNumber)), LastModified: timep(p.LastModified), ETag: str(p.ETag), Size: &size}
		setChecksumOut(p.Checksum, &part.ChecksumCRC32, &part.ChecksumCRC32C, &part.ChecksumSHA1, &part.ChecksumSHA256)
		out.Parts = append(out.Parts, part)
	}
	if res.IsTruncated {
		out.NextPartNumberMarker = i32(int32(res.NextPartNumberMarker))
	}
	return out, nil
}

func (s *Service) listMultipartUploads(ctx context.Context, c *identity.Caller, r *Request, in *s3api.ListMultipartUploadsRequest) (*s3api.ListMultipartUploadsOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	n := objectstore.MaxKeys
	if in.MaxUploads != nil && *in.MaxUploads >= 0 && *in.MaxUploads < 1000 {
		n = int(*in.MaxUploads)
	}
	enc := wantsURL(in.EncodingType)
	res, err := s.backend.ListUploads(ctx, in.Bucket, objectstore.UploadListOptions{Prefix: deref(in.Prefix), Delimiter: deref(in.Delimiter),
		KeyMarker: deref(in.KeyMarker), UploadIDMarker: deref(in.UploadIdMarker), MaxUploads: n})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, "", "")
	}
	out := &s3api.ListMultipartUploadsOutput{Bucket: str(in.Bucket), KeyMarker: encodeKey(deref(in.KeyMarker), enc), UploadIdMarker: in.UploadIdMarker,
		Prefix: encodeKey(deref(in.Prefix), enc), Delimiter: encodeKey(deref(in.Delimiter), enc), MaxUploads: i32(int32(n)),
		IsTruncated: boolp(res.IsTruncated), EncodingType: in.EncodingType}
	for _, u := range res.Uploads {
		owner := s.ownerOf(ownerAccountOf(u.Meta.Owner, b.Account))
		sc := s3api.StorageClass("STANDARD")
		out.Uploads = append(out.Uploads, s3api.MultipartUpload{UploadId: str(u.UploadID), Key: encodeKey(u.Key, enc), Initiated: timep(u.Initiated),
			StorageClass: &sc, Owner: owner, Initiator: &s3api.Initiator{ID: owner.ID}})
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, s3api.CommonPrefix{Prefix: encodeKey(p, enc)})
	}
	if res.IsTruncated {
		out.NextKeyMarker = encodeKey(res.NextKeyMarker, enc)
		out.NextUploadIdMarker = str(res.NextUploadIDMarker)
	}
	return out, nil
}

// uploadPartCopy uploads a part from (a range of) an existing object: the
// source read through the backend and streamed into the part
// (API_UploadPartCopy). Object Lock asks it for no checksum: the request
// has no body to check (Content-MD5 is not among its parameters), as
// CopyObject's has none (newVersionLock).
func (s *Service) uploadPartCopy(ctx context.Context, c *identity.Caller, r *Request, in *s3api.UploadPartCopyRequest) (*s3api.UploadPartCopyOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if in.PartNumber < 1 || in.PartNumber > objectstore.MaxPartNumber {
		return nil, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
			strconv.Itoa(int(in.PartNumber)))
	}
	srcBucket, srcKey, srcVersion, err := access.ParseCopySource(in.CopySource)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(ctx, srcBucket); err != nil {
		return nil, err
	}
	src, err := s.backend.HeadObject(ctx, srcBucket, srcKey, srcVersion)
	if err != nil {
		return nil, s.objectError(err, srcBucket, srcKey, srcVersion)
	}
	if _, err := conditional(src, in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince); err != nil {
		return nil, err
	}
	var rng *objectstore.Range
	if in.CopySourceRange != nil {
		parsed, ok := objectstore.ParseRange(*in.CopySourceRange)
		if !ok {
			return nil, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
				"x-amz-copy-source-range", *in.CopySourceRange)
		}
		if _, _, err := parsed.Resolve(src.Size); err != nil {
			return nil, s3err("InvalidRange", 416, "The requested range is not satisfiable")
		}
		rng = &parsed
	}
	_, rc, err := s.backend.GetObject(ctx, srcBucket, srcKey, objectstore.GetOptions{VersionID: src.VersionID, Range: rng})
	if err != nil {
		return nil, s.objectError(err, srcBucket, srcKey, srcVersion)
	}
	defer rc.Close()
	n := src.Size
	if rng != nil {
		_, n, _ = rng.Resolve(src.Size)
	}
	part, err := s.backend.UploadPart(ctx, in.Bucket, in.Key, in.UploadId, int(in.PartNumber), sizedBody{rc, n}, objectstore.Checksum{})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, in.UploadId)
	}
	out := &s3api.UploadPartCopyOutput{CopyPartResult: &s3api.CopyPartResult{ETag: str(part.ETag), LastModified: timep(part.LastModified)}}
	if src.VersionID != "" {
		out.CopySourceVersionId = str(src.VersionID)
	}
	return out, nil
}

// sizedBody is a body that tells its length (Size), as request bodies do,
// so that a backend forwarding it can send its Content-Length.
type sizedBody struct {
	io.Reader
	size int64
}

// Size is the body's length.
func (b sizedBody) Size() int64 { return b.size }
