package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winchain/winchain/cache/urlcache"
)

// The testscript commands that build cache folders the way killed writers
// and hostile folders leave them (issue 15).
func init() {
	// cache-put DIR URL FILE stores FILE as the entry of URL in the cache
	// folder DIR, as a retrieval would.
	scriptCmds["cache-put"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 {
			ts.Fatalf("usage: cache-put DIR URL FILE")
		}
		body, err := os.ReadFile(ts.MkAbs(args[2]))
		ts.Check(err)
		f, err := urlcache.Open(ts.MkAbs(args[0]), urlcache.Options{})
		ts.Check(err)
		at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		ts.Check(f.Put("", urlcache.NewMetaData(args[1], len(body), at, ""), body))
	}
	// mkfifo FILE... makes named pipes (FIFOs) nobody writes to.
	scriptCmds["mkfifo"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 1 {
			ts.Fatalf("usage: mkfifo FILE...")
		}
		for _, f := range args {
			ts.Check(mkfifo(ts.MkAbs(f)))
		}
	}
	// cache-replace DIR URL meta|content fifo|link TARGET|torn replaces the
	// MetaData or the Content file of URL's entry in the folder DIR by a
	// FIFO, by a symbolic link to TARGET, or by its first half (a write
	// torn by a crash).
	scriptCmds["cache-replace"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 4 || (args[3] == "link") != (len(args) == 5) {
			ts.Fatalf("usage: cache-replace DIR URL meta|content fifo|link TARGET|torn")
		}
		sub := map[string]string{"meta": urlcache.MetaDataDir, "content": urlcache.ContentDir}[args[2]]
		if sub == "" {
			ts.Fatalf("cache-replace: meta or content, not %q", args[2])
		}
		p := filepath.Join(ts.MkAbs(args[0]), sub, urlcache.URLName(args[1]))
		if args[3] == "torn" {
			b, err := os.ReadFile(p)
			ts.Check(err)
			ts.Check(os.WriteFile(p, b[:len(b)/2], 0o600))
			return
		}
		ts.Check(os.Remove(p))
		switch args[3] {
		case "fifo":
			ts.Check(mkfifo(p))
		case "link":
			ts.Check(os.Symlink(ts.MkAbs(args[4]), p))
		default:
			ts.Fatalf("cache-replace: fifo, link or torn, not %q", args[3])
		}
	}
	// age-file DURATION FILE... sets the modification time of each FILE to
	// DURATION before now (a file a writer killed that long ago left).
	scriptCmds["age-file"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 {
			ts.Fatalf("usage: age-file DURATION FILE...")
		}
		d, err := time.ParseDuration(args[0])
		ts.Check(err)
		mt := time.Now().Add(-d)
		for _, f := range args[1:] {
			ts.Check(os.Chtimes(ts.MkAbs(f), mt, mt))
		}
	}
}
