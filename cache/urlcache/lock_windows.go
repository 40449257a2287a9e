//go:build windows

package urlcache

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// osLocking reports whether this platform has a writer lock (LockFileEx).
const osLocking = true

// lockRange locks the first byte of the lock file: LockFileEx locks byte
// ranges, and every writer locks the same one.
func lockRange(f *os.File, flags uint32) error {
	ol := new(windows.Overlapped)
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, ol)
}

func lockFile(f *os.File) error { return lockRange(f, windows.LOCKFILE_EXCLUSIVE_LOCK) }

// tryLockFile takes the lock without waiting; errWouldBlock when it is held.
func tryLockFile(f *os.File) error {
	err := lockRange(f, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errWouldBlock
	}
	return err
}

func unlockFile(f *os.File) error {
	ol := new(windows.Overlapped)
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
}
