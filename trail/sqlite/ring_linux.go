package sqlite

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f, shared and writable.
func mapFile(f *os.File, size int64) ([]byte, error) {
	mem, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	return mem, nil
}

// unmapFile unmaps what mapFile mapped.
func unmapFile(mem []byte) error {
	if mem == nil {
		return nil
	}
	if err := unix.Munmap(mem); err != nil {
		return fmt.Errorf("munmap: %w", err)
	}
	return nil
}

// reserve allocates the file's first size bytes on disk (fallocate): a
// write into the mapping then never finds the disk full (which would be
// a fault, not an error).
func reserve(f *os.File, size int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) {
		// A file system without fallocate: the space is written instead.
		return writeZeros(f, size)
	}
	if err != nil {
		return fmt.Errorf("fallocate: %w", err)
	}
	return nil
}

// writev writes iovs at off in f (pwritev), all of them.
func writev(f *os.File, iovs [][]byte, off int64) error {
	fd := int(f.Fd())
	for len(iovs) > 0 {
		n, err := unix.Pwritev(fd, iovs, off)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("pwritev: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("pwritev: %w", os.ErrClosed)
		}
		off += int64(n)
		for len(iovs) > 0 && n >= len(iovs[0]) {
			n -= len(iovs[0])
			iovs = iovs[1:]
		}
		if n > 0 {
			iovs = append([][]byte{iovs[0][n:]}, iovs[1:]...)
		}
	}
	return nil
}
