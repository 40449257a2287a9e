package urlcache

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/winchain/winchain/internal/boundedio"
)

// MemFS is a cache folder held in memory, with the layout of a [DirFS]: a
// simulation of many clients keeps one per client without touching the
// disk, and writes one out with [MemFS.WriteDir] only when asked. There is
// no fsync and no temporary file: a write replaces the file at once. It is
// safe for concurrent use; its writer lock ([Locker]) excludes the writers of
// this MemFS. The zero value is not usable; call [NewMemFS].
type MemFS struct {
	mu sync.Mutex
	// dirs maps a folder ("" is the root) to its files. A stored slice is
	// never modified (WriteFile stores a copy, ReadFile returns one), so
	// clones share them.
	dirs map[string]map[string][]byte
	// writer is the lock of Lock; it is separate from mu so a writer holds
	// it across several calls.
	writer sync.Mutex
}

// NewMemFS returns an empty folder.
func NewMemFS() *MemFS { return &MemFS{dirs: map[string]map[string][]byte{"": {}}} }

// split returns the folder and file name of name.
func split(name string) (dir, file string) {
	name = path.Clean("/" + name)[1:]
	dir, file = path.Split(name)
	return path.Clean("/" + dir)[1:], file
}

func notExist(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

// ReadFile implements [FS].
func (m *MemFS) ReadFile(name string, limit int64) ([]byte, error) {
	dir, file := split(name)
	m.mu.Lock()
	b, ok := m.dirs[dir][file]
	m.mu.Unlock()
	if !ok {
		return nil, notExist("open", name)
	}
	if int64(len(b)) > limit {
		return nil, &boundedio.TooLargeError{Path: name, Size: int64(len(b)), Limit: limit}
	}
	return append([]byte(nil), b...), nil
}

// WriteFile implements [FS]; the folder of name must exist (as in a
// [DirFS]).
func (m *MemFS) WriteFile(name string, data []byte) error {
	dir, file := split(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	files, ok := m.dirs[dir]
	if !ok {
		return fmt.Errorf("cache: write %s: %w", name, notExist("open", name))
	}
	files[file] = append([]byte(nil), data...)
	return nil
}

// Remove implements [FS] for files and empty folders.
func (m *MemFS) Remove(name string) error {
	dir, file := split(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.dirs[dir][file]; ok {
		delete(m.dirs[dir], file)
		return nil
	}
	if sub := path.Join(dir, file); sub != "" {
		if files, ok := m.dirs[sub]; ok {
			if len(files) > 0 || len(m.subdirs(sub)) > 0 {
				return &fs.PathError{Op: "remove", Path: name, Err: fmt.Errorf("folder not empty")}
			}
			delete(m.dirs, sub)
			return nil
		}
	}
	return notExist("remove", name)
}

// subdirs returns the names of the folders directly under dir; m.mu is held.
func (m *MemFS) subdirs(dir string) []string {
	var out []string
	for d := range m.dirs {
		if d != "" && d != dir {
			if parent, name := split(d); parent == dir {
				out = append(out, name)
			}
		}
	}
	return out
}

// ReadDir implements [FS].
func (m *MemFS) ReadDir(name string) ([]fs.DirEntry, error) {
	dir := path.Clean("/" + name)[1:]
	m.mu.Lock()
	defer m.mu.Unlock()
	files, ok := m.dirs[dir]
	if !ok {
		return nil, notExist("open", name)
	}
	out := make([]fs.DirEntry, 0, len(files))
	for f, b := range files {
		out = append(out, memEntry{name: f, size: int64(len(b))})
	}
	for _, d := range m.subdirs(dir) {
		out = append(out, memEntry{name: d, dir: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// memEntry is a file or folder of a MemFS listing; it is its own
// fs.FileInfo. Modification times are the zero Time: a MemFS has no
// leftovers of killed writers to age.
type memEntry struct {
	name string
	size int64
	dir  bool
}

func (e memEntry) Name() string               { return e.name }
func (e memEntry) IsDir() bool                { return e.dir }
func (e memEntry) Size() int64                { return e.size }
func (e memEntry) ModTime() time.Time         { return time.Time{} }
func (e memEntry) Sys() any                   { return nil }
func (e memEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e memEntry) Type() fs.FileMode          { return e.Mode().Type() }
func (e memEntry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

// MkdirAll implements [FS].
func (m *MemFS) MkdirAll(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := path.Clean("/" + name)[1:]; d != ""; d, _ = split(d) {
		if _, ok := m.dirs[d]; !ok {
			m.dirs[d] = map[string][]byte{}
		}
	}
	return nil
}

// Lock implements [Locker]: it excludes the other writers of this MemFS
// (and of no clone).
func (m *MemFS) Lock() (unlock func(), locked bool, err error) {
	m.writer.Lock()
	return m.writer.Unlock, true, nil
}

// Clone returns an independent copy: the same files, changing apart from
// now on (one client of a simulated fleet taking another path). The copy
// shares the stored bytes, which are never modified, so it costs one map
// entry per file.
func (m *MemFS) Clone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &MemFS{dirs: make(map[string]map[string][]byte, len(m.dirs))}
	for d, files := range m.dirs {
		cf := make(map[string][]byte, len(files))
		for f, b := range files {
			cf[f] = b
		}
		c.dirs[d] = cf
	}
	return c
}

// WriteDir writes the folder out under the operating-system directory dir
// (created if needed), replacing files of the same names and leaving
// others: the same layout, readable by [Open] and `winchain urlcache`. The
// files are written without fsync, each through a temporary file and a
// rename inside dir as [DirFS] writes (a symbolic link where a file goes is
// replaced, and one on the way that leads out of dir is a *[SymlinkError]).
func (m *MemFS) WriteDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cache: write %s: %w", dir, err)
	}
	out := DirFS(dir)
	names := make([]string, 0, len(m.dirs))
	for d := range m.dirs {
		names = append(names, d)
	}
	sort.Strings(names) // parents before their children
	for _, d := range names {
		if d != "" && d != "." {
			if err := out.MkdirAll(d); err != nil {
				return err
			}
		}
		files := make([]string, 0, len(m.dirs[d]))
		for f := range m.dirs[d] {
			files = append(files, f)
		}
		sort.Strings(files)
		for _, f := range files {
			name := path.Join(d, f)
			err := out.inRoot(func(r *os.Root) error { return writeIn(r, filepath.FromSlash(name), m.dirs[d][f], 0o644, false) })
			if err != nil {
				return out.fail("write", name, d, err)
			}
		}
	}
	return nil
}
