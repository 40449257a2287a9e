package client

import (
	"errors"
	"strings"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
)

// URL cache selectors of `certutil -urlcache [URL | CRL | OCSP | *]` (spec
// §4.7); anything else is one URL. SelectOffline is winchain's own: the
// disk-scoped offline-URL records alone.
const (
	SelectAll     = "*"
	SelectCRL     = "crl"
	SelectOCSP    = "ocsp"
	SelectOffline = "offline"
)

// URLCache is what [Client.ListURLCache] found or [Client.DeleteURLCache]
// removed from the client's CryptnetUrlCache folder.
type URLCache struct {
	// Entries are the selected entries, in the folder's order.
	Entries []*urlcache.Entry
	// Offline are the selected disk-scoped offline-URL records, sorted by
	// URL.
	Offline []urlcache.OfflineRecord
	// Problems are entries that could not be read (or, for a delete, not
	// removed); they stay in the folder.
	Problems []urlcache.Problem
}

// Selects reports whether certutil's selector target picks entry e: '*'
// every entry, CRL and OCSP by content, anything else the entry of that
// exact URL. SelectOffline picks no entry.
func Selects(target string, e *urlcache.Entry) bool {
	switch strings.ToLower(target) {
	case SelectAll:
		return true
	case SelectCRL:
		return cache.ContentKind(e.Body) == cache.ContentCRL
	case SelectOCSP:
		return cache.ContentKind(e.Body) == cache.ContentOCSP
	case SelectOffline:
		return false
	}
	return e.Meta.URL == target
}

// selectsOffline reports whether target picks the offline-URL record of
// url: '*' and SelectOffline every record, a URL its own; CRL and OCSP none
// (a record keeps no content to classify).
func selectsOffline(target, url string) bool {
	switch strings.ToLower(target) {
	case SelectAll, SelectOffline:
		return true
	case SelectCRL, SelectOCSP:
		return false
	}
	return url == target
}

// ErrNoCacheFolder is returned by the URL cache methods of a client
// without a cache folder (Config.CacheDir or Config.CacheFolder).
var ErrNoCacheFolder = errors.New("the client has no URL cache folder")

// scan reads the client's cache folder: its selected entries, its
// unreadable ones and its selected offline-URL records.
func (c *Client) scan(target string) (*urlcache.Folder, *URLCache, error) {
	d := c.Retriever().Disk()
	if d == nil {
		return nil, nil, ErrNoCacheFolder
	}
	entries, problems, err := d.List()
	if err != nil {
		return nil, nil, err
	}
	recs, err := d.OfflineRecords()
	if err != nil {
		return nil, nil, err
	}
	out := &URLCache{Problems: problems}
	for _, e := range entries {
		if Selects(target, e) {
			out.Entries = append(out.Entries, e)
		}
	}
	for _, r := range recs {
		if selectsOffline(target, r.URL) {
			out.Offline = append(out.Offline, r)
		}
	}
	return d, out, nil
}

// ListURLCache lists the entries and disk-scoped offline-URL records of the
// cache folder that target selects (`certutil -urlcache target`).
func (c *Client) ListURLCache(target string) (*URLCache, error) {
	_, out, err := c.scan(target)
	return out, err
}

// DeleteURLCache deletes what target selects from the cache folder, like
// `certutil -urlcache target delete`: the entries ('*' also the unreadable
// ones) and the disk-scoped offline-URL records ('*' every record, a URL
// its own, SelectOffline the records alone). The running process keeps its
// memory cache and its process- or service-scoped records (spec §1.9):
// only the folder changes. Whether Windows' delete resets its offline-URL
// tracker is undocumented (spec §5.1); winchain deletes the disk records
// because after `certutil -urlcache * delete` a URL that kept failing once
// the network was back was fetched again (spec §5.2, S45b); see
// docs/windows-divergences.md.
func (c *Client) DeleteURLCache(target string) (*URLCache, error) {
	d, sel, err := c.scan(target)
	if err != nil {
		return nil, err
	}
	out := &URLCache{}
	for _, e := range sel.Entries {
		if err := d.Delete(e.Name); err != nil {
			out.Problems = append(out.Problems, urlcache.Problem{Name: e.Name, Err: err})
			continue
		}
		out.Entries = append(out.Entries, e)
	}
	for _, p := range sel.Problems {
		// Unreadable entries have no URL or kind: only '*' (or their own
		// URL's name) selects them.
		if target == SelectAll || strings.HasSuffix(p.Name, urlcache.URLName(target)) {
			if err := d.Delete(p.Name); err == nil {
				continue
			}
		}
		out.Problems = append(out.Problems, p)
	}
	for _, r := range sel.Offline {
		if err := d.DeleteOfflineRecord(r.URL); err != nil {
			return out, err
		}
		out.Offline = append(out.Offline, r)
	}
	if target == SelectAll || strings.EqualFold(target, SelectOffline) {
		// Files that are not valid records (so not listed) go too.
		err = d.DeleteOfflineRecords()
	}
	return out, err
}
