package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/client"
)

// `winchain urlcache` mirrors `certutil -urlcache` (spec §4.7, §7.2) over a
// folder in the CryptnetUrlCache layout. Known gaps: certutil's
// `****  Online  ****` / `****  OFFLINE  ****` banner is not printed (its
// meaning is unconfirmed and an offline tool has no network state), and the
// completion line names winchain instead of CertUtil.

func init() {
	commands["urlcache"] = command{
		summary: "list or delete entries of a CryptnetUrlCache folder (like certutil -urlcache)",
		usage:   "winchain urlcache --cache-dir DIR [list [URL|crl|ocsp|offline|*] | delete URL|crl|ocsp|offline|'*'] [--json] [--write]",
		run:     runURLCache,
	}
}

const urlcacheUsage = "usage: winchain urlcache --cache-dir DIR [list [URL|crl|ocsp|offline|*] | delete URL|crl|ocsp|offline|'*'] [--json] [--write]"

// urlcacheEntry is one element of entries[] (docs/cli.md).
type urlcacheEntry struct {
	URL          string `json:"url"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Size         int    `json:"size"`
	LastDownload string `json:"lastDownload"`
	Expires      string `json:"expires"`
	ETag         string `json:"etag"`
}

// urlcacheProblem is one element of problems[] (docs/cli.md).
type urlcacheProblem struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// urlcacheOffline is one element of offline[] (docs/cli.md): a disk-scoped
// offline-URL record.
type urlcacheOffline struct {
	URL         string `json:"url"`
	Failures    int    `json:"failures"`
	LastFailure string `json:"lastFailure"`
	RetryAfter  string `json:"retryAfter"`
}

type urlcacheOutput struct {
	Entries  []urlcacheEntry   `json:"entries"`
	Problems []urlcacheProblem `json:"problems"`
	// Offline are the disk-scoped offline-URL records listed or deleted;
	// omitted when there are none.
	Offline []urlcacheOffline `json:"offline,omitempty"`
	// Deleted is the number of entries deleted (delete only).
	Deleted *int `json:"deleted,omitempty"`
}

func runURLCache(args []string, stdout, stderr io.Writer) int {
	var dir string
	var asJSON, write bool
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--cache-dir" || a == "-cache-dir":
			if i+1 >= len(args) {
				fmt.Fprintln(stderr, "winchain urlcache: --cache-dir needs a folder")
				return 2
			}
			i++
			dir = args[i]
		case strings.HasPrefix(a, "--cache-dir="):
			dir = strings.TrimPrefix(a, "--cache-dir=")
		case a == "--json" || a == "-json":
			asJSON = true
		case a == "--write" || a == "-write":
			write = true
		case a == "-h" || a == "--help":
			fmt.Fprintln(stdout, urlcacheUsage)
			return 0
		case strings.HasPrefix(a, "-") && len(a) > 1:
			fmt.Fprintf(stderr, "winchain urlcache: unknown flag %s (%s)\n", a, urlcacheUsage)
			return 2
		default:
			pos = append(pos, a)
		}
	}
	if dir == "" {
		fmt.Fprintf(stderr, "winchain urlcache: --cache-dir is required (%s)\n", urlcacheUsage)
		return 2
	}
	verb, target := "list", "*"
	if len(pos) > 0 {
		verb = strings.ToLower(pos[0])
	}
	switch {
	case verb == "list" && len(pos) <= 2:
		if len(pos) == 2 {
			target = pos[1]
		}
	case verb == "delete" && len(pos) == 2:
		target = pos[1]
	default:
		fmt.Fprintf(stderr, "winchain urlcache: bad arguments %q (%s)\n", strings.Join(pos, " "), urlcacheUsage)
		return 2
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		fmt.Fprintf(stderr, "winchain urlcache: cannot read cache folder %s: %v\n", dir, err)
		return 2
	}
	readOnly := verb == "list"
	if verb == "delete" && !urlcache.IsWinchainDir(dir) && !write {
		fmt.Fprintf(stderr, "winchain urlcache: %s was not written by winchain (no %s marker) and is opened read-only; pass --write to delete from it\n", dir, urlcache.MarkerFile)
		return 2
	}
	// The folder is the one of a client with no network: listing and
	// deleting are the client's (the simulator's urlcacheDelete event runs
	// the same DeleteURLCache).
	c, err := client.New(client.Config{CacheDir: dir, ReadOnlyCache: readOnly})
	if err != nil {
		fmt.Fprintf(stderr, "winchain urlcache: cannot read cache folder %s: %v\n", dir, err)
		return 2
	}
	var sel *client.URLCache
	if verb == "delete" {
		sel, err = c.DeleteURLCache(target)
	} else {
		sel, err = c.ListURLCache(target)
	}
	if err != nil {
		fmt.Fprintf(stderr, "winchain urlcache: cannot %s in cache folder %s: %v\n", verb, dir, err)
		return 2
	}

	out := urlcacheOutput{Entries: []urlcacheEntry{}, Problems: []urlcacheProblem{}}
	for _, e := range sel.Entries {
		out.Entries = append(out.Entries, describeEntry(e))
	}
	for _, p := range sel.Problems {
		out.Problems = append(out.Problems, urlcacheProblem{Name: p.Name, Error: problemText(p.Err)})
	}
	for _, r := range sel.Offline {
		out.Offline = append(out.Offline, urlcacheOffline{URL: r.URL, Failures: r.Failures,
			LastFailure: r.LastFailure.UTC().Format(time.RFC3339), RetryAfter: r.RetryAfter.UTC().Format(time.RFC3339)})
	}
	if verb == "delete" {
		n := len(out.Entries)
		out.Deleted = &n
	}

	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "winchain urlcache: %v\n", err)
			return 2
		}
		return 0
	}
	// certutil -urlcache: each URL, a blank line, then the count.
	for _, e := range out.Entries {
		fmt.Fprintf(stdout, "%s\n\n", e.URL)
	}
	if verb == "delete" {
		fmt.Fprintf(stdout, "WinHttp Cache entries deleted: %d\n\n", len(out.Entries))
	} else {
		fmt.Fprintf(stdout, "WinHttp Cache entries: %d\n\n", len(out.Entries))
	}
	if len(out.Offline) > 0 {
		// winchain's disk-scoped offline-URL records (no certutil output
		// shows Windows' offline tracker).
		if verb == "delete" {
			fmt.Fprintf(stdout, "Offline URL records deleted: %d\n", len(out.Offline))
		} else {
			fmt.Fprintf(stdout, "Offline URL records: %d\n", len(out.Offline))
		}
		for _, r := range out.Offline {
			fmt.Fprintf(stdout, "  %s  failures %d, retry after %s\n", r.URL, r.Failures, r.RetryAfter)
		}
		fmt.Fprintln(stdout)
	}
	for _, p := range out.Problems {
		fmt.Fprintf(stderr, "winchain urlcache: %s: %s\n", p.Name, p.Error)
	}
	fmt.Fprintln(stdout, "winchain: -urlcache command completed successfully.")
	return 0
}

func describeEntry(e *urlcache.Entry) urlcacheEntry {
	ue := urlcacheEntry{
		URL:  e.Meta.URL,
		Name: e.Name,
		Kind: cache.ContentKind(e.Body),
		Size: len(e.Body),
		ETag: e.Meta.ETag,
	}
	if !e.Meta.LastDownload.IsZero() {
		ue.LastDownload = e.Meta.LastDownload.UTC().Format(time.RFC3339)
	}
	if exp := cache.ObjectExpiry("", e.Body, e.Meta.LastDownload, 0); !exp.IsZero() {
		ue.Expires = exp.UTC().Format(time.RFC3339)
	}
	return ue
}

func problemText(err error) string {
	var ce *urlcache.CorruptEntryError
	if errors.As(err, &ce) {
		return ce.Detail
	}
	return err.Error()
}
