package urlcache

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The lock test re-executes the test binary as a lock holder (helper mode
// selected by envHelper).
const (
	envHelper = "WINCHAIN_URLCACHE_HELPER"
	envDir    = "WINCHAIN_URLCACHE_DIR"
)

func TestMain(m *testing.M) {
	if os.Getenv(envHelper) == "holdlock" {
		os.Exit(holdLockMain())
	}
	os.Exit(m.Run())
}

// holdLockMain takes the writer lock of the folder, says "locked" and waits
// to be killed.
func holdLockMain() int {
	d, err := Open(os.Getenv(envDir), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_, locked, err := d.lock()
	if err != nil || !locked {
		fmt.Fprintln(os.Stderr, "no lock:", locked, err)
		return 1
	}
	fmt.Println("locked")
	for {
		time.Sleep(time.Hour) // until SIGKILL
	}
}

// tryLock reports whether the writer lock of the folder dir is free, taking
// and releasing it through a new open file (so it conflicts with holders in
// this process too).
func tryLock(dir string) (free bool, err error) {
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return false, err
	}
	defer f.Close()
	switch err := tryLockFile(f); {
	case errors.Is(err, errWouldBlock):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, unlockFile(f)
}

// TestLock_AcrossProcesses: the folder's writer lock excludes writers in
// other processes and in this one, and a holder killed with SIGKILL leaves
// it free (the kernel drops it), so a crashed writer never blocks the
// folder.
func TestLock_AcrossProcesses(t *testing.T) {
	if !osLocking {
		t.Skip("no writer lock on this platform")
	}
	dir := t.TempDir()
	d, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// In this process: a second holder is refused until the first lets go.
	unlock, locked, err := d.lock()
	if err != nil || !locked {
		t.Fatalf("Lock: locked=%v err=%v", locked, err)
	}
	if free, err := tryLock(dir); err != nil || free {
		t.Fatalf("tryLock while this process holds the lock: free=%v err=%v", free, err)
	}
	unlock()
	if free, err := tryLock(dir); err != nil || !free {
		t.Fatalf("tryLock after unlock: free=%v err=%v", free, err)
	}

	// In another process, killed while it holds the lock.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelper+"=holdlock", envDir+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q, want \"locked\"", line)
	}
	free, err := tryLock(dir)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if err != nil || free {
		t.Fatalf("tryLock while another process holds the lock: free=%v err=%v", free, err)
	}
	if free, err := tryLock(dir); err != nil || !free {
		t.Fatalf("tryLock after the holder was killed: free=%v err=%v", free, err)
	}
	// And a Put goes through.
	if err := d.Put("", NewMetaData("http://lock.example.test/a.crl", 0, time.Unix(1_800_000_000, 0), ""), []byte("body")); err != nil {
		t.Fatalf("Put after the holder was killed: %v", err)
	}
}
