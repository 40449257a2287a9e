// Package boundedio is winchain's one bounded reader: every file it reads
// (named on a command line or found in a cache folder) and every body it
// reads from a stream goes through it, so that no input can make winchain
// hold gigabytes in memory or wait forever. Only regular files are read (a
// FIFO or device is refused without blocking, [Open]); a file inside a
// folder may not lead out of it ([ReadFileIn]); the size is checked before
// the read, and the read itself stops one byte past the limit (the file
// may grow while it is read).
package boundedio

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Stdin is the path that names standard input, as command-line tools
// spell it: ReadFile("-") reads standard input. A file named "-" is read
// as "./-".
const Stdin = "-"

// Name is how messages name path: "standard input" for [Stdin], else path.
func Name(path string) string {
	if path == Stdin {
		return "standard input"
	}
	return path
}

// stdin is standard input, read once: a command that names "-" twice
// (--root - --ca -) gets the same bytes both times.
var stdin struct {
	once sync.Once
	data []byte
	err  error
}

func readStdin(limit int64) ([]byte, error) {
	stdin.once.Do(func() {
		// The largest limit of any caller: the bytes are kept for all.
		stdin.data, stdin.err = Read(os.Stdin, Name(Stdin), maxStdin)
	})
	if stdin.err != nil {
		return nil, stdin.err
	}
	if int64(len(stdin.data)) > limit {
		return nil, &TooLargeError{Path: Name(Stdin), Size: int64(len(stdin.data)), Limit: limit}
	}
	return stdin.data, nil
}

// maxStdin bounds what is kept of standard input: 256 MiB, above every
// file limit of winchain's readers (the largest is certs.MaxFileSize,
// 100 MiB), so each caller's own limit decides.
const maxStdin = 256 << 20

// TooLargeError is the error for a file over its limit.
type TooLargeError struct {
	// Path is the file, as given to ReadFile.
	Path string
	// Size is the file's size, or Limit+1 when it grew past the limit
	// during the read.
	Size int64
	// Limit is the largest size accepted.
	Limit int64
}

// Error reads "read PATH: SIZE bytes is over the limit of LIMIT bytes".
func (e *TooLargeError) Error() string {
	// The shape of *fs.PathError ("open PATH: ..."), so messages that
	// already name the file read the same for both.
	return fmt.Sprintf("read %s: %d bytes is over the limit of %d bytes", e.Path, e.Size, e.Limit)
}

// ReadFile reads path when it is a regular file (see [Open]: a FIFO or
// device is refused without blocking) of at most limit bytes; path [Stdin]
// reads standard input. Other errors are those of os.OpenFile and the
// read, unwrapped, so errors.Is(err, fs.ErrNotExist) works as with
// os.ReadFile.
func ReadFile(path string, limit int64) ([]byte, error) {
	if path == Stdin {
		return readStdin(limit)
	}
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, path, limit)
}

// ReadFileIn reads the file name inside the folder root as ReadFile does,
// and refuses a name that leads out of root through a symbolic link or
// "..": a cache folder may come from anywhere, and an entry that is a link
// to /dev/zero or to a file elsewhere is not an entry.
func ReadFileIn(root, name string, limit int64) ([]byte, error) {
	f, err := OpenIn(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, filepath.Join(root, name), limit)
}

// readOpen reads the regular file f, checking its size first.
func readOpen(f *os.File, path string, limit int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: fi.Size(), Limit: limit}
	}
	return Read(f, path, limit)
}

// Read reads r to its end when it holds at most limit bytes, for inputs
// whose size cannot be checked first (standard input, a pipe). name labels
// a *TooLargeError. The read stops one byte past the limit.
func Read(r io.Reader, name string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: name, Size: limit + 1, Limit: limit}
	}
	return b, nil
}
