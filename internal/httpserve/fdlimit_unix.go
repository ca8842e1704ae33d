//go:build unix

package httpserve

import "syscall"

// connBudget lowers want to half the process's file-descriptor limit: each
// connection costs one descriptor, and the rest of the process (database
// pool, Temporal, logs) must never be starved of them, which is how a flood
// of slow connections once stopped the worker polling Temporal.
func connBudget(want int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == 0 {
		return want
	}
	half := int(min(lim.Cur/2, 1<<20))
	if want <= 0 || want > half {
		return half
	}
	return want
}
