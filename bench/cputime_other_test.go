//go:build !linux

package bench

// threadCPU is not measured outside Linux.
func threadCPU() (int64, bool) { return 0, false }
