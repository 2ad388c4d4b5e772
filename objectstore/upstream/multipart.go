package upstream

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
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
	if err := b.knownBucket(ctx, "CreateMultipartUpload", bucket); err != nil {
		return "", err
	}
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

// UploadPart streams a part upstream; its checksum, cs or the one the body
// knows once read, is recorded in the uploads bucket.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, r io.Reader, cs objectstore.Checksum) (objectstore.PartInfo, error) {
	if partNumber < 1 || partNumber > objectstore.MaxPartNumber {
		return objectstore.PartInfo{}, wrap("UploadPart", bucket, key, objectstore.ErrInvalidPartNumber, nil)
	}
	body := newBody(r, b.overTLS(), b.delegates(ctx, r))
	out, err := b.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b.name(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
		PartNumber: aws.Int32(int32(partNumber)), Body: body, ContentLength: body.length()}, body.signing())
	var upETag *string
	if err == nil {
		upETag = out.ETag
	}
	n, etag, err := b.sent("UploadPart", bucket, key, body, err, upETag)
	if err != nil {
		return objectstore.PartInfo{}, err
	}
	cs = objectstore.BodyChecksum(r, cs)
	if err := b.putPartRecord(ctx, bucket, uploadID, partNumber, etag, cs); err != nil {
		return objectstore.PartInfo{}, err
	}
	return objectstore.PartInfo{PartNumber: partNumber, ETag: etag, Size: n, LastModified: time.Now().UTC().Truncate(time.Second), Checksum: cs}, nil
}

func quote(etag string) string {
	if strings.HasPrefix(etag, `"`) {
		return etag
	}
	return `"` + etag + `"`
}

// uploadedParts lists all of an upload's parts upstream, with their
// recorded checksums, by number: more than one for a number uploaded
// again on an upstream that keeps every upload of a number (SeaweedFS),
// where S3 keeps the last.
func (b *Backend) uploadedParts(ctx context.Context, bucket, key, uploadID string) (map[int][]objectstore.PartInfo, error) {
	have := map[int][]objectstore.PartInfo{}
	marker := 0
	for {
		res, err := b.listParts(ctx, bucket, key, uploadID, objectstore.PartListOptions{PartNumberMarker: marker}, nil)
		if err != nil {
			return nil, err
		}
		for _, p := range res.Parts {
			have[p.PartNumber] = append(have[p.PartNumber], p)
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			break
		}
		marker = res.NextPartNumberMarker
	}
	recs, err := b.partRecords(ctx, bucket, uploadID)
	if err != nil {
		return nil, err
	}
	for n, ps := range have {
		for i := range ps {
			ps[i].Checksum = recs[n][bareETag(ps[i].ETag)]
		}
	}
	return have, nil
}

// uploadedAs is the part of have numbered n with the ETag etag, if any.
func uploadedAs(have map[int][]objectstore.PartInfo, n int, etag string) (objectstore.PartInfo, bool) {
	for _, p := range have[n] {
		if bareETag(p.ETag) == bareETag(etag) {
			return p, true
		}
	}
	return objectstore.PartInfo{}, false
}

// CompleteMultipartUpload checks the list against the parts uploaded
// itself (every upstream then agrees, and the hooks see the parts), runs
// opt's hooks, records the object's parts in the uploads bucket, completes
// upstream (conditionally, with opt.Cond: see conditions.go) and heads the
// object for its Info.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []objectstore.CompletedPart, o objectstore.CompleteOptions) (objectstore.Info, error) {
	const op = "CompleteMultipartUpload"
	have, err := b.uploadedParts(ctx, bucket, key, uploadID)
	if err != nil {
		return objectstore.Info{}, err
	}
	if len(parts) == 0 {
		return objectstore.Info{}, wrap(op, bucket, key, objectstore.ErrInvalidPart, nil)
	}
	for i, p := range parts {
		if i > 0 && p.PartNumber <= parts[i-1].PartNumber {
			return objectstore.Info{}, wrap(op, bucket, key,
				&objectstore.PartError{Err: objectstore.ErrInvalidPartOrder, PartNumber: p.PartNumber, ETag: p.ETag}, nil)
		}
	}
	var (
		cps    []types.CompletedPart
		listed []objectstore.PartInfo
		rec    objectRecord
		sums   = md5.New()
	)
	for i, p := range parts {
		up, ok := uploadedAs(have, p.PartNumber, p.ETag)
		if !ok || p.Checksum != "" && p.Checksum != up.Checksum.Value {
			return objectstore.Info{}, wrap(op, bucket, key,
				&objectstore.PartError{Err: objectstore.ErrInvalidPart, PartNumber: p.PartNumber, ETag: p.ETag}, nil)
		}
		if i < len(parts)-1 && up.Size < objectstore.MinPartSize {
			return objectstore.Info{}, wrap(op, bucket, key,
				&objectstore.PartError{Err: objectstore.ErrEntityTooSmall, PartNumber: p.PartNumber, ETag: p.ETag}, nil)
		}
		sum, err := hex.DecodeString(bareETag(up.ETag))
		if err != nil {
			return objectstore.Info{}, wrap(op, bucket, key, nil, fmt.Errorf("part %d has ETag %s, not an MD5", p.PartNumber, up.ETag))
		}
		sums.Write(sum)
		cps = append(cps, types.CompletedPart{PartNumber: aws.Int32(int32(p.PartNumber)), ETag: aws.String(quote(up.ETag))})
		listed = append(listed, up)
		rec.Parts = append(rec.Parts, objectstore.ObjectPart{PartNumber: p.PartNumber, Size: up.Size, Checksum: up.Checksum})
	}
	etag := `"` + hex.EncodeToString(sums.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
	g, err := b.checkCond(ctx, bucket, key, o.Cond)
	if err != nil {
		return objectstore.Info{}, err
	}
	if o.Checksum != nil {
		cs, err := o.Checksum(listed)
		if err != nil {
			return objectstore.Info{}, err
		}
		rec.Checksum = &cs
	}
	if err := b.putObjectRecord(ctx, bucket, key, etag, rec); err != nil {
		return objectstore.Info{}, err
	}
	out, err := b.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b.name(bucket), Key: aws.String(key),
		UploadId: aws.String(uploadID), MultipartUpload: &types.CompletedMultipartUpload{Parts: cps},
		IfMatch: g.ifMatch, IfNoneMatch: g.ifNoneMatch})
	if err != nil {
		if o.Cond != nil && refused(err) {
			return objectstore.Info{}, b.lostRace(ctx, op, bucket, key, o.Cond, err)
		}
		return objectstore.Info{}, b.mapErr(op, bucket, key, err, errCtx{})
	}
	b.dropUploadRecords(ctx, bucket, uploadID)
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
	b.dropUploadRecords(ctx, bucket, uploadID)
	return nil
}

// ListParts lists an upload's parts upstream, with their checksums and
// the upload's Meta from the uploads bucket.
func (b *Backend) ListParts(ctx context.Context, bucket, key, uploadID string, o objectstore.PartListOptions) (objectstore.PartListResult, error) {
	recs, err := b.partRecords(ctx, bucket, uploadID)
	if err != nil {
		return objectstore.PartListResult{}, err
	}
	res, err := b.listParts(ctx, bucket, key, uploadID, o, recs)
	if err != nil {
		return objectstore.PartListResult{}, err
	}
	res.Parts = latestParts(res.Parts)
	if res.Upload.Meta, err = b.uploadMeta(ctx, bucket, uploadID); err != nil {
		return objectstore.PartListResult{}, err
	}
	return res, nil
}

// latestParts keeps one part of each number, of parts listed by number:
// an upstream that keeps every upload of a number uploaded again
// (SeaweedFS) lists them all, where S3 lists the last only
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html:
// "If you upload a new part using the same part number as a previously
// uploaded part, the previously uploaded part is overwritten"). The latest
// is the one with the latest LastModified, which has whole seconds only: of
// two uploads within one second it may be either (SeaweedFS lists them in
// no order of time). CompleteMultipartUpload is not affected: it takes
// the upload whose ETag the caller lists.
func latestParts(parts []objectstore.PartInfo) []objectstore.PartInfo {
	out := parts[:0]
	for _, p := range parts {
		if n := len(out); n > 0 && out[n-1].PartNumber == p.PartNumber {
			if !p.LastModified.Before(out[n-1].LastModified) {
				out[n-1] = p
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// listParts is one page of ListParts upstream, with the checksums recs
// has.
func (b *Backend) listParts(ctx context.Context, bucket, key, uploadID string, o objectstore.PartListOptions, recs map[int]map[string]objectstore.Checksum) (objectstore.PartListResult, error) {
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
		pi.Checksum = recs[pi.PartNumber][bareETag(pi.ETag)]
		res.Parts = append(res.Parts, pi)
	}
	if res.IsTruncated {
		res.NextPartNumberMarker, _ = strconv.Atoi(aws.ToString(out.NextPartNumberMarker))
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
	res.Uploads = slices.DeleteFunc(res.Uploads, func(u objectstore.Upload) bool { return !strings.HasPrefix(u.Key, o.Prefix) })
	res.CommonPrefixes = outside(res.CommonPrefixes, o.Prefix)
	if err := b.fillUploads(ctx, bucket, res.Uploads); err != nil {
		return objectstore.UploadListResult{}, err
	}
	return res, nil
}
