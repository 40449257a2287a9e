package boundedio

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(small, 5); err != nil || string(b) != "12345" {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(small, 4); !errors.As(err, &tl) || tl.Size != 5 || tl.Limit != 4 ||
		err.Error() != "read "+small+": 5 bytes is over the limit of 4 bytes" {
		t.Fatalf("one over the limit: %v", err)
	}
	// A sparse 8 GiB file is refused before any of it is read.
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 8<<30); err != nil {
		t.Skip("no sparse files here:", err)
	}
	if _, err := ReadFile(huge, 1<<20); !errors.As(err, &tl) || tl.Size != 8<<30 {
		t.Fatalf("huge: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 1); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
	// A directory is not a file: the read fails, it is never "empty".
	if _, err := ReadFile(dir, 1<<20); err == nil {
		t.Fatal("a directory read as a file")
	}
}
