package netsim_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

// A file the --net file serves is bounded by MaxServedFileSize before it
// is read: a sparse file one byte over is refused naming the file and the
// limit, at the limit it loads.
func TestServedFileSizeIsBounded(t *testing.T) {
	dir := t.TempDir()
	for name, size := range map[string]int64{"over.crl": netsim.MaxServedFileSize + 1, "at.crl": 1 << 10} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	write := func(file string) string {
		p := filepath.Join(dir, "net-"+file+".json")
		if err := os.WriteFile(p, []byte(`{"http://x.test/a.crl": {"file": "`+file+`"}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	_, err := netsim.Load(write("over.crl"), clock.Fixed(t0))
	if err == nil || !strings.Contains(err.Error(), "over.crl") {
		t.Fatalf("a served file over MaxServedFileSize: %v", err)
	}
	if _, err := netsim.Load(write("at.crl"), clock.Fixed(t0)); err != nil {
		t.Fatalf("a small served file: %v", err)
	}
}
