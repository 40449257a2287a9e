package urlcache_test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/clock"
)

// Temporary files left by killed writers (.winchain-tmp-*) are never read
// as entries, and the next writer of the folder removes those older than
// TempFileGrace (issue 15: 80–120 per 200 kills were left behind), on the
// clock it is given, never by sleeping: younger ones may belong to a live
// writer and stay, and so do files that are not winchain's.
func TestTempFiles_RemovedByTheNextWriter(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(now)
	f, err := urlcache.Open(dir, urlcache.Options{FileClock: clk})
	if err != nil {
		t.Fatal(err)
	}
	const u = "http://pki.example.test/a.crl"
	if err := os.MkdirAll(filepath.Join(dir, urlcache.OfflineDir), 0o755); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-urlcache.TempFileGrace - time.Minute)
	leftovers := map[string]time.Time{
		".winchain-tmp-1":                               old,
		"Content/.winchain-tmp-2":                       old,
		"MetaData/.winchain-tmp-3":                      old,
		urlcache.OfflineDir + "/.winchain-tmp-4":        old,
		"Content/.winchain-tmp-young":                   now.Add(-10 * time.Minute),
		"Content/notes.txt":                             old, // not winchain's
		"MetaData/.winchain-tmp-" + urlcache.URLName(u): old,
	}
	for name, mt := range leftovers {
		p := filepath.Join(dir, filepath.FromSlash(name))
		// A temporary MetaData file holds a whole record: it must still
		// not be read as an entry.
		if err := os.WriteFile(p, urlcache.NewMetaData(u, 1, now, "").Marshal(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	// Read-only readers list nothing and report nothing.
	ro, _ := urlcache.Open(dir, urlcache.Options{ReadOnly: true, FileClock: clk})
	ents, problems, err := ro.List()
	if err != nil || len(ents) != 0 || len(problems) != 0 {
		t.Fatalf("List: %v, %v, %v", ents, problems, err)
	}
	if e, err := ro.Get(u); e != nil || err != nil {
		t.Fatalf("Get: %+v, %v", e, err)
	}
	if got := temps(t, dir); len(got) != 6 {
		t.Fatalf("a reader removed files: %v", got)
	}

	if err := f.Put("", urlcache.NewMetaData(u, 1, now, ""), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got, want := temps(t, dir), []string{"Content/.winchain-tmp-young"}; !equal(got, want) {
		t.Fatalf("after the first write: %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "Content", "notes.txt")); err != nil {
		t.Fatalf("a file that is not winchain's was removed: %v", err)
	}
	// A writer looks again once per grace period, not at every write.
	p := filepath.Join(dir, "MetaData", ".winchain-tmp-later")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, old, old)
	if err := f.Put("", urlcache.NewMetaData(u, 1, now, ""), []byte("y")); err != nil {
		t.Fatal(err)
	}
	if got := temps(t, dir); len(got) != 2 {
		t.Fatalf("swept again within the grace period: %v", got)
	}
	clk.Advance(urlcache.TempFileGrace)
	if err := f.Delete(urlcache.URLName(u)); err != nil {
		t.Fatal(err)
	}
	if got := temps(t, dir); len(got) != 0 {
		t.Fatalf("an hour later: %v left", got)
	}
}

// temps lists the temporary files under dir, sorted.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{".", "Content", "MetaData", urlcache.OfflineDir} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			if !e.IsDir() && len(e.Name()) > 14 && e.Name()[:14] == ".winchain-tmp-" {
				out = append(out, filepath.ToSlash(filepath.Join(sub, e.Name())))
			}
		}
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
