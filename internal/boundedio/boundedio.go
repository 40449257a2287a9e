// Package boundedio reads files whose size is bounded, so that an input
// file named on a command line or found in a cache folder cannot make
// winchain hold gigabytes in memory: the size is checked before the read,
// and the read itself stops one byte past the limit (the file may grow
// while it is read).
package boundedio

import (
	"fmt"
	"io"
	"os"
)

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

// ReadFile reads path when it holds at most limit bytes. Other errors are
// those of os.Open and the read, unwrapped, so errors.Is(err,
// fs.ErrNotExist) works as with os.ReadFile.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: fi.Size(), Limit: limit}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: path, Size: limit + 1, Limit: limit}
	}
	return b, nil
}
