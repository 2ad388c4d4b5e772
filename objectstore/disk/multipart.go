package disk

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

var uploadInfo = []byte("i")

// uploadRecord is an upload's "i" entry.
type uploadRecord struct {
	Initiated time.Time        `json:"t"`
	Meta      objectstore.Meta `json:"m,omitzero"`
}

// partRecord is an upload's p<number> entry.
type partRecord struct {
	ETag         string    `json:"e"`
	LastModified time.Time `json:"t"`
	Blob         blob      `json:"b"`
}

func (p partRecord) info(n int) objectstore.PartInfo {
	return objectstore.PartInfo{PartNumber: n, ETag: p.ETag, Size: p.Blob.Size, LastModified: p.LastModified, Checksum: p.Blob.Checksum}
}

func partKey(n int) []byte {
	return binary.BigEndian.AppendUint32([]byte("p"), uint32(n))
}

// uploadOf returns the upload's bbolt bucket and record, or ErrNoSuchUpload.
func uploadOf(tx *bolt.Tx, bucket, key, uploadID string) (*bolt.Bucket, *bolt.Bucket, uploadRecord, error) {
	bk, err := bucketOf(tx, bucket)
	if err != nil {
		return nil, nil, uploadRecord{}, err
	}
	var u uploadRecord
	kb := bk.Bucket(upBucket).Bucket([]byte(key))
	if kb == nil {
		return nil, nil, u, objectstore.ErrNoSuchUpload
	}
	ub := kb.Bucket([]byte(uploadID))
	if ub == nil {
		return nil, nil, u, objectstore.ErrNoSuchUpload
	}
	if err := decode(ub.Get(uploadInfo), &u); err != nil {
		return nil, nil, u, err
	}
	return bk, ub, u, nil
}

// dropUpload deletes the upload's bbolt bucket, and its key's when empty.
func dropUpload(bk *bolt.Bucket, key, uploadID string) error {
	kb := bk.Bucket(upBucket).Bucket([]byte(key))
	if err := kb.DeleteBucket([]byte(uploadID)); err != nil {
		return err
	}
	if k, _ := kb.Cursor().First(); k == nil {
		return bk.Bucket(upBucket).DeleteBucket([]byte(key))
	}
	return nil
}

// partsOf returns the upload's part records by number.
func partsOf(ub *bolt.Bucket) (map[int]partRecord, error) {
	parts := map[int]partRecord{}
	c := ub.Cursor()
	for k, v := c.Seek([]byte("p")); k != nil && k[0] == 'p'; k, v = c.Next() {
		var p partRecord
		if err := decode(v, &p); err != nil {
			return nil, err
		}
		parts[int(binary.BigEndian.Uint32(k[1:]))] = p
	}
	return parts, nil
}

// CreateMultipartUpload implements objectstore.Backend. The upload id is the
// bucket's sequence (16 hex digits, so a key's uploads sort by initiation)
// and 16 random bytes in hex.
func (b *Backend) CreateMultipartUpload(ctx context.Context, bucket, key string, meta objectstore.Meta) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var id string
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		seq, err := bk.NextSequence()
		if err != nil {
			return err
		}
		r, err := b.newID(16)
		if err != nil {
			return err
		}
		id = fmt.Sprintf("%016x%s", seq, r)
		kb, err := bk.Bucket(upBucket).CreateBucketIfNotExists([]byte(key))
		if err != nil {
			return err
		}
		ub, err := kb.CreateBucket([]byte(id))
		if err != nil {
			return err
		}
		return putJSON(ub, uploadInfo, uploadRecord{Initiated: b.stamp(), Meta: meta.Clone()})
	})
	if err != nil {
		return "", fmt.Errorf("disk: create multipart upload of %s/%s: %w", bucket, key, err)
	}
	return id, nil
}

// UploadPart implements objectstore.Backend. The upload is checked before
// the body is read, and again when the part is committed (it may have been
// completed or aborted meanwhile).
func (b *Backend) UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader, cs objectstore.Checksum) (objectstore.PartInfo, error) {
	wrap := func(err error) error {
		return fmt.Errorf("disk: upload part %d of %s/%s: %w", partNumber, bucket, key, err)
	}
	if partNumber < 1 || partNumber > objectstore.MaxPartNumber {
		return objectstore.PartInfo{}, wrap(objectstore.ErrInvalidPartNumber)
	}
	if err := ctx.Err(); err != nil {
		return objectstore.PartInfo{}, wrap(err)
	}
	if err := b.db.View(func(tx *bolt.Tx) error {
		_, _, _, err := uploadOf(tx, bucket, key, uploadID)
		return err
	}); err != nil {
		return objectstore.PartInfo{}, wrap(err)
	}
	bl, sum, err := b.writeBlob(ctx, body)
	if err != nil {
		return objectstore.PartInfo{}, wrap(err)
	}
	bl.Checksum = objectstore.BodyChecksum(body, cs)
	p := partRecord{ETag: `"` + hex.EncodeToString(sum) + `"`, LastModified: b.stamp(), Blob: bl}
	var removed []blob
	err = ctx.Err()
	if err == nil {
		err = b.db.Update(func(tx *bolt.Tx) error {
			_, ub, _, err := uploadOf(tx, bucket, key, uploadID)
			if err != nil {
				return err
			}
			if old := ub.Get(partKey(partNumber)); old != nil {
				var op partRecord
				if err := decode(old, &op); err != nil {
					return err
				}
				removed = append(removed, op.Blob)
			}
			return putJSON(ub, partKey(partNumber), p)
		})
	}
	if err != nil {
		b.removeBlobs([]blob{bl})
		return objectstore.PartInfo{}, wrap(err)
	}
	b.removeBlobs(removed)
	return p.info(partNumber), nil
}

// CompleteMultipartUpload implements objectstore.Backend. The checks run in
// the order MinIO and S3 apply them: the list's order first, then part by
// part whether it was uploaded with that ETag and, but for the last, its
// size.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []objectstore.CompletedPart, opt objectstore.CompleteOptions) (objectstore.Info, error) {
	wrap := func(err error) error {
		return fmt.Errorf("disk: complete multipart upload of %s/%s: %w", bucket, key, err)
	}
	if err := ctx.Err(); err != nil {
		return objectstore.Info{}, wrap(err)
	}
	var (
		info    objectstore.Info
		removed []blob
	)
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk, ub, u, err := uploadOf(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		if len(parts) == 0 {
			return objectstore.ErrInvalidPart
		}
		for i := 1; i < len(parts); i++ {
			if parts[i].PartNumber <= parts[i-1].PartNumber {
				return &objectstore.PartError{Err: objectstore.ErrInvalidPartOrder, PartNumber: parts[i].PartNumber, ETag: parts[i].ETag}
			}
		}
		have, err := partsOf(ub)
		if err != nil {
			return err
		}
		h := md5.New()
		var listed []objectstore.PartInfo
		rec := record{Meta: u.Meta, LastModified: b.stamp(), PartsCount: len(parts)}
		for i, cp := range parts {
			p, ok := have[cp.PartNumber]
			if !ok || strings.Trim(cp.ETag, `"`) != strings.Trim(p.ETag, `"`) || cp.Checksum != "" && cp.Checksum != p.Blob.Checksum.Value {
				return &objectstore.PartError{Err: objectstore.ErrInvalidPart, PartNumber: cp.PartNumber, ETag: cp.ETag}
			}
			if i < len(parts)-1 && p.Blob.Size < objectstore.MinPartSize {
				return &objectstore.PartError{Err: objectstore.ErrEntityTooSmall, PartNumber: cp.PartNumber, ETag: cp.ETag}
			}
			sum, err := hex.DecodeString(strings.Trim(p.ETag, `"`))
			if err != nil {
				return fmt.Errorf("corrupt part ETag %s: %w", p.ETag, err)
			}
			h.Write(sum)
			rec.Size += p.Blob.Size
			bl := p.Blob
			bl.Part = cp.PartNumber
			rec.Blobs = append(rec.Blobs, bl)
			listed = append(listed, p.info(cp.PartNumber))
			delete(have, cp.PartNumber)
		}
		rec.ETag = `"` + hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
		if err := check(bk, bucket, key, opt.Cond); err != nil {
			return err
		}
		if opt.Checksum != nil {
			cs, err := opt.Checksum(listed)
			if err != nil {
				return &condError{err}
			}
			rec.Meta.Checksum = cs
		}
		for _, p := range have {
			removed = append(removed, p.Blob)
		}
		if err := dropUpload(bk, key, uploadID); err != nil {
			return err
		}
		var replaced []blob
		info, replaced, err = b.addVersion(bk, bucket, key, rec)
		removed = append(removed, replaced...)
		return err
	})
	if err != nil {
		return objectstore.Info{}, wrapUnlessCond(err, "disk: complete multipart upload of %s/%s", bucket, key)
	}
	b.removeBlobs(removed)
	return info, nil
}

// AbortMultipartUpload implements objectstore.Backend.
func (b *Backend) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var removed []blob
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk, ub, _, err := uploadOf(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		have, err := partsOf(ub)
		if err != nil {
			return err
		}
		for _, p := range have {
			removed = append(removed, p.Blob)
		}
		return dropUpload(bk, key, uploadID)
	})
	if err != nil {
		return fmt.Errorf("disk: abort multipart upload of %s/%s: %w", bucket, key, err)
	}
	b.removeBlobs(removed)
	return nil
}

// ListParts implements objectstore.Backend.
func (b *Backend) ListParts(ctx context.Context, bucket, key, uploadID string, opt objectstore.PartListOptions) (objectstore.PartListResult, error) {
	if err := ctx.Err(); err != nil {
		return objectstore.PartListResult{}, err
	}
	limit := objectstore.Limit(opt.MaxParts)
	var res objectstore.PartListResult
	err := b.db.View(func(tx *bolt.Tx) error {
		_, ub, u, err := uploadOf(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		res.Upload = objectstore.Upload{Key: key, UploadID: uploadID, Initiated: u.Initiated, Meta: u.Meta.Clone()}
		c := ub.Cursor()
		for k, v := c.Seek(partKey(opt.PartNumberMarker + 1)); k != nil && k[0] == 'p'; k, v = c.Next() {
			if len(res.Parts) == limit {
				res.IsTruncated = true
				break
			}
			var p partRecord
			if err := decode(v, &p); err != nil {
				return err
			}
			n := int(binary.BigEndian.Uint32(k[1:]))
			res.Parts = append(res.Parts, p.info(n))
			res.NextPartNumberMarker = n
		}
		return nil
	})
	if err != nil {
		return objectstore.PartListResult{}, fmt.Errorf("disk: list parts of %s/%s: %w", bucket, key, err)
	}
	return res, nil
}

// ListUploads implements objectstore.Backend.
func (b *Backend) ListUploads(ctx context.Context, bucket string, opt objectstore.UploadListOptions) (objectstore.UploadListResult, error) {
	if err := ctx.Err(); err != nil {
		return objectstore.UploadListResult{}, err
	}
	limit := objectstore.Limit(opt.MaxUploads)
	var res objectstore.UploadListResult
	err := b.db.View(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		up := bk.Bucket(upBucket)
		n := 0
		incl := opt.UploadIDMarker != "" && opt.KeyMarker != ""
		walkKeys(up.Cursor(), opt.Prefix, opt.Delimiter, opt.KeyMarker, incl, func(k, _ []byte, cp string) bool {
			if cp != "" {
				if n == limit {
					res.IsTruncated = true
					return false
				}
				n++
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextKeyMarker, res.NextUploadIDMarker = cp, ""
				return true
			}
			key := string(k)
			kb := up.Bucket(k)
			c := kb.Cursor()
			var uk []byte
			if incl && key == opt.KeyMarker {
				uk, _ = c.Seek([]byte(opt.UploadIDMarker))
				if uk != nil && string(uk) == opt.UploadIDMarker {
					uk, _ = c.Next()
				}
			} else {
				uk, _ = c.First()
			}
			for ; uk != nil; uk, _ = c.Next() {
				if n == limit {
					res.IsTruncated = true
					return false
				}
				var u uploadRecord
				if err = decode(kb.Bucket(uk).Get(uploadInfo), &u); err != nil {
					return false
				}
				n++
				res.Uploads = append(res.Uploads, objectstore.Upload{Key: key, UploadID: string(uk), Initiated: u.Initiated, Meta: u.Meta.Clone()})
				res.NextKeyMarker, res.NextUploadIDMarker = key, string(uk)
			}
			return true
		})
		return err
	})
	if err != nil {
		return objectstore.UploadListResult{}, fmt.Errorf("disk: list multipart uploads of %s: %w", bucket, err)
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = "", ""
	}
	return res, nil
}
