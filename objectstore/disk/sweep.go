package disk

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SweepOrphans removes the blobs no index entry names — left by a crash
// between a blob's rename into data/ and its index commit — and returns how
// many it removed. Only files last written more than olderThan ago (an hour
// when zero or less) are candidates, so a write whose commit is under way
// keeps its blob: a blob is renamed into data/ right after its last byte is
// written and committed right after that. It reads the whole index once and
// walks data/, so it is meant for startup or maintenance, not every request.
func (b *Backend) SweepOrphans(ctx context.Context, olderThan time.Duration) (int, error) {
	if olderThan <= 0 {
		olderThan = time.Hour
	}
	cutoff := time.Now().Add(-olderThan)
	used := map[string]bool{}
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(rootBucket).ForEachBucket(func(name []byte) error {
			bk := tx.Bucket(rootBucket).Bucket(name)
			ver, up := bk.Bucket(verBucket), bk.Bucket(upBucket)
			err := ver.ForEachBucket(func(key []byte) error {
				return ver.Bucket(key).ForEach(func(_, v []byte) error {
					var rec record
					if err := json.Unmarshal(v, &rec); err != nil {
						return fmt.Errorf("corrupt version of %q: %w", key, err)
					}
					for _, bl := range rec.Blobs {
						used[bl.ID] = true
					}
					return nil
				})
			})
			if err != nil {
				return err
			}
			return up.ForEachBucket(func(key []byte) error {
				kb := up.Bucket(key)
				return kb.ForEachBucket(func(id []byte) error {
					ub := kb.Bucket(id)
					parts, err := partsOf(ub)
					if err != nil {
						return err
					}
					for _, p := range parts {
						used[p.Blob.ID] = true
					}
					return nil
				})
			})
		})
	})
	if err != nil {
		return 0, fmt.Errorf("disk: sweep orphans: read index: %w", err)
	}
	removed := 0
	fans, err := os.ReadDir(filepath.Join(b.dir, "data"))
	if err != nil {
		return 0, fmt.Errorf("disk: sweep orphans: %w", err)
	}
	for _, fan := range fans {
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("disk: sweep orphans: %w", err)
		}
		if !fan.IsDir() {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(b.dir, "data", fan.Name()))
		if err != nil {
			return removed, fmt.Errorf("disk: sweep orphans: %w", err)
		}
		for _, e := range ents {
			id := e.Name()
			if used[id] || len(id) < 2 || id[:2] != fan.Name() {
				continue
			}
			fi, err := e.Info()
			if err != nil || !fi.Mode().IsRegular() || fi.ModTime().After(cutoff) {
				continue
			}
			b.pinMu.Lock()
			pinned := b.pins[id] > 0
			b.pinMu.Unlock()
			if pinned {
				continue
			}
			if err := os.Remove(b.blobPath(id)); err != nil && !os.IsNotExist(err) {
				return removed, fmt.Errorf("disk: sweep orphans: %w", err)
			}
			removed++
		}
	}
	if removed > 0 {
		b.log.Info("objectstore: removed orphan blobs", "count", removed)
	}
	return removed, nil
}
