//go:build !linux

package sqlite

import (
	"errors"
	"fmt"
	"os"
)

// mapFile is unsupported here: the segments are written directly.
func mapFile(*os.File, int64) ([]byte, error) {
	return nil, fmt.Errorf("mapping the ring: %w", errors.ErrUnsupported)
}

// unmapFile unmaps what mapFile mapped (nothing here).
func unmapFile([]byte) error { return nil }

// reserve writes the file's first size bytes.
func reserve(f *os.File, size int64) error { return writeZeros(f, size) }

// writev writes iovs at off in f, one after the other.
func writev(f *os.File, iovs [][]byte, off int64) error {
	for _, b := range iovs {
		if _, err := f.WriteAt(b, off); err != nil {
			return err
		}
		off += int64(len(b))
	}
	return nil
}
