package urlcache

import (
	"encoding/binary"
	"hash"
	"sort"
)

// WriteState writes a digest of the folder's contents to h: every folder
// and file name with the file's bytes, in sorted order, length-prefixed. Two
// MemFS with equal digests hold the same files, so a fleet simulation can
// let the clients behind them share one folder again (issue 16: cohorts
// merge when their states become equal).
func (m *MemFS) WriteState(h hash.Hash) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var buf [binary.MaxVarintLen64]byte
	put := func(v int) { h.Write(buf[:binary.PutUvarint(buf[:], uint64(v))]) }
	dirs := make([]string, 0, len(m.dirs))
	for d := range m.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	put(len(dirs))
	for _, d := range dirs {
		put(len(d))
		h.Write([]byte(d))
		files := m.dirs[d]
		names := make([]string, 0, len(files))
		for f := range files {
			names = append(names, f)
		}
		sort.Strings(names)
		put(len(names))
		for _, f := range names {
			put(len(f))
			h.Write([]byte(f))
			put(len(files[f]))
			h.Write(files[f])
		}
	}
}

// Size returns the bytes held by the folder's files (what [MemFS.WriteDir]
// would write).
func (m *MemFS) Size() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, files := range m.dirs {
		for _, b := range files {
			n += int64(len(b))
		}
	}
	return n
}
