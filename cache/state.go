package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sort"
	"time"
)

// State digests: a canonical encoding of everything that can change what a
// Retriever (or an OfflineState) answers from now on, and nothing else — no
// counters, no timings of the calls that led there. A fleet simulation runs
// one Retriever for every group of clients in the same state; when two
// groups' digests become equal again (after a reboot, both re-read the
// same disk cache), their clients answer every future retrieval the same
// and can share one Retriever again (issue 16: cohorts merge).

// WriteState writes the Retriever's state digest to h: the memory cache
// (per URL: the object's SHA-256, the cache file name, the download and
// expiry times, the HTTP validators, the sticky flag) and, when the
// offline-URL records live in the process (ScopeProcess), those records.
// Records of a shared OfflineState and the disk cache are written by their
// own owners ([OfflineState.WriteState] and the folder). Two Retrievers
// with the same Config whose digests are equal behave the same from now on.
func (r *Retriever) WriteState(h hash.Hash) {
	r.mu.Lock()
	urls := make([]string, 0, len(r.mem))
	for u := range r.mem {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	es := make([]*entry, len(urls))
	sums := make([][32]byte, len(urls))
	// Bodies never change (a new download is a new entry): each is hashed
	// once, and only the digests of entries still held are kept.
	kept := make(map[*entry][32]byte, len(urls))
	for i, u := range urls {
		e := r.mem[u]
		sum, ok := r.sums[e]
		if !ok {
			sum = sha256.Sum256(e.body)
		}
		es[i], sums[i], kept[e] = e, sum, sum
	}
	r.sums = kept
	r.mu.Unlock()
	var w stateWriter
	w.h = h
	w.int(int64(len(urls)))
	for i, u := range urls {
		e := es[i]
		w.str(u)
		h.Write(sums[i][:])
		w.str(e.name)
		w.time(e.lastDownload)
		w.time(e.expires)
		w.str(e.etag)
		w.int(int64(e.maxAge))
		w.bool(e.sticky)
	}
	if st, ok := r.offline.(*OfflineState); ok && r.cfg.OfflineState != st {
		w.str("process-offline")
		st.WriteState(h)
	}
}

// WriteState writes the records' digest to h (sorted by URL).
func (s *OfflineState) WriteState(h hash.Hash) {
	w := stateWriter{h: h}
	recs := s.Records()
	w.int(int64(len(recs)))
	for _, r := range recs {
		w.str(r.URL)
		w.int(int64(r.Failures))
		w.time(r.LastFailure)
		w.time(r.RetryAfter)
	}
}

// stateWriter writes length-prefixed fields, so no two states encode alike.
type stateWriter struct {
	h   hash.Hash
	buf [10]byte
}

func (w *stateWriter) int(v int64) {
	n := binary.PutVarint(w.buf[:], v)
	w.h.Write(w.buf[:n])
}

func (w *stateWriter) str(s string) {
	w.int(int64(len(s)))
	w.h.Write([]byte(s))
}

func (w *stateWriter) bool(b bool) {
	if b {
		w.int(1)
	} else {
		w.int(0)
	}
}

func (w *stateWriter) time(t time.Time) {
	if t.IsZero() {
		w.int(0)
		return
	}
	w.int(1)
	w.int(t.Unix())
	w.int(int64(t.Nanosecond()))
}
