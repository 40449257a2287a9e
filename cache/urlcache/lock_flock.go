//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package urlcache

import (
	"errors"
	"os"
	"syscall"
)

// osLocking reports whether this platform has a writer lock (flock(2)).
const osLocking = true

func lockFile(f *os.File) error { return flock(f, syscall.LOCK_EX) }

// tryLockFile takes the lock without waiting; errWouldBlock when it is held.
func tryLockFile(f *os.File) error {
	err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errWouldBlock
	}
	return err
}

func unlockFile(f *os.File) error { return flock(f, syscall.LOCK_UN) }

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
