package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

// TestWriteFoldersExactSize: the check of the folders' exact size before
// they are written (after the estimate of checkWork) lets a total of
// exactly the limit through and refuses one byte more, writing nothing.
// The limit is a parameter of writeFolders (MaxWorkDirBytes in Run), so
// the byte boundary is tested on small folders.
func TestWriteFoldersExactSize(t *testing.T) {
	sm := &sim{}
	for i, body := range []string{"first CRL body", "a second, longer body"} {
		mem := urlcache.NewMemFS()
		f, err := urlcache.OpenFS(mem, urlcache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		u := fmt.Sprintf("http://pki.example.test/%d.crl", i)
		if err := f.Put("", urlcache.NewMetaData(u, len(body), time.Unix(1_800_000_000, 0), ""), []byte(body)); err != nil {
			t.Fatal(err)
		}
		sm.cohorts = append(sm.cohorts, &cohort{id: i, mem: mem})
	}
	total := sm.cohorts[0].mem.Size() + sm.cohorts[1].mem.Size()

	over := filepath.Join(t.TempDir(), "over")
	err := sm.writeFolders(over, total-1)
	var se *Error
	if !errors.As(err, &se) || se.File != over {
		t.Fatalf("one byte over the limit: %v", err)
	}
	want := fmt.Sprintf("%s: the 2 cache folders hold %d bytes, above the limit of %d (MaxWorkDirBytes); nothing was written", over, total, total-1)
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := os.Stat(over); !os.IsNotExist(err) {
		t.Errorf("something was written under %s: %v", over, err)
	}

	at := filepath.Join(t.TempDir(), "at")
	if err := sm.writeFolders(at, total); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
	var written int64
	filepath.Walk(at, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			written += fi.Size()
		}
		return err
	})
	if written != total {
		t.Errorf("%d bytes written, the folders hold %d", written, total)
	}
}
