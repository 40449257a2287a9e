//go:build unix

package urlcache_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/internal/boundedio"
)

// within runs f and fails the test if it has not returned within a few
// seconds. A reader blocked in the open of a FIFO is then released by
// opening every FIFO under dir for writing, again until f returns (it may
// block on the next one), so the test ends either way.
func within(t *testing.T, dir string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
		return
	case <-time.After(5 * time.Second):
	}
	for {
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
				if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					w.Close()
				}
			}
			return nil
		})
		select {
		case <-done:
			t.Fatal("reading the folder blocked on a FIFO")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// A hostile folder (issue 15): a FIFO as a MetaData or a Content file, a
// symbolic link out of the folder (to a file elsewhere, to /dev/zero) or a
// MetaData folder that is a link elsewhere. Reading it never blocks, never
// reads outside the folder, and reports each such entry as a problem while
// the good entry still reads.
func TestFolder_HostileFiles(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	f, err := urlcache.Open(dir, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, k := range []string{"good", "fifo-meta", "fifo-content", "link-out", "link-zero", "link-in"} {
		u := "http://pki.example.test/" + k + ".crl"
		urls[k] = u
		body := []byte("body of " + k)
		if err := f.Put("", urlcache.NewMetaData(u, len(body), time.Unix(1_800_000_000, 0), ""), body); err != nil {
			t.Fatal(err)
		}
	}
	meta := func(k string) string { return filepath.Join(dir, urlcache.MetaDataDir, urlcache.URLName(urls[k])) }
	content := func(k string) string { return filepath.Join(dir, urlcache.ContentDir, urlcache.URLName(urls[k])) }
	replace := func(p string, make func(string) error) {
		t.Helper()
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := make(p); err != nil {
			t.Skip("cannot make the hostile file:", err)
		}
	}
	mkfifo := func(p string) error { return syscall.Mkfifo(p, 0o644) }
	replace(meta("fifo-meta"), mkfifo)
	replace(content("fifo-content"), mkfifo)
	secret := filepath.Join(outside, "secret")
	os.WriteFile(secret, []byte("body of link-out"), 0o644) // same size as the record says
	replace(content("link-out"), func(p string) error { return os.Symlink(secret, p) })
	replace(content("link-zero"), func(p string) error { return os.Symlink("/dev/zero", p) })
	// A link that stays inside the folder is followed.
	inside := filepath.Join(dir, "kept")
	os.WriteFile(inside, []byte("body of link-in"), 0o644)
	replace(content("link-in"), func(p string) error { return os.Symlink("../kept", p) })

	var ents []*urlcache.Entry
	var problems []urlcache.Problem
	within(t, dir, func() { ents, problems, err = f.List() })
	if err != nil || len(ents) != 2 {
		t.Fatalf("List: %d entries, err %v", len(ents), err)
	}
	got := map[string]string{}
	for _, p := range problems {
		got[p.Name] = p.Err.Error()
	}
	want := map[string]string{
		"fifo-meta":    "a named pipe (FIFO), not a regular file",
		"fifo-content": "a named pipe (FIFO), not a regular file",
		"link-out":     "leads out of its folder (symbolic link); not read",
		"link-zero":    "leads out of its folder (symbolic link); not read",
	}
	for k, w := range want {
		if msg := got[urlcache.URLName(urls[k])]; !strings.Contains(msg, w) {
			t.Errorf("%s: problem %q, want it to say %q", k, msg, w)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("problems %v", problems)
	}
	for _, k := range []string{"good", "link-in"} {
		var e *urlcache.Entry
		within(t, dir, func() { e, err = f.Get(urls[k]) })
		if err != nil || e == nil || string(e.Body) != "body of "+k {
			t.Errorf("%s: %+v, %v", k, e, err)
		}
	}
	within(t, dir, func() { _, err = f.Get(urls["fifo-content"]) })
	if !errors.As(err, new(*urlcache.CorruptEntryError)) || !errors.Is(err, boundedio.ErrNotRegular) {
		t.Errorf("fifo-content: %v", err)
	}

	// The whole MetaData folder a link to another folder: nothing in it is
	// read.
	evil := t.TempDir()
	os.MkdirAll(filepath.Join(evil, "Content"), 0o755)
	if err := os.Symlink(filepath.Join(dir, urlcache.MetaDataDir), filepath.Join(evil, urlcache.MetaDataDir)); err != nil {
		t.Fatal(err)
	}
	ef, err := urlcache.Open(evil, urlcache.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	within(t, evil, func() { ents, problems, err = ef.List() })
	if len(ents) != 0 || len(problems) != 6 || !errors.Is(problems[0].Err, boundedio.ErrOutside) {
		t.Errorf("through a linked MetaData folder: %d entries read, problems %v", len(ents), problems)
	}
}
