//go:build linux

package sqlite

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// mapSegment reserves size bytes of disk for f (fallocate: a write through
// the mapping then never needs a block the disk may not have, which would
// be a SIGBUS rather than an error) and maps them shared, for writing. It
// returns nil, and no error, when the file system cannot reserve space:
// the segment is then written with pwrite.
func mapSegment(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || size > maxMapped {
		return nil, nil
	}
	fd := int(f.Fd())
	if err := unix.Fallocate(fd, 0, 0, size); err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) {
			return nil, nil
		}
		return nil, err
	}
	return unix.Mmap(fd, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
}

// unmapSegment unmaps a mapping of mapSegment.
func unmapSegment(m []byte) error { return unix.Munmap(m) }

// zeroFrom makes the bytes of f from off to size zero (a hole punched,
// then the space reserved again), under a mapping of mapSegment.
func zeroFrom(f *os.File, off, size int64) error {
	if off >= size {
		return nil
	}
	fd := int(f.Fd())
	if err := unix.Fallocate(fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, size-off); err != nil {
		return err
	}
	return unix.Fallocate(fd, 0, 0, size)
}
