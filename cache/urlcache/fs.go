package urlcache

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/winchain/winchain/internal/boundedio"
)

// FS is where a [Folder] keeps its files: an operating-system directory
// ([DirFS], what [Open] uses) or memory ([MemFS], for simulations of many
// clients). Names are slash-separated and relative to the folder's root
// ("MetaData/NAME"); the layout is the same whatever the FS.
//
// An FS may also implement [Locker]; a Folder whose FS does not falls back
// to writing and checking (see [Folder.Put]).
type FS interface {
	// ReadFile reads the regular file name when it holds at most limit
	// bytes, never blocking. A missing file is an error satisfying
	// errors.Is(err, fs.ErrNotExist); a bigger one is a
	// *boundedio.TooLargeError.
	ReadFile(name string, limit int64) ([]byte, error)
	// WriteFile replaces name with data so that a reader sees the whole
	// old file or the whole new one, never a part.
	WriteFile(name string, data []byte) error
	// Remove deletes name; a missing file satisfies errors.Is(err,
	// fs.ErrNotExist).
	Remove(name string) error
	// ReadDir lists the folder name, sorted by file name, as os.ReadDir
	// does. A missing folder satisfies errors.Is(err, fs.ErrNotExist).
	ReadDir(name string) ([]fs.DirEntry, error)
	// MkdirAll creates the folder name and its parents.
	MkdirAll(name string) error
}

// Locker is the writer lock of an [FS]: Lock blocks until this writer holds
// the folder's lock. locked is false where no lock is available (the
// folder is then written without one); err means the folder cannot be
// written at all.
type Locker interface {
	Lock() (unlock func(), locked bool, err error)
}

// DirFS is the operating-system directory that holds a cache folder. Files
// are replaced by a temporary file, fsync and rename, and the rename is made
// durable by a sync of its folder; writers lock [LockFile] (flock(2), or
// LockFileEx on Windows).
type DirFS string

// path is the operating-system path of name.
func (d DirFS) path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

// ReadFile implements [FS]. Only regular files are read, without blocking
// on a FIFO or device, and a symbolic link is followed only while it stays
// inside the folder: the folder may come from anywhere
// (boundedio.ReadFileIn).
func (d DirFS) ReadFile(name string, limit int64) ([]byte, error) {
	return boundedio.ReadFileIn(string(d), filepath.FromSlash(name), limit)
}

// WriteFile implements [FS]: temporary file in the same folder, fsync,
// rename, then fsync of the folder so the rename survives power loss.
func (d DirFS) WriteFile(name string, data []byte) error {
	p := d.path(name)
	dir := filepath.Dir(p)
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("cache: write %s: %w", p, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cache: write %s: %w", p, err)
	}
	if df, err := os.Open(dir); err == nil {
		df.Sync() // best effort: not every platform can sync a directory
		df.Close()
	}
	return nil
}

// Remove implements [FS].
func (d DirFS) Remove(name string) error { return os.Remove(d.path(name)) }

// ReadDir implements [FS].
func (d DirFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(d.path(name)) }

// MkdirAll implements [FS].
func (d DirFS) MkdirAll(name string) error { return os.MkdirAll(d.path(name), 0o755) }

// Lock implements [Locker] with the operating-system lock of [LockFile].
func (d DirFS) Lock() (unlock func(), locked bool, err error) {
	p := d.path(LockFile)
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
