//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package urlcache

import (
	"errors"
	"os"
)

// osLocking is false: this platform has no writer lock winchain uses, and
// [Folder.Put] falls back to writing and checking.
const osLocking = false

var errNoLock = errors.New("cache: no file lock on this platform")

func lockFile(*os.File) error    { return errNoLock }
func tryLockFile(*os.File) error { return errNoLock }
func unlockFile(*os.File) error  { return nil }
