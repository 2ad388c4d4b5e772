package disk

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// walkKeys visits the keys of c that begin with prefix and sort after
// `after` (or equal it, with incl), in order. With a delimiter, a key that
// holds it past the prefix is rolled up into its common prefix (cp, with k
// nil), visited once, unless it sorts at or before `after`; the cursor then
// seeks past every key of that prefix, so a listing costs what it returns,
// not the size of the bucket. each returns false to stop.
func walkKeys(c *bolt.Cursor, prefix, delim, after string, incl bool, each func(k, v []byte, cp string) bool) {
	start := prefix
	if after > start {
		start = after
	}
	p, d := []byte(prefix), []byte(delim)
	k, v := c.Seek([]byte(start))
	for k != nil && bytes.HasPrefix(k, p) {
		if s := string(k); s < after || s == after && !incl {
			k, v = c.Next()
			continue
		}
		if len(d) > 0 {
			if i := bytes.Index(k[len(p):], d); i >= 0 {
				cp := string(k[:len(p)+i+len(d)])
				if cp > after && !each(nil, nil, cp) {
					return
				}
				next := successor(cp)
				if next == nil {
					return
				}
				k, v = c.Seek(next)
				continue
			}
		}
		if !each(k, v, "") {
			return
		}
		k, v = c.Next()
	}
}

// successor is the least byte string greater than every string beginning
// with p, nil if there is none.
func successor(p string) []byte {
	b := []byte(p)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return nil
	}
	b[len(b)-1]++
	return b
}

// List implements objectstore.Backend.
func (b *Backend) List(ctx context.Context, bucket string, opt objectstore.ListOptions) (objectstore.ListResult, error) {
	if err := ctx.Err(); err != nil {
		return objectstore.ListResult{}, err
	}
	limit := objectstore.Limit(opt.MaxKeys)
	var res objectstore.ListResult
	err := b.db.View(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		status := versioningOf(bk)
		n := 0
		walkKeys(bk.Bucket(curBucket).Cursor(), opt.Prefix, opt.Delimiter, opt.Marker, false, func(k, v []byte, cp string) bool {
			if n == limit {
				res.IsTruncated = true
				return false
			}
			n++
			if cp != "" {
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextMarker = cp
				return true
			}
			var rec record
			if err = decode(v, &rec); err != nil {
				return false
			}
			info := rec.info(bucket, string(k), status)
			info.IsLatest = true
			res.Objects = append(res.Objects, info)
			res.NextMarker = info.Key
			return true
		})
		return err
	})
	if err != nil {
		return objectstore.ListResult{}, fmt.Errorf("disk: list %s: %w", bucket, err)
	}
	if !res.IsTruncated {
		res.NextMarker = ""
	}
	return res, nil
}

// ListVersions implements objectstore.Backend. Version ids are as stored:
// "null" for the null version even while the bucket has never had
// versioning, as ListObjectVersions shows it.
func (b *Backend) ListVersions(ctx context.Context, bucket string, opt objectstore.VersionListOptions) (objectstore.VersionListResult, error) {
	if err := ctx.Err(); err != nil {
		return objectstore.VersionListResult{}, err
	}
	limit := objectstore.Limit(opt.MaxKeys)
	var res objectstore.VersionListResult
	err := b.db.View(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		ver := bk.Bucket(verBucket)
		n := 0
		incl := opt.VersionIDMarker != "" && opt.KeyMarker != ""
		walkKeys(ver.Cursor(), opt.Prefix, opt.Delimiter, opt.KeyMarker, incl, func(k, _ []byte, cp string) bool {
			if cp != "" {
				if n == limit {
					res.IsTruncated = true
					return false
				}
				n++
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextKeyMarker, res.NextVersionIDMarker = cp, ""
				return true
			}
			key := string(k)
			skipping := incl && key == opt.KeyMarker
			c := ver.Bucket(k).Cursor()
			latest := true
			for vk, vv := c.First(); vk != nil; vk, vv = c.Next() {
				var rec record
				if err = decode(vv, &rec); err != nil {
					return false
				}
				isLatest := latest
				latest = false
				if skipping {
					skipping = rec.VersionID != opt.VersionIDMarker
					continue
				}
				if n == limit {
					res.IsTruncated = true
					return false
				}
				n++
				info := rec.info(bucket, key, objectstore.Enabled)
				info.IsLatest = isLatest
				res.Versions = append(res.Versions, info)
				res.NextKeyMarker, res.NextVersionIDMarker = key, rec.VersionID
			}
			return true
		})
		return err
	})
	if err != nil {
		return objectstore.VersionListResult{}, fmt.Errorf("disk: list versions of %s: %w", bucket, err)
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextVersionIDMarker = "", ""
	}
	return res, nil
}
