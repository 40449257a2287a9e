package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockFile is the file at the root of a cache folder whose operating-system
// lock serializes the writers of that folder: [Disk.Put] and [Disk.Delete]
// hold it, in every process, while they replace an entry's files. Readers
// never take it (see [Disk.ReadEntry]). The lock is an advisory flock(2) on
// Linux, macOS and the BSDs and LockFileEx on Windows; the kernel drops it
// when its holder dies, so a killed writer never leaves the folder locked.
// It is created on the first write and never removed; Windows ignores
// unknown files in the folder.
const LockFile = ".winchain-lock"

// lock takes the folder's writer lock, blocking until it is free. locked is
// false where the platform or the file system has no such lock (then Put
// falls back to writing and checking, see [Disk.Put]). An error means the
// lock file itself could not be opened: the folder cannot be written.
func (d *Disk) lock() (unlock func(), locked bool, err error) {
	p := filepath.Join(d.dir, LockFile)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("cache: lock %s: %w", p, err)
	}
	if err := lockFile(f); err != nil {
		// No lock on this file system (ENOLCK, EOPNOTSUPP on some network
		// mounts): go on without one rather than refuse every write.
		f.Close()
		return func() {}, false, nil
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, true, nil
}

// errWouldBlock is returned by tryLockFile when another holder has the lock.
var errWouldBlock = errors.New("cache: lock held by another writer")
