//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every file the CLI reads may be a FIFO nobody writes to (issue 15: verify
// and urlcache blocked forever). Each command refuses it at once: exit 2
// and one line naming the file and what it is.
func TestRun_FIFOInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	leaf := filepath.Join("..", "..", "testdata", "demo", "leaf.pem")
	cases := [][]string{
		{"verify", fifo},
		{"verify", "--root", fifo, leaf},
		{"verify", "--ca", fifo, leaf},
		{"verify", "--crl", fifo, leaf},
		{"verify", "--net", fifo, leaf},
		{"verify", "--registry", fifo, leaf},
		{"inspect", fifo},
		{"simulate", fifo},
		{"certutil", "parse", fifo},
		{"capi2", fifo},
	}
	for _, args := range cases {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(args, &stdout, &stderr) }()
			var rc int
			select {
			case rc = <-done:
			case <-time.After(5 * time.Second):
				// Release the reader blocked in open, then fail.
				for {
					if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
						w.Close()
					}
					select {
					case <-done:
						t.Fatalf("winchain %s blocked on a FIFO", strings.Join(args, " "))
					case <-time.After(100 * time.Millisecond):
					}
				}
			}
			msg := stderr.String()
			if rc != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, fifo) || !strings.Contains(msg, "named pipe (FIFO)") {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming the FIFO", rc, msg)
			}
		})
	}
}
