package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseMemoryLimit reads --memory-limit: a size in bytes with an optional
// unit (B, KiB, MiB, GiB, TiB; the units GOMEMLIMIT takes), or "" for
// none (the runtime's own, from GOMEMLIMIT if set). It returns the limit in
// bytes, or -1 for none.
func parseMemoryLimit(s string) (int64, error) {
	if s == "" {
		return -1, nil
	}
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	num, shift := s, uint(0)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, shift = n, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("--memory-limit must be a positive size such as 256MiB (units B, KiB, MiB, GiB, TiB), not %q", s)
	}
	return n << shift, nil
}
