package urlcache_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// A folder in memory has the layout of one on disk: what a MemFS holds,
// written out with WriteDir, reads back through Open entry for entry and
// byte for byte, and `winchain urlcache` sees the same folder.
func TestMemFS_SameLayoutAsDisk(t *testing.T) {
	mem := urlcache.NewMemFS()
	mf, err := urlcache.OpenFS(mem, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	df, err := urlcache.Open(dir, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	urls := []string{"http://pki.example.test/a.crl", "http://pki.example.test/b.crt", "http://ocsp.example.test/"}
	for i, u := range urls {
		body := bytes.Repeat([]byte{byte('a' + i)}, 10+i)
		name := ""
		if i == 2 {
			name = "0A1B_" + urlcache.URLName(u) // an OCSP group prefix
		}
		for _, f := range []*urlcache.Folder{mf, df} {
			if err := f.Put(name, urlcache.NewMetaData(u, len(body), t0, `"e"`), body); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec := urlcache.OfflineRecord{URL: urls[0], Failures: 2, LastFailure: t0, RetryAfter: t0.Add(time.Hour)}
	for _, f := range []*urlcache.Folder{mf, df} {
		if err := f.PutOfflineRecord(rec); err != nil {
			t.Fatal(err)
		}
		if err := f.Delete(urlcache.URLName(urls[1])); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	if err := mem.WriteDir(out); err != nil {
		t.Fatal(err)
	}
	if got, want := tree(t, out), tree(t, dir); !equalTrees(got, want, urlcache.LockFile) {
		t.Fatalf("memory folder written out:\n%v\nwant the disk folder's:\n%v", got, want)
	}
	back, err := urlcache.Open(out, urlcache.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !back.IsWinchain() || !mf.IsWinchain() {
		t.Error("the marker file is missing")
	}
	for _, f := range []*urlcache.Folder{mf, back} {
		ents, problems, err := f.List()
		if err != nil || len(problems) != 0 || len(ents) != 2 {
			t.Fatalf("List: %d entries, problems %v, err %v", len(ents), problems, err)
		}
		e, err := f.Get(urls[2])
		if err != nil || e == nil || e.Name != "0A1B_"+urlcache.URLName(urls[2]) || !bytes.Equal(e.Body, bytes.Repeat([]byte{'c'}, 12)) {
			t.Fatalf("Get(OCSP) = %+v, %v", e, err)
		}
		if e, err := f.Get(urls[1]); e != nil || err != nil {
			t.Fatalf("deleted entry: %+v, %v", e, err)
		}
		got, ok, err := f.OfflineRecord(urls[0])
		if err != nil || !ok || got.Failures != 2 || !got.RetryAfter.Equal(rec.RetryAfter) {
			t.Fatalf("OfflineRecord = %+v, %v, %v", got, ok, err)
		}
	}
	if err := mf.DeleteOfflineRecords(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := mf.OfflineRecord(urls[0]); ok {
		t.Error("offline record survived DeleteOfflineRecords")
	}
	if err := back.Put("", urlcache.NewMetaData(urls[0], 1, t0, ""), []byte("x")); err == nil {
		t.Error("Put on a read-only folder succeeded")
	}
}

// tree maps each file under dir to its contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// equalTrees compares two trees, ignoring the file skip (the OS lock file,
// which only a DirFS has).
func equalTrees(a, b map[string]string, skip string) bool {
	delete(a, skip)
	delete(b, skip)
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// A clone changes apart from its original (a fleet cohort that splits), and
// neither sees the other's writes.
func TestMemFS_Clone(t *testing.T) {
	mem := urlcache.NewMemFS()
	f, err := urlcache.OpenFS(mem, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const u = "http://pki.example.test/a.crl"
	if err := f.Put("", urlcache.NewMetaData(u, 1, t0, ""), []byte("1")); err != nil {
		t.Fatal(err)
	}
	c, err := urlcache.OpenFS(mem.Clone(), urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Put("", urlcache.NewMetaData(u, 1, t0, ""), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete(urlcache.URLName(u)); err != nil {
		t.Fatal(err)
	}
	if e, err := f.Get(u); e != nil || err != nil {
		t.Fatalf("original after Delete: %+v, %v", e, err)
	}
	if e, err := c.Get(u); err != nil || e == nil || string(e.Body) != "2" {
		t.Fatalf("clone: %+v, %v", e, err)
	}
}

// A MemFS never hands out its stored bytes: a caller that changes what it
// read or wrote does not change the folder.
func TestMemFS_CopiesBytes(t *testing.T) {
	mem := urlcache.NewMemFS()
	data := []byte("abc")
	if err := mem.WriteFile("f", data); err != nil {
		t.Fatal(err)
	}
	data[0] = 'X'
	got, err := mem.ReadFile("f", 3)
	if err != nil || string(got) != "abc" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	got[0] = 'Y'
	if again, _ := mem.ReadFile("f", 3); string(again) != "abc" {
		t.Fatalf("stored bytes changed to %q", again)
	}
	if _, err := mem.ReadFile("f", 2); err == nil {
		t.Fatal("read over the limit succeeded")
	}
	if _, err := mem.ReadFile("missing", 10); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if err := mem.WriteFile("nodir/f", data); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
}

// Concurrent writers of one entry in a MemFS hold its lock, so every read
// finds a whole pair (run with -race).
func TestMemFS_ConcurrentWriters(t *testing.T) {
	f, err := urlcache.OpenFS(urlcache.NewMemFS(), urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const u = "http://pki.example.test/a.crl"
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				body := bytes.Repeat([]byte{byte('a' + w)}, 1+w)
				if err := f.Put("", urlcache.NewMetaData(u, len(body), t0.Add(time.Duration(w)*time.Hour), ""), body); err != nil {
					t.Error(err)
					return
				}
				if e, err := f.Get(u); err != nil || e == nil {
					t.Errorf("Get: %+v, %v", e, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	e, err := f.Get(u)
	if err != nil || e == nil {
		t.Fatal(err)
	}
	w := int(e.Body[0] - 'a')
	if len(e.Body) != 1+w || !e.Meta.LastDownload.Equal(t0.Add(time.Duration(w)*time.Hour)) {
		t.Fatalf("pair of two writers: %q with LastDownload %v", e.Body, e.Meta.LastDownload)
	}
}

// WriteState: equal contents give equal digests whatever the order of
// writes; a clone starts equal; a changed byte, a moved file or a new empty
// folder differs.
func TestMemFSWriteState(t *testing.T) {
	sum := func(m *urlcache.MemFS) string {
		h := sha256.New()
		m.WriteState(h)
		return string(h.Sum(nil))
	}
	a, b := urlcache.NewMemFS(), urlcache.NewMemFS()
	for _, m := range []*urlcache.MemFS{a, b} {
		if err := m.MkdirAll("MetaData"); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.WriteFile("MetaData/X", []byte("one")))
	must(a.WriteFile("Y", []byte("two")))
	must(b.WriteFile("Y", []byte("two")))
	must(b.WriteFile("MetaData/X", []byte("one")))
	if sum(a) != sum(b) {
		t.Fatal("same files, different digests")
	}
	c := a.Clone()
	if sum(c) != sum(a) {
		t.Fatal("a clone differs")
	}
	must(c.WriteFile("Y", []byte("twO")))
	if sum(c) == sum(a) {
		t.Fatal("a changed byte keeps the digest")
	}
	d := urlcache.NewMemFS()
	must(d.MkdirAll("MetaData"))
	must(d.WriteFile("MetaData/Y", []byte("two")))
	must(d.WriteFile("X", []byte("one")))
	if sum(d) == sum(a) {
		t.Fatal("files in other folders give the same digest")
	}
	must(b.MkdirAll("Content"))
	if sum(b) == sum(a) {
		t.Fatal("an empty folder is not part of the digest")
	}
}
