package upstream

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// Besides an upload's Meta, the uploads bucket keeps what S3 has no field
// for on parts and multipart objects:
//
//   - a part's additional checksum (known only once its body is read, and
//     not always of the upload's algorithm upstream, if it has one), as an
//     empty object whose name says it all, so one listing returns an
//     upload's checksums: <bucket>/<uploadID>/p/<number>/<md5>/<algorithm>/<type>/<value>.
//     A record counts only while the part's ETag upstream is <md5>, so a
//     part uploaded again without a checksum drops it. No segment of the
//     name is empty or holds a '/' (an upstream keeping objects as files,
//     as SeaweedFS does, folds "//" into one): <type> "" is written "-",
//     and <value>, base64, with '+' and '/' as '-' and '_' (base64url;
//     records written before, with the standard alphabet, read alike).
//   - a completed multipart object's parts (numbers as uploaded, sizes,
//     checksums) and its checksum as CompleteOptions.Checksum computed it,
//     as JSON named <bucket>/o/<SHA-256 of the key>/<ETag>: written before
//     the completion and read by GetObject and HeadObject of a multipart
//     object. It is not deleted with the object (S3 has no hook for that),
//     so each multipart object ever completed leaves one behind.

// partPrefix is where an upload's part records are named.
func (b *Backend) partPrefix(bucket, uploadID string) string {
	return b.prefix + bucket + "/" + uploadID + "/p/"
}

func bareETag(etag string) string { return strings.ToLower(strings.Trim(etag, `"`)) }

// putPartRecord records part n's checksum.
func (b *Backend) putPartRecord(ctx context.Context, bucket, uploadID string, n int, etag string, cs objectstore.Checksum) error {
	if b.uploads == "" || cs.Value == "" {
		return nil
	}
	if err := b.ensureUploads(ctx); err != nil {
		return err
	}
	name := fmt.Sprintf("%s%05d/%s/%s/%s/%s", b.partPrefix(bucket, uploadID), n, bareETag(etag), cs.Algorithm,
		recordSegment(cs.Type), recordValue.Replace(cs.Value))
	_, err := b.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.uploads), Key: aws.String(name), Body: bytes.NewReader(nil)}, unsigned)
	return b.mapErr("UploadPart", bucket, "", err, errCtx{})
}

// partRecords lists an upload's part checksums by number and ETag.
func (b *Backend) partRecords(ctx context.Context, bucket, uploadID string) (map[int]map[string]objectstore.Checksum, error) {
	recs := map[int]map[string]objectstore.Checksum{}
	if b.uploads == "" {
		return recs, nil
	}
	prefix := b.partPrefix(bucket, uploadID)
	err := b.eachRecord(ctx, prefix, func(name string) {
		f := strings.SplitN(strings.TrimPrefix(name, prefix), "/", 5)
		if len(f) != 5 {
			return
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			return
		}
		if recs[n] == nil {
			recs[n] = map[string]objectstore.Checksum{}
		}
		typ := f[3]
		if typ == "-" {
			typ = ""
		}
		recs[n][f[1]] = objectstore.Checksum{Algorithm: f[2], Type: typ, Value: recordValueBack.Replace(f[4])}
	})
	return recs, err
}

// recordSegment is s as a segment of a record's name: "-" when empty.
func recordSegment(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// recordValue writes a base64 checksum value without '/' (base64url), and
// recordValueBack reads it, or a value written in the standard alphabet.
var (
	recordValue     = strings.NewReplacer("+", "-", "/", "_")
	recordValueBack = strings.NewReplacer("-", "+", "_", "/")
)

// eachRecord calls fn with the name of every record under prefix.
func (b *Backend) eachRecord(ctx context.Context, prefix string, fn func(name string)) error {
	p := s3.NewListObjectsV2Paginator(b.c, &s3.ListObjectsV2Input{Bucket: aws.String(b.uploads), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			if errors.Is(b.mapErr("", "", "", err, errCtx{}), objectstore.ErrNoSuchBucket) {
				return nil // no record kept yet
			}
			return wrap("ListParts", "", "", nil, fmt.Errorf("listing the records %s: %w", prefix, err))
		}
		for _, o := range out.Contents {
			fn(aws.ToString(o.Key))
		}
	}
	return nil
}

// dropUploadRecords forgets an upload's Meta and part checksums; a failure
// leaves a few bytes behind, never an error.
func (b *Backend) dropUploadRecords(ctx context.Context, bucket, uploadID string) {
	if b.uploads == "" {
		return
	}
	b.deleteUploadMeta(ctx, bucket, uploadID)
	var ids []types.ObjectIdentifier
	_ = b.eachRecord(ctx, b.partPrefix(bucket, uploadID), func(name string) {
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(name)})
	})
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		_, _ = b.c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b.uploads),
			Delete: &types.Delete{Objects: ids[:n], Quiet: aws.Bool(true)}})
		ids = ids[n:]
	}
}

// objectRecord is what the uploads bucket keeps of a multipart object.
type objectRecord struct {
	Parts []objectstore.ObjectPart
	// Checksum is the object's checksum when CompleteOptions.Checksum gave
	// it; nil keeps the upload's.
	Checksum *objectstore.Checksum `json:",omitempty"`
}

func (b *Backend) objectRecordName(bucket, key, etag string) *string {
	sum := sha256.Sum256([]byte(key))
	return aws.String(b.prefix + bucket + "/o/" + hex.EncodeToString(sum[:]) + "/" + bareETag(etag))
}

func (b *Backend) putObjectRecord(ctx context.Context, bucket, key, etag string, rec objectRecord) error {
	if b.uploads == "" {
		return nil
	}
	if err := b.ensureUploads(ctx); err != nil {
		return err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = b.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.uploads), Key: b.objectRecordName(bucket, key, etag),
		Body: bytes.NewReader(data), ContentType: aws.String("application/json")}, unsigned)
	return b.mapErr("CompleteMultipartUpload", bucket, key, err, errCtx{})
}

// fillParts completes the Info of a multipart object from its record:
// its parts and, when the completion computed one, its checksum. An
// object without a record keeps PartsCount only.
func (b *Backend) fillParts(ctx context.Context, info *objectstore.Info) error {
	if b.uploads == "" || info.PartsCount == 0 || info.IsDeleteMarker {
		return nil
	}
	out, err := b.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.uploads), Key: b.objectRecordName(info.Bucket, info.Key, info.ETag)})
	if err != nil {
		err = b.mapErr("HeadObject", info.Bucket, info.Key, err, errCtx{})
		if errors.Is(err, objectstore.ErrNoSuchKey) || errors.Is(err, objectstore.ErrNoSuchBucket) {
			return nil
		}
		return err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 4<<20))
	if err != nil {
		return wrap("HeadObject", info.Bucket, info.Key, nil, err)
	}
	var rec objectRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return wrap("HeadObject", info.Bucket, info.Key, nil, fmt.Errorf("the record of the object's parts: %w", err))
	}
	if len(rec.Parts) != info.PartsCount {
		return nil
	}
	info.Parts = rec.Parts
	if rec.Checksum != nil {
		info.Meta.Checksum = *rec.Checksum
	}
	return nil
}
