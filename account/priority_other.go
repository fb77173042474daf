//go:build !linux

package account

// lowerThreadPriority does nothing where threads have no priority of their own.
func lowerThreadPriority() {}
