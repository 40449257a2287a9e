package cache

import (
	"errors"
	"os"
	"path/filepath"
)

// OSLocking exports osLocking to the external tests.
const OSLocking = osLocking

// Lock exports Disk.lock to the external tests.
func (d *Disk) Lock() (unlock func(), locked bool, err error) { return d.lock() }

// TryLock reports whether the writer lock of the folder dir is free, taking
// and releasing it through a new open file (so it conflicts with holders in
// this process too).
func TryLock(dir string) (free bool, err error) {
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return false, err
	}
	defer f.Close()
	switch err := tryLockFile(f); {
	case errors.Is(err, errWouldBlock):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, unlockFile(f)
}

// DeleteIfUnchanged exports Disk.deleteIfUnchanged to the external tests.
func (d *Disk) DeleteIfUnchanged(name string, was *MetaData) error {
	return d.deleteIfUnchanged(name, was)
}
