package certutil

import (
	"bufio"
	"fmt"
	"io"

	"github.com/winchain/winchain/cache/urlcache"
)

// Network is the connectivity banner of `certutil -urlcache`.
type Network int

// Banner states. The banner's meaning on Windows is UNCONFIRMED (spec
// §4.7, §10 item 11); an offline tool has no network state of its own, so
// the zero value prints no banner.
const (
	NetworkUnknown Network = iota // no banner
	NetworkOnline                 // "****  Online  ****"
	NetworkOffline                // "****  OFFLINE  ****"
)

// URLCacheOptions tune [RenderURLCache].
type URLCacheOptions struct {
	// Network selects the banner; the zero value prints none.
	Network Network
	// Deleted prints "WinHttp Cache entries deleted: N" (after
	// `certutil -urlcache … delete`) instead of "WinHttp Cache entries: N".
	Deleted bool
}

// RenderURLCache writes entries (from urlcache.Folder.List, a winchain folder or
// a real CryptnetUrlCache copied from Windows) in the layout of
// `certutil -urlcache` (spec §4.7, §7.2): each URL followed by a blank
// line, the entry count, a blank line, the banner and the completion line.
// Entries are printed in the order given. Unreadable entries (the problems
// of Folder.List) have no URL and are the caller's to report.
func RenderURLCache(w io.Writer, entries []*urlcache.Entry, opts URLCacheOptions) error {
	bw := bufio.NewWriter(w)
	n := 0
	for _, e := range entries {
		if e == nil || e.Meta == nil {
			continue
		}
		fmt.Fprintf(bw, "%s\n\n", e.Meta.URL)
		n++
	}
	if opts.Deleted {
		fmt.Fprintf(bw, "WinHttp Cache entries deleted: %d\n\n", n)
	} else {
		fmt.Fprintf(bw, "WinHttp Cache entries: %d\n\n", n)
	}
	switch opts.Network {
	case NetworkOnline:
		fmt.Fprintln(bw, "****  Online  ****")
	case NetworkOffline:
		fmt.Fprintln(bw, "****  OFFLINE  ****")
	}
	fmt.Fprintln(bw, "CertUtil: -URLCache command completed successfully.")
	return bw.Flush()
}
