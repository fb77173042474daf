package account

import "syscall"

// lowerThreadPriority gives the calling OS thread nice 10. On Linux a thread id
// given to setpriority names that thread alone. Failing is harmless: the thread
// keeps the priority it had.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
}
