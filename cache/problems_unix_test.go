//go:build unix

package cache_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
)

// A write into a real folder whose lock file is a symbolic link out of it
// is refused: the retrieval still succeeds with the object (a cache write
// failure is not a failed retrieval), reports the refused write naming the
// link, and nothing is stored or created.
func TestRetrieve_WriteRefused_ProblemReported(t *testing.T) {
	g := newRig(t)
	crl := getPKI(t).crl(t, t0, t0.Add(7*24*time.Hour), 1)
	g.net.Serve(crlURL, crl)
	outside := filepath.Join(t.TempDir(), "new")
	lock := filepath.Join(g.dir, urlcache.LockFile)
	if err := os.Symlink(outside, lock); err != nil {
		t.Fatal(err)
	}
	r := g.process(t, nil)
	res := get(t, r, crlURL, cache.KindCRL, cache.Options{})
	want(t, res, cache.FromNetwork, "")
	pe := oneProblem(t, res, cache.OutcomeNotWritten)
	var se *urlcache.SymlinkError
	if !errors.As(pe, &se) {
		t.Fatalf("problem %v: want a *urlcache.SymlinkError inside", pe)
	}
	wantMsg := "lock " + lock + ": a symbolic link (to " + outside + "); winchain does not write through one; not written; the object is used from memory"
	if pe.Error() != wantMsg {
		t.Errorf("problem %q\nwant    %q", pe.Error(), wantMsg)
	}
	b, err := json.Marshal(res.LogEntry())
	if err != nil || !strings.Contains(string(b), `"problems":["lock `) {
		t.Errorf("retrievals[] entry %s, %v: want the problem in problems", b, err)
	}
	if _, err := os.Lstat(outside); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the link's target was created: %v", err)
	}
	if _, err := os.Stat(filepath.Join(g.dir, urlcache.ContentDir, urlcache.URLName(crlURL))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Content written through a refused write: %v", err)
	}
	// The memory cache keeps the object for the process.
	want(t, get(t, r, crlURL, cache.KindCRL, cache.Options{CacheOnly: true}), cache.FromMemory, "")
}

// A disk-scoped offline-URL record that cannot be written (its folder is
// a symbolic link out of the cache folder) is reported on the failed
// retrieval; nothing is written outside.
func TestRetrieve_OfflineRecordRefused_ProblemReported(t *testing.T) {
	g := newRig(t)
	r := g.process(t, func(c *cache.Config) { c.Offline = cache.OfflineSeed8h })
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(g.dir, urlcache.OfflineDir)); err != nil {
		t.Fatal(err)
	}
	res := get(t, r, crlURL, cache.KindCRL, cache.Options{OfflineCheck: true})
	want(t, res, cache.FromNetwork, cache.ReasonOffline)
	pe := oneProblem(t, res, cache.OutcomeRecordNotWritten)
	if !strings.Contains(pe.Error(), filepath.Join(g.dir, urlcache.OfflineDir)+": a symbolic link") {
		t.Errorf("problem %q: want it to name the linked folder", pe.Error())
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("written outside the folder: %v", ents)
	}
}
