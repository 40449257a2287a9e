package urlcache

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

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
//
// Every write, creation and removal is resolved inside the folder
// (os.Root), one name at a time: the folder may come from another machine
// or be hostile, and a symbolic link on the way that leads out of it is a
// *[SymlinkError], never followed. A Content or MetaData file that is a
// link is replaced by the new file (rename), not written through; the lock
// file is never a link.
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
	err := d.inRoot(func(r *os.Root) error { return writeIn(r, filepath.FromSlash(name), data, 0o600, true) })
	if err != nil {
		return d.fail("write", name, path.Dir(name), err)
	}
	return nil
}

// writeIn replaces name inside r with data through a temporary file in the
// same folder and a rename (which replaces a symbolic link at name, never
// following it); durable adds the fsync of the file and of its folder.
func writeIn(r *os.Root, name string, data []byte, perm fs.FileMode, durable bool) error {
	dir := filepath.Dir(name)
	var f *os.File
	var tmp string
	for attempt := 0; ; attempt++ {
		tmp = filepath.Join(dir, tempPrefix+strconv.FormatUint(rand.Uint64(), 36))
		var err error
		f, err = r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || attempt == maxTempAttempts-1 {
			return err
		}
	}
	_, err := f.Write(data)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.Rename(tmp, name)
	}
	if err != nil {
		r.Remove(tmp)
		return err
	}
	if durable {
		if df, err := r.Open(dir); err == nil {
			df.Sync() // best effort: not every platform can sync a directory
			df.Close()
		}
	}
	return nil
}

// maxTempAttempts bounds the names tried for a temporary file that must
// not exist yet: the bound of os.CreateTemp (10,000), whose random names
// winchain's follow (os.CreateTemp cannot create inside an os.Root).
const maxTempAttempts = 10000

// Remove implements [FS]. A symbolic link named is removed itself.
func (d DirFS) Remove(name string) error {
	err := d.inRoot(func(r *os.Root) error { return r.Remove(filepath.FromSlash(name)) })
	if err != nil {
		return d.fail("delete", name, path.Dir(name), err)
	}
	return nil
}

// ReadDir implements [FS].
func (d DirFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(d.path(name)) }

// MkdirAll implements [FS].
func (d DirFS) MkdirAll(name string) error {
	err := d.inRoot(func(r *os.Root) error { return r.MkdirAll(filepath.FromSlash(name), 0o755) })
	if err != nil {
		return d.fail("create", name, name, err)
	}
	return nil
}

// inRoot runs op on the folder opened as an os.Root.
func (d DirFS) inRoot(op func(*os.Root) error) error {
	r, err := os.OpenRoot(string(d))
	if err != nil {
		return err
	}
	defer r.Close()
	return op(r)
}

// fail is the error of op on name: a *SymlinkError when a folder on the
// way to name (dir and its parents inside d) is a symbolic link that does
// not lead to a folder inside d, else err naming the whole path (os.Root
// errors name the path inside the folder). errors.Is(err,
// fs.ErrNotExist) still holds for a missing file.
func (d DirFS) fail(op, name, dir string, err error) error {
	if link := d.linkOut(dir); link != "" {
		return newSymlinkError(op, link)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: "cache: " + op, Path: d.path(name), Err: err}
}

// linkOut returns the first folder of dir (slash-separated, inside d),
// from the top, that is a symbolic link leading out of d or nowhere, or
// "".
func (d DirFS) linkOut(dir string) string {
	if dir == "." || dir == "" {
		return ""
	}
	prefix := ""
	for _, part := range strings.Split(dir, "/") {
		prefix = path.Join(prefix, part)
		p := d.path(prefix)
		fi, err := os.Lstat(p)
		if err != nil {
			return ""
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if _, err := filepath.EvalSymlinks(p); err != nil || boundedio.LeadsOut(string(d), p) {
			return p
		}
	}
	return ""
}

// Lock implements [Locker] with the operating-system lock of [LockFile].
func (d DirFS) Lock() (unlock func(), locked bool, err error) {
	f, err := openLockFile(d.path(LockFile))
	if err != nil {
		return nil, false, err
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

// openLockFile opens (creating it) the lock file p, which winchain always
// creates as a regular file: a symbolic link there (to a file elsewhere,
// where a lock would create or lock another program's file) is a
// *SymlinkError, and so is anything but a regular file. Lstat before the
// open gives the error without creating anything; the open refuses a link
// itself where the platform can (O_NOFOLLOW, see noFollow), and the open
// file must be the file the name holds (Lstat and fstat agree), so a link
// swapped in between is caught on every platform.
func openLockFile(p string) (*os.File, error) {
	isLink := func() bool {
		fi, err := os.Lstat(p)
		return err == nil && fi.Mode()&fs.ModeSymlink != 0
	}
	if isLink() {
		return nil, newSymlinkError("lock", p)
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|noFollow, 0o644)
	if err != nil {
		if isLink() {
			return nil, newSymlinkError("lock", p)
		}
		return nil, fmt.Errorf("cache: lock %s: %w", p, err)
	}
	fi, err := f.Stat()
	li, lerr := os.Lstat(p)
	switch {
	case err != nil:
	case lerr != nil:
		err = lerr
	case li.Mode()&fs.ModeSymlink != 0:
		err = newSymlinkError("lock", p)
	case !os.SameFile(fi, li):
		err = fmt.Errorf("cache: lock %s: replaced while it was opened; not used", p)
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("cache: lock %s: %w", p, (&boundedio.NotRegularError{Path: p, Mode: fi.Mode()}).Unwrap())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
