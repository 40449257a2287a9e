package urlcache_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

// hookFS runs afterRead after each ReadFile: a writer that acts exactly
// between two reads of a reader, which takes no lock.
type hookFS struct {
	urlcache.FS
	afterRead func(name string)
}

func (h hookFS) ReadFile(name string, limit int64) ([]byte, error) {
	b, err := h.FS.ReadFile(name, limit)
	if h.afterRead != nil {
		h.afterRead(name)
	}
	return b, err
}

// crashFS is a process killed right after it wrote a file whose name ends
// in killAfter: from then on nothing it does reaches the folder.
type crashFS struct {
	*urlcache.MemFS
	killAfter string
	dead      bool
}

var errKilled = errors.New("killed")

func (c *crashFS) WriteFile(name string, data []byte) error {
	if c.dead {
		return errKilled
	}
	if err := c.MemFS.WriteFile(name, data); err != nil {
		return err
	}
	c.dead = strings.HasPrefix(name, c.killAfter) || strings.HasSuffix(name, c.killAfter)
	return nil
}

func (c *crashFS) Remove(name string) error {
	if c.dead {
		return errKilled
	}
	return c.MemFS.Remove(name)
}

const tornURL = "http://pki.example.test/torn.crl"

// version returns the MetaData and the Content of write v of tornURL: the
// record's LastDownload and the body both carry v, and every body has the
// same size (a CA re-publishing a CRL of the same length).
func version(v int) (*urlcache.MetaData, []byte) {
	body := []byte(fmt.Sprintf("crl-version-%04d", v))
	return urlcache.NewMetaData(tornURL, len(body), t0.Add(time.Duration(v)*time.Hour), ""), body
}

// versionOf checks that e is one whole write and returns its number.
func versionOf(t *testing.T, e *urlcache.Entry) int {
	t.Helper()
	var v int
	if _, err := fmt.Sscanf(string(e.Body), "crl-version-%04d", &v); err != nil {
		t.Fatalf("body %q is no write's", e.Body)
	}
	if want := t0.Add(time.Duration(v) * time.Hour); !e.Meta.LastDownload.Equal(want) {
		t.Fatalf("torn entry: Content of write %d under the MetaData of another (LastDownload %v, want %v)",
			v, e.Meta.LastDownload, want)
	}
	return v
}

// A reader takes no lock: a writer may replace the whole entry between the
// reader's read of the MetaData and its read of the Content. With bodies of
// the same size the size check cannot see it (issue 15: 0.24 % of reads
// with two writers re-publishing a same-size CRL); the reader must.
func TestReadEntry_WholePutBetweenTheReads(t *testing.T) {
	mem := urlcache.NewMemFS()
	w, err := urlcache.OpenFS(mem, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	md, body := version(1)
	if err := w.Put("", md, body); err != nil {
		t.Fatal(err)
	}
	// After each read of the MetaData, a whole Put of the next version.
	next := 1
	reader, err := urlcache.OpenFS(hookFS{FS: mem, afterRead: func(name string) {
		if name == urlcache.MetaDataDir+"/"+urlcache.URLName(tornURL) && next < 3 {
			next++
			md, body := version(next)
			if err := w.Put("", md, body); err != nil {
				t.Error(err)
			}
		}
	}}, urlcache.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	e, err := reader.Get(tornURL)
	if err != nil || e == nil {
		t.Fatalf("Get: %+v, %v", e, err)
	}
	if v := versionOf(t, e); v != 3 {
		t.Fatalf("read write %d, want the last one, 3 (the writers had stopped)", v)
	}
}

// Two crashes in a row: a Put killed after its Content rename (its journal
// says how to finish it), then the next Put killed right after it wrote its
// own journal. The first journal must not be lost: the entry reads back as
// the first Put's, whole — not its Content under the old MetaData, and not
// a corrupt miss.
func TestPut_TwoCrashesInARow(t *testing.T) {
	for _, sameSize := range []bool{true, false} {
		t.Run(fmt.Sprintf("same size %v", sameSize), func(t *testing.T) {
			mem := urlcache.NewMemFS()
			f, err := urlcache.OpenFS(mem, urlcache.Options{})
			if err != nil {
				t.Fatal(err)
			}
			md, body := version(1)
			if err := f.Put("", md, body); err != nil {
				t.Fatal(err)
			}
			// Process 2: journal and Content written, killed before the
			// MetaData rename.
			p2, _ := urlcache.OpenFS(&crashFS{MemFS: mem, killAfter: urlcache.ContentDir + "/"}, urlcache.Options{})
			md2, body2 := version(2)
			if !sameSize {
				body2 = append(body2, "-longer"...)
				md2.ContentSize = uint32(len(body2))
			}
			if err := p2.Put("", md2, body2); !errors.Is(err, errKilled) {
				t.Fatalf("Put 2: %v", err)
			}
			// Process 3: killed right after writing its journal.
			p3, _ := urlcache.OpenFS(&crashFS{MemFS: mem, killAfter: ".winchain-pending"}, urlcache.Options{})
			md3, body3 := version(3)
			if err := p3.Put("", md3, body3); !errors.Is(err, errKilled) {
				t.Fatalf("Put 3: %v", err)
			}
			e, err := f.Get(tornURL)
			if err != nil || e == nil {
				t.Fatalf("entry lost after two crashes: %+v, %v", e, err)
			}
			if !bytes.Equal(e.Body, body2) || !e.Meta.LastDownload.Equal(md2.LastDownload) {
				t.Fatalf("read %q (LastDownload %v), want write 2 whole: %q (%v)", e.Body, e.Meta.LastDownload, body2, md2.LastDownload)
			}
			// The next complete Put leaves one clean entry.
			md4, body4 := version(4)
			if err := f.Put("", md4, body4); err != nil {
				t.Fatal(err)
			}
			ents, problems, err := f.List()
			if err != nil || len(problems) != 0 || len(ents) != 1 || versionOf(t, ents[0]) != 4 {
				t.Fatalf("List: %v, %v, %v", ents, problems, err)
			}
			files, _ := mem.ReadDir(urlcache.MetaDataDir)
			if len(files) != 1 {
				t.Fatalf("MetaData holds %d files, want the record alone: %v", len(files), files)
			}
		})
	}
}

// Same-size concurrent writers on a real folder: two writers re-publish a
// CRL of one size while readers read it without a lock. No read may pair
// one write's Content with another's MetaData. The torn-read rate is logged
// (issue 15 measured 0.24 % before readers checked what they read).
func TestReadEntry_SameSizeConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	reads := 20000
	if testing.Short() {
		reads = 4000
	}
	w, err := urlcache.Open(dir, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	md, body := version(0)
	if err := w.Put("", md, body); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			// A Folder per writer, as in two processes: the OS lock
			// (flock on its own open file) excludes them.
			f, err := urlcache.Open(dir, urlcache.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			for v := 1 + g; ; v += 2 {
				select {
				case <-done:
					return
				default:
				}
				md, body := version(v % 10000)
				if err := f.Put("", md, body); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	r, err := urlcache.Open(dir, urlcache.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var torn, problems int
	for i := 0; i < reads; i++ {
		e, err := r.Get(tornURL)
		if err != nil {
			problems++
			continue
		}
		var v int
		fmt.Sscanf(string(e.Body), "crl-version-%04d", &v)
		if !e.Meta.LastDownload.Equal(t0.Add(time.Duration(v) * time.Hour)) {
			torn++
		}
	}
	close(done)
	wg.Wait()
	t.Logf("%d reads: %d torn (%.3f %%), %d reported as changing while read", reads, torn, 100*float64(torn)/float64(reads), problems)
	if torn > 0 {
		t.Fatalf("%d of %d reads paired one write's Content with another's MetaData", torn, reads)
	}
}
