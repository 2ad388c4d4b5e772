package upstream

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// CreateMultipartUpload starts an upload upstream with meta as the
// object's.
func (b *Backend) CreateMultipartUpload(ctx context.Context, bucket, key string, meta objectstore.Meta) (string, error) {
	w := toWire(meta)
	out, err := b.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b.name(bucket), Key: aws.String(key),
		ContentType: w.contentType, ContentEncoding: w.contentEncoding, ContentDisposition: w.contentDisposition,
		ContentLanguage: w.contentLanguage, CacheControl: w.cacheControl, Expires: w.expires,
		WebsiteRedirectLocation: w.websiteRedirect, Metadata: w.metadata, Tagging: w.tagging, StorageClass: w.storageClass})
	if err != nil {
		return "", b.mapErr("CreateMultipartUpload", bucket, key, err, errCtx{})
	}
	id := aws.ToString(out.UploadId)
	if err := b.putUploadMeta(ctx, bucket, id, meta); err != nil {
		_, _ = b.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b.name(bucket), Key: aws.String(key), UploadId: aws.String(id)})
		return "", err
	}
	return id, nil
}

// UploadPart streams a part upstream.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, r io.Reader) (objectstore.PartInfo, error) {
	if partNumber < 1 || partNumber > objectstore.MaxPartNumber {
		return objectstore.PartInfo{}, wrap("UploadPart", bucket, key, objectstore.ErrInvalidPartNumber, nil)
	}
	body := newBody(r)
	out, err := b.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b.name(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
		PartNumber: aws.Int32(int32(partNumber)), Body: body, ContentLength: body.length()}, unsigned)
	var upETag *string
	if err == nil {
		upETag = out.ETag
	}
	n, etag, err := b.sent("UploadPart", bucket, key, body, err, upETag)
	if err != nil {
		return objectstore.PartInfo{}, err
	}
	return objectstore.PartInfo{PartNumber: partNumber, ETag: etag, Size: n, LastModified: time.Now().UTC().Truncate(time.Second)}, nil
}

func quote(etag string) string {
	if strings.HasPrefix(etag, `"`) {
		return etag
	}
	return `"` + etag + `"`
}

// CompleteMultipartUpload checks the list's form itself (every upstream
// then agrees), completes upstream and heads the object for its Info.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []objectstore.CompletedPart) (objectstore.Info, error) {
	if len(parts) == 0 {
		return objectstore.Info{}, wrap("CompleteMultipartUpload", bucket, key, objectstore.ErrInvalidPart, nil)
	}
	var cps []types.CompletedPart
	for i, p := range parts {
		if i > 0 && p.PartNumber <= parts[i-1].PartNumber {
			return objectstore.Info{}, wrap("CompleteMultipartUpload", bucket, key,
				&objectstore.PartError{Err: objectstore.ErrInvalidPartOrder, PartNumber: p.PartNumber, ETag: p.ETag}, nil)
		}
		cps = append(cps, types.CompletedPart{PartNumber: aws.Int32(int32(p.PartNumber)), ETag: aws.String(quote(p.ETag))})
	}
	out, err := b.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b.name(bucket), Key: aws.String(key),
		UploadId: aws.String(uploadID), MultipartUpload: &types.CompletedMultipartUpload{Parts: cps}})
	if err != nil {
		return objectstore.Info{}, b.mapErr("CompleteMultipartUpload", bucket, key, err, errCtx{})
	}
	b.deleteUploadMeta(ctx, bucket, uploadID)
	info, err := b.HeadObject(ctx, bucket, key, aws.ToString(out.VersionId))
	if err != nil {
		return objectstore.Info{}, err
	}
	info.IsLatest = true
	return info, nil
}

// AbortMultipartUpload aborts upstream.
func (b *Backend) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	_, err := b.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b.name(bucket), Key: aws.String(key), UploadId: aws.String(uploadID)})
	if err != nil {
		return b.mapErr("AbortMultipartUpload", bucket, key, err, errCtx{})
	}
	b.deleteUploadMeta(ctx, bucket, uploadID)
	return nil
}

// ListParts lists an upload's parts upstream, with the upload's Meta from
// the uploads bucket.
func (b *Backend) ListParts(ctx context.Context, bucket, key, uploadID string, o objectstore.PartListOptions) (objectstore.PartListResult, error) {
	in := &s3.ListPartsInput{Bucket: b.name(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
		MaxParts: aws.Int32(int32(objectstore.Limit(o.MaxParts)))}
	if o.PartNumberMarker > 0 {
		in.PartNumberMarker = aws.String(strconv.Itoa(o.PartNumberMarker))
	}
	out, err := b.c.ListParts(ctx, in)
	if err != nil {
		return objectstore.PartListResult{}, b.mapErr("ListParts", bucket, key, err, errCtx{})
	}
	res := objectstore.PartListResult{Upload: objectstore.Upload{Key: key, UploadID: uploadID}, IsTruncated: aws.ToBool(out.IsTruncated)}
	for _, p := range out.Parts {
		pi := objectstore.PartInfo{PartNumber: int(aws.ToInt32(p.PartNumber)), ETag: aws.ToString(p.ETag), Size: aws.ToInt64(p.Size)}
		if p.LastModified != nil {
			pi.LastModified = p.LastModified.UTC()
		}
		res.Parts = append(res.Parts, pi)
	}
	if res.IsTruncated {
		res.NextPartNumberMarker, _ = strconv.Atoi(aws.ToString(out.NextPartNumberMarker))
	}
	if res.Upload.Meta, err = b.uploadMeta(ctx, bucket, uploadID); err != nil {
		return objectstore.PartListResult{}, err
	}
	return res, nil
}

// ListUploads lists the uploads in progress upstream, with their Meta from
// the uploads bucket.
func (b *Backend) ListUploads(ctx context.Context, bucket string, o objectstore.UploadListOptions) (objectstore.UploadListResult, error) {
	out, err := b.c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b.name(bucket), Prefix: opt(o.Prefix),
		Delimiter: opt(o.Delimiter), KeyMarker: opt(o.KeyMarker), UploadIdMarker: opt(o.UploadIDMarker),
		MaxUploads: aws.Int32(int32(objectstore.Limit(o.MaxUploads))), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		return objectstore.UploadListResult{}, b.mapErr("ListUploads", bucket, "", err, errCtx{})
	}
	res := objectstore.UploadListResult{IsTruncated: aws.ToBool(out.IsTruncated), CommonPrefixes: unescapeAll(out.CommonPrefixes)}
	for _, u := range out.Uploads {
		up := objectstore.Upload{Key: unescape(aws.ToString(u.Key)), UploadID: aws.ToString(u.UploadId)}
		if u.Initiated != nil {
			up.Initiated = u.Initiated.UTC()
		}
		res.Uploads = append(res.Uploads, up)
	}
	if res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = unescape(aws.ToString(out.NextKeyMarker)), aws.ToString(out.NextUploadIdMarker)
	}
	if err := b.fillUploads(ctx, bucket, res.Uploads); err != nil {
		return objectstore.UploadListResult{}, err
	}
	return res, nil
}
