package boundedio

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// NotRegularError is the error for a path that is not a regular file: a
// named pipe (FIFO), a device, a socket. winchain reads none of them — a
// FIFO nobody writes to would block the reader forever, and /dev/zero never
// ends. (A directory gives the *fs.PathError of reading one, as before.)
type NotRegularError struct {
	// Path is the file, as given.
	Path string
	// Mode is its type, as fstat reported it.
	Mode fs.FileMode
}

// Error reads "read PATH: a named pipe (FIFO), not a regular file".
func (e *NotRegularError) Error() string { return "read " + e.Path + ": " + e.Unwrap().Error() }

// Unwrap returns what the file is, without its path ("a named pipe (FIFO),
// not a regular file"); it matches [ErrNotRegular] with errors.Is.
func (e *NotRegularError) Unwrap() error {
	what := "not a regular file"
	switch t := e.Mode.Type(); {
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a regular file"
	case t&fs.ModeSocket != 0:
		what = "a socket, not a regular file"
	case t&fs.ModeDevice != 0:
		what = "a device, not a regular file"
	}
	return notRegular(what)
}

// ErrNotRegular matches every *NotRegularError with errors.Is.
var ErrNotRegular error = notRegular("not a regular file")

// notRegular is the cause of a *NotRegularError.
type notRegular string

func (n notRegular) Error() string { return string(n) }

// Is makes every notRegular match ErrNotRegular.
func (notRegular) Is(target error) bool { _, ok := target.(notRegular); return ok }

// OutsideError is the error for a name inside a folder that leads out of
// it (a symbolic link to a file elsewhere, or ".."); see [ReadFileIn].
type OutsideError struct {
	// Path is the file, as the folder and the name inside it.
	Path string
}

// Error reads "read PATH: leads out of its folder (symbolic link); not read".
func (e *OutsideError) Error() string { return "read " + e.Path + ": " + ErrOutside.Error() }

// Unwrap returns [ErrOutside].
func (e *OutsideError) Unwrap() error { return ErrOutside }

// ErrOutside is the cause of every *OutsideError.
var ErrOutside = errors.New("leads out of its folder (symbolic link); not read")

// Open opens path for reading when it is a regular file, without blocking
// on anything else: the open is non-blocking (O_NONBLOCK, so a FIFO opens
// at once), then fstat must say regular file; a FIFO, device or socket is a
// *NotRegularError. Symbolic links are followed: the path was named by the
// user. Errors of the open are those of os.OpenFile.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenIn opens the regular file name inside the folder root, as [Open]
// does, refusing a name that leads out of root (through a symbolic link
// anywhere on its way, or "..") with an *OutsideError. Links that stay
// inside root are followed.
func OpenIn(root, name string) (*os.File, error) {
	p := filepath.Join(root, name)
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := r.OpenFile(name, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && LeadsOut(root, p) {
			return nil, &OutsideError{Path: p}
		}
		// The error names the path inside root; name the whole path.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: "open", Path: p, Err: pe.Err}
		}
		return nil, err
	}
	if err := checkRegular(f, p); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// LeadsOut reports whether the path p, inside the folder root by its name,
// resolves to a file outside root (through a symbolic link). A dangling
// link or a loop is judged by where the name points.
func LeadsOut(root, p string) bool {
	rr, err := filepath.EvalSymlinks(root)
	if err != nil {
		return false
	}
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		// A dangling link, or a loop: judge by where the name points.
		target = filepath.Clean(p)
		rr = filepath.Clean(root)
	}
	rel, err := filepath.Rel(rr, target)
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// checkRegular refuses an open file that is not a regular file.
func checkRegular(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	switch m := fi.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	default:
		return &NotRegularError{Path: path, Mode: m}
	}
}
