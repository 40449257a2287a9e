//go:build unix

package boundedio

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// noHang runs read and fails the test if it has not returned within a few
// seconds (then it opens the FIFO for writing, which releases a reader
// blocked in open, so the test ends either way).
func noHang(t *testing.T, fifo string, read func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- read() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		<-done
		t.Fatalf("reading the FIFO %s blocked", fifo)
		return nil
	}
}

// A FIFO nobody writes to — as a certificate file, a MetaData or a Content
// file of a cache folder — is refused at once, never waited on (issue 15:
// `winchain urlcache list` and `verify` blocked forever); a device too.
func TestReadFile_FIFOAndDevice(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "cert.pem")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	var nr *NotRegularError
	err := noHang(t, fifo, func() error { _, err := ReadFile(fifo, 1<<20); return err })
	if !errors.As(err, &nr) || err.Error() != "read "+fifo+": a named pipe (FIFO), not a regular file" {
		t.Fatalf("ReadFile(FIFO) = %v", err)
	}
	err = noHang(t, fifo, func() error { _, err := ReadFileIn(dir, "cert.pem", 1<<20); return err })
	if !errors.As(err, &nr) {
		t.Fatalf("ReadFileIn(FIFO) = %v", err)
	}
	err = noHang(t, fifo, func() error { f, err := Open(fifo); f.Close(); return err })
	if !errors.As(err, &nr) {
		t.Fatalf("Open(FIFO) = %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := ReadFile("/dev/zero", 1<<20); !errors.As(err, &nr) || err.Error() != "read /dev/zero: a device, not a regular file" {
			t.Fatalf("ReadFile(/dev/zero) = %v", err)
		}
	}
}

// Inside a folder, a symbolic link that stays in it is followed; one that
// leads out (to a file elsewhere, to /dev/zero, through a linked folder) or
// a ".." name is refused, naming the path.
func TestReadFileIn_Symlinks(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("elsewhere"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(root, "Content"), 0o755))
	must(os.WriteFile(filepath.Join(root, "Content", "A"), []byte("inside"), 0o644))
	must(os.Symlink("A", filepath.Join(root, "Content", "B")))
	must(os.Symlink(secret, filepath.Join(root, "Content", "C")))
	must(os.Symlink("/dev/zero", filepath.Join(root, "Content", "D")))
	must(os.Symlink(outside, filepath.Join(root, "MetaData")))
	must(os.Symlink(filepath.Join(outside, "nothing"), filepath.Join(root, "Content", "E")))

	if b, err := ReadFileIn(root, "Content/B", 100); err != nil || string(b) != "inside" {
		t.Fatalf("link inside the folder: %q, %v", b, err)
	}
	var oe *OutsideError
	for _, name := range []string{"Content/C", "Content/D", "MetaData/secret", "../" + filepath.Base(outside) + "/secret"} {
		b, err := ReadFileIn(root, name, 100)
		if !errors.As(err, &oe) || oe.Path != filepath.Join(root, name) {
			t.Errorf("%s: read %q, err %v; want an OutsideError", name, b, err)
		}
	}
	// A dangling link is missing, whatever it pointed at.
	if _, err := ReadFileIn(root, "Content/E", 100); err == nil {
		t.Error("a dangling link read")
	}
	if _, err := ReadFileIn(root, "Content/none", 100); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadFileIn(root, "Content", 100); err == nil {
		t.Error("a directory read as a file")
	}
	// Named by the user, a link is followed.
	if b, err := ReadFile(filepath.Join(root, "Content", "C"), 100); err != nil || string(b) != "elsewhere" {
		t.Errorf("ReadFile through a link: %q, %v", b, err)
	}
}
