package scenario

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"path/filepath"
	"sort"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
)

// How a fleet run stays proportional to the number of distinct client
// states (issue 16):
//
//   - clients in one state form a cohort that is evaluated once per
//     connection (the members only count);
//   - a partial-fleet event splits a cohort into the part it touches and the
//     rest, copying the state (the cache folder is in memory, a copy shares
//     its bytes);
//   - after every step, each cohort whose state may have changed is filed
//     by its state digest (stateOf); two cohorts of one group and phase
//     with equal digests behave the same from then on and merge.
//
// The digest covers everything that can change a later connection or the
// report: the process (memory cache, engine cache, remembered CRLs and OCSP
// counts), the service's offline-URL records, the disk cache folder, the
// user CA store, the clock skew, the resync time, the TLS sessions that can
// still be resumed, and the open failure episode. It leaves out what only
// saves work (signature and parsed-CRL caches) and what can no longer
// matter (a session expired beyond any later clock jump, the causes of an
// episode that ended), so reboots, restarts and cache deletes merge back
// once the affected clients have fetched the same objects again.

// stateKey files a cohort by group, connection phase and state digest.
type stateKey struct {
	group, phase int
	sum          [32]byte
}

// openFolder makes m the cohort's disk cache folder, bounded as the
// client's Retriever bounds a folder on disk (MaxUrlRetrievalByteCount).
func (c *cohort) openFolder(m *urlcache.MemFS) error {
	f, err := urlcache.OpenFS(m, c.g.clientCfg.CacheFolderOptions())
	if err != nil {
		return err
	}
	c.mem, c.folder = m, f
	return nil
}

// resyncAhead returns, per event index, whether that event or a later one
// is a resync (one more entry, false, for "none left").
func resyncAhead(events []EventSpec) []bool {
	out := make([]bool, len(events)+1)
	for i := len(events) - 1; i >= 0; i-- {
		out[i] = out[i+1] || events[i].Resync
	}
	return out
}

// backJumps returns, per event index, the sum of the backward clock jumps
// of that event and the later ones (one more entry, 0, for "none left").
func backJumps(events []EventSpec) []time.Duration {
	out := make([]time.Duration, len(events)+1)
	for i := len(events) - 1; i >= 0; i-- {
		out[i] = out[i+1]
		if d := events[i].ClockJump.D(); d < 0 {
			out[i] -= d
		}
	}
	return out
}

// stateOf returns the cohort's state key at step time t.
func (sm *sim) stateOf(c *cohort, t time.Time) stateKey {
	h := sha256.New()
	w := digestWriter{h: h}
	w.int(int64(c.skew))
	w.time(c.resync)
	// A session can be resumed again only while the client's clock is
	// within its lifetime; the clock moves forward with the run and back
	// only by the backward clock jumps still to come.
	earliest := t.Add(c.skew).Add(-sm.backJumps[sm.nextEvent])
	names := make([]string, 0, len(c.sessions))
	for n, s := range c.sessions {
		if earliest.Sub(s.at) < c.g.lifetime {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	w.int(int64(len(names)))
	for _, n := range names {
		w.str(n)
		w.str(c.sessions[n].chainKey)
		w.time(c.sessions[n].at)
	}
	w.str(c.lastOutcome)
	w.bool(c.everFailed)
	if c.lastOutcome != "" && c.lastOutcome != "trusted" {
		// An open failure episode: when it began, its causes and the event
		// it will be reported "after".
		w.time(c.failSince)
		w.str(c.failCause)
		w.str(c.lastCause)
		w.str(c.lastEventSince(c.failSince))
	}
	// Download times matter to later retrievals only through a resync
	// still to come; without one they are left out, so clients that
	// fetched the same objects at different times (after a reboot, a cache
	// delete) merge again.
	c.client.WriteState(h, cache.StateOptions{Folder: true, OmitDownloadTimes: !sm.resyncAhead[sm.nextEvent]})
	k := stateKey{group: c.g.index, phase: c.phase}
	h.Sum(k.sum[:0])
	return k
}

// mergeDirty files every cohort whose state may have changed and merges it
// with a cohort already in that state; the older cohort (lower id) keeps
// the members of both. It then drops the empty cohorts and enforces
// MaxCohorts.
func (sm *sim) mergeDirty(t time.Time) error {
	if !sm.opts.PerClient {
		for _, c := range sm.cohorts {
			if !c.dirty || len(c.members) == 0 {
				continue
			}
			c.dirty = false
			if c.keyed && sm.states[c.key] == c {
				delete(sm.states, c.key)
			}
			k := sm.stateOf(c, t)
			c.key, c.keyed = k, true
			o := sm.states[k]
			if o == nil || len(o.members) == 0 {
				sm.states[k] = c
				continue
			}
			keep, drop := o, c
			if drop.id < keep.id {
				keep, drop = drop, keep
			}
			keep.members = append(keep.members, drop.members...)
			drop.members = nil
			sm.states[k] = keep
		}
	}
	live := sm.cohorts[:0]
	for _, c := range sm.cohorts {
		if len(c.members) > 0 {
			live = append(live, c)
		}
	}
	for i := len(live); i < len(sm.cohorts); i++ {
		sm.cohorts[i] = nil // let the dropped cohorts' state go
	}
	sm.cohorts = live
	sm.maxCohorts = max(sm.maxCohorts, len(live))
	if limit := sm.stateLimit(); len(live) > limit {
		return &Error{File: sm.spec.errFile(), Field: "events", Err: fmt.Errorf(
			"at %s the clients are in %d different states, above the limit of %d (%s): use fewer partial-fleet events (fraction) or fewer clients%s",
			offset(sm.spec.Start, t), len(live), limit, sm.opts.stateLimitName(), sm.opts.stateLimitHint(", or "))}
	}
	return nil
}

func (sm *sim) stateLimit() int { return sm.opts.stateLimit() }

// writeFolders writes every cohort's cache folder under dir as cNNNNN,
// after checking that they fit in limit bytes (MaxWorkDirBytes; a
// parameter so that the exact-size boundary is tested without a 1 GiB run).
func (sm *sim) writeFolders(dir string, limit int64) error {
	var total int64
	for _, c := range sm.cohorts {
		total += c.mem.Size()
	}
	if total > limit {
		return &Error{File: dir, Err: fmt.Errorf("the %d cache folders hold %d bytes, above the limit of %d (MaxWorkDirBytes); nothing was written", len(sm.cohorts), total, limit)}
	}
	for _, c := range sm.cohorts {
		if err := c.mem.WriteDir(filepath.Join(dir, fmt.Sprintf("c%05d", c.id))); err != nil {
			return err
		}
	}
	return nil
}

// digestWriter writes length-prefixed fields.
type digestWriter struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func (w *digestWriter) int(v int64) { w.h.Write(w.buf[:binary.PutVarint(w.buf[:], v)]) }

func (w *digestWriter) str(s string) {
	w.int(int64(len(s)))
	w.h.Write([]byte(s))
}

func (w *digestWriter) bool(b bool) {
	if b {
		w.int(1)
	} else {
		w.int(0)
	}
}

func (w *digestWriter) time(t time.Time) {
	if t.IsZero() {
		w.int(0)
		return
	}
	w.int(1)
	w.int(t.UnixNano())
}
