package disk

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// PutObject implements objectstore.Backend.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, body io.Reader, meta objectstore.Meta, cond objectstore.Precondition) (objectstore.Info, error) {
	// The bucket must exist and cond hold before the body is read, so a
	// refused write fails fast; both are checked again at the commit.
	if err := ctx.Err(); err != nil {
		return objectstore.Info{}, fmt.Errorf("disk: put %s/%s: %w", bucket, key, err)
	}
	err := b.db.View(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		return check(bk, bucket, key, cond)
	})
	if err != nil {
		return objectstore.Info{}, wrapUnlessCond(err, "disk: put %s/%s", bucket, key)
	}
	bl, sum, err := b.writeBlob(ctx, body)
	if err != nil {
		return objectstore.Info{}, fmt.Errorf("disk: put %s/%s: %w", bucket, key, err)
	}
	rec := record{
		Size:         bl.Size,
		ETag:         `"` + hex.EncodeToString(sum) + `"`,
		LastModified: b.stamp(),
		Meta:         meta.Clone(),
		Blobs:        []blob{bl},
	}
	rec.Meta.Checksum = objectstore.BodyChecksum(body, meta.Checksum)
	info, err := b.commit(ctx, bucket, key, rec, cond)
	if err != nil {
		return objectstore.Info{}, wrapUnlessCond(err, "disk: put %s/%s", bucket, key)
	}
	return info, nil
}

func (b *Backend) bucketExists(ctx context.Context, bucket string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.db.View(func(tx *bolt.Tx) error {
		_, err := bucketOf(tx, bucket)
		return err
	})
}

// commit adds rec as the key's newest version, if cond allows, and removes
// the blobs it replaces; if the commit fails, rec's own blobs are removed.
func (b *Backend) commit(ctx context.Context, bucket, key string, rec record, cond objectstore.Precondition) (objectstore.Info, error) {
	var (
		info    objectstore.Info
		removed []blob
	)
	err := ctx.Err()
	if err == nil {
		err = b.db.Update(func(tx *bolt.Tx) error {
			bk, err := bucketOf(tx, bucket)
			if err != nil {
				return err
			}
			if err := check(bk, bucket, key, cond); err != nil {
				return err
			}
			info, removed, err = b.addVersion(bk, bucket, key, rec)
			return err
		})
	}
	if err != nil {
		b.removeBlobs(rec.Blobs)
		return objectstore.Info{}, err
	}
	b.removeBlobs(removed)
	return info, nil
}

// addVersion writes rec as the key's newest version, with S3's versioning
// rules: Enabled adds a version with a new id; otherwise rec is the "null"
// version, replacing the one there is. It returns the blobs no longer
// indexed.
func (b *Backend) addVersion(bk *bolt.Bucket, bucket, key string, rec record) (objectstore.Info, []blob, error) {
	status := versioningOf(bk)
	vb, err := bk.Bucket(verBucket).CreateBucketIfNotExists([]byte(key))
	if err != nil {
		return objectstore.Info{}, nil, err
	}
	var removed []blob
	if status == objectstore.Enabled {
		if rec.VersionID, err = b.newID(16); err != nil {
			return objectstore.Info{}, nil, err
		}
	} else {
		rec.VersionID = objectstore.NullVersion
		k, old, err := findVersion(vb, objectstore.NullVersion)
		if err != nil {
			return objectstore.Info{}, nil, err
		}
		if k != nil {
			removed = old.Blobs
			if err := vb.Delete(k); err != nil {
				return objectstore.Info{}, nil, err
			}
		}
	}
	seq, err := bk.NextSequence()
	if err != nil {
		return objectstore.Info{}, nil, err
	}
	if err := putJSON(vb, seqKey(seq), rec); err != nil {
		return objectstore.Info{}, nil, err
	}
	if err := refreshCurrent(bk, key); err != nil {
		return objectstore.Info{}, nil, err
	}
	info := rec.info(bucket, key, status)
	info.IsLatest = true
	return info, removed, nil
}

// check calls cond, if any, with the key's current object.
func check(bk *bolt.Bucket, bucket, key string, cond objectstore.Precondition) error {
	if cond == nil {
		return nil
	}
	var cur *objectstore.Info
	if v := bk.Bucket(curBucket).Get([]byte(key)); v != nil {
		var rec record
		if err := decode(v, &rec); err != nil {
			return err
		}
		info := rec.info(bucket, key, versioningOf(bk))
		info.IsLatest = true
		cur = &info
	}
	if err := cond(cur); err != nil {
		return &condError{err}
	}
	return nil
}

// condError carries a Precondition's error out of a transaction, so it is
// returned unwrapped.
type condError struct{ err error }

func (e *condError) Error() string { return e.err.Error() }

// wrapUnlessCond wraps err with what failed, but returns a Precondition's
// error as the Precondition gave it.
func wrapUnlessCond(err error, format string, args ...any) error {
	if ce, ok := errors.AsType[*condError](err); ok {
		return ce.err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

func putJSON(bk *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return bk.Put(k, data)
}

// findVersion returns the ver/<key>/ entry of versionID, k nil if absent.
func findVersion(vb *bolt.Bucket, versionID string) (k []byte, rec record, err error) {
	c := vb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		rec = record{}
		if err := decode(v, &rec); err != nil {
			return nil, rec, err
		}
		if rec.VersionID == versionID {
			return k, rec, nil
		}
	}
	return nil, record{}, nil
}

// refreshCurrent makes cur/<key> the key's newest version, or removes it
// when there is none or it is a delete marker; an empty ver/<key>/ goes.
func refreshCurrent(bk *bolt.Bucket, key string) error {
	cur := bk.Bucket(curBucket)
	vb := bk.Bucket(verBucket).Bucket([]byte(key))
	var k, v []byte
	if vb != nil {
		k, v = vb.Cursor().First()
	}
	if k == nil {
		if vb != nil {
			if err := bk.Bucket(verBucket).DeleteBucket([]byte(key)); err != nil {
				return err
			}
		}
		return cur.Delete([]byte(key))
	}
	var rec record
	if err := decode(v, &rec); err != nil {
		return err
	}
	if rec.DeleteMarker {
		return cur.Delete([]byte(key))
	}
	return cur.Put([]byte(key), bytes.Clone(v))
}

// lookup finds the version a read asks for: versionID "" is the newest.
// It returns the version's ver/<key>/ entry key, and ErrNoSuchKey,
// ErrNoSuchVersion or ErrMethodNotAllowed (with the record of the delete
// marker in the latter and in ErrNoSuchKey's delete-marker case).
func lookup(bk *bolt.Bucket, key, versionID string) ([]byte, record, error) {
	vb := bk.Bucket(verBucket).Bucket([]byte(key))
	if versionID == "" {
		if vb == nil {
			return nil, record{}, objectstore.ErrNoSuchKey
		}
		k, v := vb.Cursor().First()
		if k == nil {
			return nil, record{}, objectstore.ErrNoSuchKey
		}
		var rec record
		if err := decode(v, &rec); err != nil {
			return nil, rec, err
		}
		if rec.DeleteMarker {
			return k, rec, objectstore.ErrNoSuchKey
		}
		return k, rec, nil
	}
	if vb == nil {
		return nil, record{}, objectstore.ErrNoSuchVersion
	}
	k, rec, err := findVersion(vb, versionID)
	if err != nil {
		return nil, rec, err
	}
	if k == nil {
		return nil, rec, objectstore.ErrNoSuchVersion
	}
	if rec.DeleteMarker {
		return k, rec, objectstore.ErrMethodNotAllowed
	}
	return k, rec, nil
}

// isLatest reports whether k is the newest entry of ver/<key>/.
func isLatest(bk *bolt.Bucket, key string, k []byte) bool {
	vb := bk.Bucket(verBucket).Bucket([]byte(key))
	if vb == nil {
		return false
	}
	first, _ := vb.Cursor().First()
	return bytes.Equal(first, k)
}

// find runs lookup in a read transaction and returns the version's info;
// with pin, the version's blobs are pinned for a reader (released by
// unpin) before any removal can take them.
func (b *Backend) find(ctx context.Context, bucket, key, versionID string, pin bool) (objectstore.Info, []blob, error) {
	if err := ctx.Err(); err != nil {
		return objectstore.Info{}, nil, err
	}
	var (
		info  objectstore.Info
		blobs []blob
	)
	if pin {
		b.pinMu.Lock()
		defer b.pinMu.Unlock()
	}
	err := b.db.View(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		k, rec, lerr := lookup(bk, key, versionID)
		if k != nil {
			info = rec.info(bucket, key, versioningOf(bk))
			info.IsLatest = isLatest(bk, key, k)
			if rec.PartsCount > 0 {
				info.Parts = make([]objectstore.ObjectPart, len(rec.Blobs))
				for i, bl := range rec.Blobs {
					info.Parts[i] = objectstore.ObjectPart{PartNumber: bl.Part, Size: bl.Size, Checksum: bl.Checksum}
				}
			}
		}
		if lerr != nil {
			return lerr
		}
		blobs = rec.Blobs
		if pin {
			b.pinLocked(blobs)
		}
		return nil
	})
	return info, blobs, err
}

// HeadObject implements objectstore.Backend.
func (b *Backend) HeadObject(ctx context.Context, bucket, key, versionID string) (objectstore.Info, error) {
	info, _, err := b.find(ctx, bucket, key, versionID, false)
	if err != nil {
		return info, fmt.Errorf("disk: head %s/%s: %w", bucket, key, err)
	}
	return info, nil
}

// GetObject implements objectstore.Backend.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, opt objectstore.GetOptions) (objectstore.Info, io.ReadCloser, error) {
	info, blobs, err := b.find(ctx, bucket, key, opt.VersionID, true)
	if err != nil {
		return info, nil, fmt.Errorf("disk: get %s/%s: %w", bucket, key, err)
	}
	start, length := int64(0), info.Size
	switch {
	case opt.Range != nil && opt.PartNumber != 0:
		err = errors.New("both a range and a part number")
	case opt.Range != nil:
		start, length, err = opt.Range.Resolve(info.Size)
	case opt.PartNumber != 0:
		start, length, err = info.PartRange(opt.PartNumber)
	}
	if err != nil {
		b.unpin(blobs)
		return info, nil, fmt.Errorf("disk: get %s/%s: %w", bucket, key, err)
	}
	return info, &reader{ctx: ctx, b: b, blobs: blobs, off: start, end: start + length}, nil
}

// DeleteObject implements objectstore.Backend.
func (b *Backend) DeleteObject(ctx context.Context, bucket, key, versionID string) (objectstore.DeleteResult, error) {
	if err := ctx.Err(); err != nil {
		return objectstore.DeleteResult{}, err
	}
	var (
		res     objectstore.DeleteResult
		removed []blob
	)
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		status := versioningOf(bk)
		vb := bk.Bucket(verBucket).Bucket([]byte(key))
		if versionID != "" {
			res.VersionID = versionID
			if vb == nil {
				return nil
			}
			k, rec, err := findVersion(vb, versionID)
			if err != nil || k == nil {
				return err
			}
			res.DeleteMarker = rec.DeleteMarker
			removed = rec.Blobs
			if err := vb.Delete(k); err != nil {
				return err
			}
			return refreshCurrent(bk, key)
		}
		if status != objectstore.Enabled && vb != nil {
			k, rec, err := findVersion(vb, objectstore.NullVersion)
			if err != nil {
				return err
			}
			if k != nil {
				removed = rec.Blobs
				if err := vb.Delete(k); err != nil {
					return err
				}
			}
		}
		if status == objectstore.Unversioned {
			return refreshCurrent(bk, key)
		}
		info, _, err := b.addVersion(bk, bucket, key, record{DeleteMarker: true, LastModified: b.stamp()})
		if err != nil {
			return err
		}
		res = objectstore.DeleteResult{VersionID: info.VersionID, DeleteMarker: true}
		return nil
	})
	if err != nil {
		return objectstore.DeleteResult{}, fmt.Errorf("disk: delete %s/%s: %w", bucket, key, err)
	}
	b.removeBlobs(removed)
	return res, nil
}

// UpdateMeta implements objectstore.Backend.
func (b *Backend) UpdateMeta(ctx context.Context, bucket, key, versionID string, fn func(*objectstore.Meta) error) (objectstore.Info, error) {
	if err := ctx.Err(); err != nil {
		return objectstore.Info{}, err
	}
	var info objectstore.Info
	var fnErr error
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		k, rec, err := lookup(bk, key, versionID)
		if k != nil {
			info = rec.info(bucket, key, versioningOf(bk))
		}
		if err != nil {
			return err
		}
		meta := rec.Meta.Clone()
		if fnErr = fn(&meta); fnErr != nil {
			return fnErr
		}
		rec.Meta = meta
		if err := putJSON(bk.Bucket(verBucket).Bucket([]byte(key)), k, rec); err != nil {
			return err
		}
		info = rec.info(bucket, key, versioningOf(bk))
		info.IsLatest = isLatest(bk, key, k)
		return refreshCurrent(bk, key)
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		return objectstore.Info{}, fnErr
	}
	if err != nil {
		return info, fmt.Errorf("disk: update metadata of %s/%s: %w", bucket, key, err)
	}
	return info, nil
}

// CopyObject implements objectstore.Backend.
func (b *Backend) CopyObject(ctx context.Context, src objectstore.ObjectRef, dstBucket, dstKey string, meta func(objectstore.Info) (objectstore.Meta, error)) (objectstore.CopyResult, error) {
	if err := b.bucketExists(ctx, dstBucket); err != nil {
		return objectstore.CopyResult{}, fmt.Errorf("disk: copy to %s/%s: %w", dstBucket, dstKey, err)
	}
	srcInfo, body, err := b.GetObject(ctx, src.Bucket, src.Key, objectstore.GetOptions{VersionID: src.VersionID})
	if err != nil {
		return objectstore.CopyResult{Source: srcInfo}, fmt.Errorf("disk: copy source: %w", err)
	}
	defer body.Close()
	m := srcInfo.Meta
	if meta != nil {
		if m, err = meta(srcInfo); err != nil {
			return objectstore.CopyResult{Source: srcInfo}, err
		}
		m = m.Clone()
	}
	bl, sum, err := b.writeBlob(ctx, body)
	if err != nil {
		return objectstore.CopyResult{Source: srcInfo}, fmt.Errorf("disk: copy to %s/%s: %w", dstBucket, dstKey, err)
	}
	rec := record{
		Size:         bl.Size,
		ETag:         `"` + hex.EncodeToString(sum) + `"`,
		LastModified: b.stamp(),
		Meta:         m,
		Blobs:        []blob{bl},
	}
	info, err := b.commit(ctx, dstBucket, dstKey, rec, nil)
	if err != nil {
		return objectstore.CopyResult{Source: srcInfo}, fmt.Errorf("disk: copy to %s/%s: %w", dstBucket, dstKey, err)
	}
	return objectstore.CopyResult{Object: info, Source: srcInfo}, nil
}
