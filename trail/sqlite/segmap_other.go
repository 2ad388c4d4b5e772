//go:build !linux

package sqlite

import (
	"errors"
	"os"
)

// mapSegment maps segments on Linux only (where fallocate reserves their
// space); elsewhere they are written with pwrite.
func mapSegment(*os.File, int64) ([]byte, error) { return nil, nil }

func unmapSegment([]byte) error { return nil }

func zeroFrom(*os.File, int64, int64) error {
	return errors.New("segments are not mapped on this platform")
}
