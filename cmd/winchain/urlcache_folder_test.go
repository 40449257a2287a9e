package main

import (
	"os"
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
