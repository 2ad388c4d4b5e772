//go:build unix

package upstream_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) the test process has used:
// client, front and upstream all run in it, so the difference across a
// benchmark's loop is the work the whole chain did, which the machine's
// other load does not inflate as it does the wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
