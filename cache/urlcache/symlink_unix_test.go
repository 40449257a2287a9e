//go:build unix

package urlcache_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

// symlinkCase is a folder with one symbolic link where winchain writes, and
// what a write must then report.
type symlinkCase struct {
	// link is the name inside the folder that is a link to target.
	link   string
	target func(outside string) string
	// write is the write that must refuse it.
	write func(f *urlcache.Folder) error
	// file is the name the error must name (the link, or the file written
	// through it).
	file string
}

// Writes never follow a symbolic link out of the folder (a folder copied
// from another machine, or a hostile one): not the lock file, not a
// Content, MetaData or offline-record folder that is a link elsewhere.
// Each write is refused with a *urlcache.SymlinkError naming the file and
// saying it is a symbolic link, and nothing is created, changed or removed
// outside the folder.
func TestWrite_SymlinksNotFollowed(t *testing.T) {
	const u = "http://pki.example.test/a.crl"
	at := time.Unix(1_800_000_000, 0)
	put := func(f *urlcache.Folder) error {
		return f.Put("", urlcache.NewMetaData(u, 4, at, ""), []byte("body"))
	}
	rec := urlcache.OfflineRecord{URL: u, Failures: 1, LastFailure: at, RetryAfter: at.Add(time.Minute)}
	file := func(outside string) string { return filepath.Join(outside, "victim") }
	dir := func(outside string) string { return outside }
	cases := map[string]symlinkCase{
		"lock file to a new file outside": {
			link: urlcache.LockFile, file: urlcache.LockFile, write: put,
			target: func(outside string) string { return filepath.Join(outside, "created") },
		},
		"lock file to a file outside": {link: urlcache.LockFile, file: urlcache.LockFile, write: put, target: file},
		"lock file to a file inside": {
			link: urlcache.LockFile, file: urlcache.LockFile, write: put,
			target: func(string) string { return urlcache.MarkerFile },
		},
		"Content folder": {
			link: urlcache.ContentDir, file: urlcache.ContentDir, write: put, target: dir,
		},
		"MetaData folder, Put": {
			link: urlcache.MetaDataDir, file: urlcache.MetaDataDir, write: put, target: dir,
		},
		"MetaData folder, Delete": {
			link: urlcache.MetaDataDir, file: urlcache.MetaDataDir, target: dir,
			write: func(f *urlcache.Folder) error { return f.Delete(urlcache.URLName(u)) },
		},
		"offline folder, put": {
			link: urlcache.OfflineDir, file: urlcache.OfflineDir, target: dir,
			write: func(f *urlcache.Folder) error { return f.PutOfflineRecord(rec) },
		},
		"offline folder, delete one": {
			link: urlcache.OfflineDir, file: urlcache.OfflineDir, target: dir,
			write: func(f *urlcache.Folder) error { return f.DeleteOfflineRecord(u) },
		},
		"offline folder, delete all": {
			link: urlcache.OfflineDir, file: urlcache.OfflineDir, target: dir,
			write: func(f *urlcache.Folder) error { return f.DeleteOfflineRecords() },
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			outside := t.TempDir()
			// What a Delete through a link would remove, and a file a
			// link may point at.
			victims := map[string]string{
				"victim":            "outside file",
				urlcache.URLName(u): "outside entry",
			}
			for n, b := range victims {
				if err := os.WriteFile(filepath.Join(outside, n), []byte(b), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			root := t.TempDir()
			f, err := urlcache.Open(root, urlcache.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, urlcache.OfflineDir), 0o755); err != nil {
				t.Fatal(err)
			}
			lp := filepath.Join(root, c.link)
			if err := os.RemoveAll(lp); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(c.target(outside), lp); err != nil {
				t.Fatal(err)
			}
			before := tree(t, outside)

			err = c.write(f)
			var se *urlcache.SymlinkError
			if !errors.As(err, &se) {
				t.Fatalf("write: %v (%T), want a *urlcache.SymlinkError", err, err)
			}
			want := filepath.Join(root, c.file)
			if msg := err.Error(); !strings.Contains(msg, want) || !strings.Contains(msg, "symbolic link") {
				t.Errorf("error %q: want it to name %s and say it is a symbolic link", msg, want)
			}
			if after := tree(t, outside); !equalTrees(before, after, "") {
				t.Errorf("outside the folder: before %v, after %v", before, after)
			}
			if fi, err := os.Lstat(lp); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link itself was replaced: %v, %v", fi, err)
			}
		})
	}
}

// A Content or MetaData file that is a symbolic link (to a file outside
// the folder) is replaced by the new file, never written through: the file
// it pointed at keeps its bytes.
func TestPut_ReplacesLinkedEntryFiles(t *testing.T) {
	const u = "http://pki.example.test/a.crl"
	outside := t.TempDir()
	root := t.TempDir()
	f, err := urlcache.Open(root, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{urlcache.ContentDir, urlcache.MetaDataDir} {
		victim := filepath.Join(outside, sub)
		if err := os.WriteFile(victim, []byte("outside file"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(victim, filepath.Join(root, sub, urlcache.URLName(u))); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, outside)
	if err := f.Put("", urlcache.NewMetaData(u, 4, time.Unix(1_800_000_000, 0), ""), []byte("body")); err != nil {
		t.Fatal(err)
	}
	if after := tree(t, outside); !equalTrees(before, after, "") {
		t.Errorf("outside the folder: before %v, after %v", before, after)
	}
	for _, sub := range []string{urlcache.ContentDir, urlcache.MetaDataDir} {
		if fi, err := os.Lstat(filepath.Join(root, sub, urlcache.URLName(u))); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: %v, %v; want a regular file", sub, fi, err)
		}
	}
	if e, err := f.Get(u); err != nil || e == nil || string(e.Body) != "body" {
		t.Errorf("Get: %+v, %v", e, err)
	}
}

// MemFS.WriteDir into a directory that holds a symbolic link where it
// writes a file replaces the link; it never writes through it, and a
// folder of the layout that is a link elsewhere is refused.
func TestMemFS_WriteDirSymlinks(t *testing.T) {
	mem := urlcache.NewMemFS()
	f, err := urlcache.OpenFS(mem, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const u = "http://pki.example.test/a.crl"
	if err := f.Put("", urlcache.NewMetaData(u, 4, time.Unix(1_800_000_000, 0), ""), []byte("body")); err != nil {
		t.Fatal(err)
	}

	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("outside file"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, urlcache.ContentDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(out, urlcache.ContentDir, urlcache.URLName(u))); err != nil {
		t.Fatal(err)
	}
	before := tree(t, outside)
	if err := mem.WriteDir(out); err != nil {
		t.Fatal(err)
	}
	if after := tree(t, outside); !equalTrees(before, after, "") {
		t.Errorf("outside the folder: before %v, after %v", before, after)
	}
	if b, err := os.ReadFile(filepath.Join(out, urlcache.ContentDir, urlcache.URLName(u))); err != nil || string(b) != "body" {
		t.Errorf("Content: %q, %v", b, err)
	}

	linked := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(linked, urlcache.MetaDataDir)); err != nil {
		t.Fatal(err)
	}
	err = mem.WriteDir(linked)
	var se *urlcache.SymlinkError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), filepath.Join(linked, urlcache.MetaDataDir)) {
		t.Errorf("WriteDir through a linked MetaData folder: %v", err)
	}
	if after := tree(t, outside); !equalTrees(before, after, "") {
		t.Errorf("outside the folder: before %v, after %v", before, after)
	}
}
