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

// StateOptions say what [Retriever.WriteState] covers and may leave out.
// The zero value is the memory cache and process-held records, exactly.
type StateOptions struct {
	// Folder also writes the disk cache folder: each entry's MetaData
	// fields and Content digest, and the disk-scoped offline-URL records.
	Folder bool
	// OmitDownloadTimes leaves out when objects without HTTP validators
	// (ETag and max-age) were downloaded, keeping what a later retrieval
	// can still tell from it: whether the object predates the resync time
	// in force, and its expiry. Set it only when no later resync
	// (ChainCacheResyncFiletime, pftCacheResync) can come: then two
	// processes that fetched the same objects at different times answer
	// every later retrieval the same (a download time is otherwise only
	// reported, or compared between the memory and the disk copy, and
	// those are written together).
	OmitDownloadTimes bool
}

// WriteState writes the Retriever's state digest to h: the memory cache
// (per URL: the object's SHA-256, the cache file name, the download and
// expiry times, the HTTP validators, the sticky flag) and, when the
// offline-URL records live in the process (ScopeProcess), those records;
// with opts.Folder the disk cache folder too. Records of a shared
// OfflineState are written by their owner ([OfflineState.WriteState]). Two
// Retrievers with the same Config whose digests are equal behave the same
// from now on.
func (r *Retriever) WriteState(h hash.Hash, opts StateOptions) {
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
		r.writeDownload(&w, e.lastDownload, e.etag, e.maxAge, opts)
		w.time(e.expires)
		w.str(e.etag)
		w.int(int64(e.maxAge))
		w.bool(e.sticky)
	}
	if st, ok := r.offline.(*OfflineState); ok && r.cfg.OfflineState != st {
		w.str("process-offline")
		st.WriteState(h)
	}
	if opts.Folder && r.disk != nil {
		r.writeFolder(&w, opts)
	}
}

// writeDownload writes a download time, or with OmitDownloadTimes (and no
// validators to revalidate with) only whether it predates the resync time.
func (r *Retriever) writeDownload(w *stateWriter, t time.Time, etag string, maxAge time.Duration, opts StateOptions) {
	if opts.OmitDownloadTimes && (etag == "" || maxAge <= 0) {
		w.bool(!r.cfg.ResyncBefore.IsZero() && t.Before(r.cfg.ResyncBefore))
		return
	}
	w.time(t)
}

// writeFolder writes the disk folder's entries (sorted by name) and its
// disk-scoped offline-URL records. An entry read from disk has no max-age:
// its expiry is what a lookup derives from the object and its download
// time.
func (r *Retriever) writeFolder(w *stateWriter, opts StateOptions) {
	w.str("folder")
	ents, problems, err := r.disk.List()
	if err != nil {
		w.str("unreadable: " + err.Error())
		return
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
	w.int(int64(len(ents)))
	for _, e := range ents {
		w.str(e.Name)
		w.str(e.Meta.URL)
		w.str(e.Meta.ETag)
		r.writeDownload(w, e.Meta.LastDownload, e.Meta.ETag, 0, opts)
		if opts.OmitDownloadTimes && ContentKind(e.Body) == ContentOCSP {
			// The one expiry that can depend on the download time (an
			// OCSP response without its own times); every other expiry
			// is read from the object, which the digest covers.
			w.time(objectExpiry("", e.Body, e.Meta.LastDownload, r.cfg.OCSPValidity))
		}
		sum := sha256.Sum256(e.Body)
		w.h.Write(sum[:])
	}
	w.int(int64(len(problems)))
	for _, p := range problems {
		w.str(p.Name)
	}
	recs, err := r.disk.OfflineRecords()
	if err != nil {
		w.str("offline unreadable: " + err.Error())
		return
	}
	w.int(int64(len(recs)))
	for _, rec := range recs {
		w.str(rec.URL)
		w.int(int64(rec.Failures))
		w.time(rec.LastFailure)
		w.time(rec.RetryAfter)
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
