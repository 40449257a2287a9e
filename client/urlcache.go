package client

import (
	"errors"
	"strings"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
)

// URL cache selectors of `certutil -urlcache [URL | CRL | OCSP | *]` (spec
// §4.7); anything else is one URL.
const (
	SelectAll  = "*"
	SelectCRL  = "crl"
	SelectOCSP = "ocsp"
)

// URLCache is what [Client.ListURLCache] found or [Client.DeleteURLCache]
// removed from the client's CryptnetUrlCache folder.
type URLCache struct {
	// Entries are the selected entries, in the folder's order.
	Entries []*urlcache.Entry
	// Problems are entries that could not be read (or, for a delete, not
	// removed); they stay in the folder.
	Problems []urlcache.Problem
}

// Selects reports whether certutil's selector target picks entry e: '*'
// every entry, CRL and OCSP by content, anything else the entry of that
// exact URL.
func Selects(target string, e *urlcache.Entry) bool {
	switch strings.ToLower(target) {
	case SelectAll:
		return true
	case SelectCRL:
		return cache.ContentKind(e.Body) == cache.ContentCRL
	case SelectOCSP:
		return cache.ContentKind(e.Body) == cache.ContentOCSP
	}
	return e.Meta.URL == target
}

// ErrNoCacheFolder is returned by the URL cache methods of a client
// without a cache folder (Config.CacheDir).
var ErrNoCacheFolder = errors.New("the client has no URL cache folder")

// ListURLCache lists the entries of the cache folder that target selects
// (`certutil -urlcache target`).
func (c *Client) ListURLCache(target string) (*URLCache, error) {
	d := c.Retriever().Disk()
	if d == nil {
		return nil, ErrNoCacheFolder
	}
	entries, problems, err := d.List()
	if err != nil {
		return nil, err
	}
	out := &URLCache{Problems: problems}
	for _, e := range entries {
		if Selects(target, e) {
			out.Entries = append(out.Entries, e)
		}
	}
	return out, nil
}

// DeleteURLCache deletes the entries of the cache folder that target
// selects, like `certutil -urlcache target delete`. The running process
// keeps its memory cache (spec §1.9): only the folder changes. '*' also
// removes the unreadable entries and every disk-scoped offline-URL record,
// and a URL removes that URL's record: after `certutil -urlcache * delete`
// a URL that kept failing once the network was back was fetched again
// (spec §5.2, S45b).
func (c *Client) DeleteURLCache(target string) (*URLCache, error) {
	d := c.Retriever().Disk()
	if d == nil {
		return nil, ErrNoCacheFolder
	}
	entries, problems, err := d.List()
	if err != nil {
		return nil, err
	}
	out := &URLCache{}
	for _, e := range entries {
		if !Selects(target, e) {
			continue
		}
		if err := d.Delete(e.Name); err != nil {
			out.Problems = append(out.Problems, urlcache.Problem{Name: e.Name, Err: err})
			continue
		}
		out.Entries = append(out.Entries, e)
	}
	for _, p := range problems {
		// Unreadable entries have no URL or kind: only '*' (or their own
		// URL's name) selects them.
		if target == SelectAll || strings.HasSuffix(p.Name, urlcache.URLName(target)) {
			if err := d.Delete(p.Name); err == nil {
				continue
			}
		}
		out.Problems = append(out.Problems, p)
	}
	switch strings.ToLower(target) {
	case SelectAll:
		err = d.DeleteOfflineRecords()
	case SelectCRL, SelectOCSP:
	default:
		err = d.DeleteOfflineRecord(target)
	}
	return out, err
}
