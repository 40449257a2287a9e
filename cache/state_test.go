package cache_test

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/netsim"
)

func digest(r *cache.Retriever) [32]byte { return digestWith(r, cache.StateOptions{}) }

// Two processes that retrieved the same objects at the same times have one
// state digest; a different memory cache, a newer download or a
// process-held offline record makes them differ; a Fork starts equal.
func TestRetrieverStateDigest(t *testing.T) {
	g := newRig(t)
	crl := getPKI(t).crl(t, t0, t0.Add(7*24*time.Hour), 1)
	g.net.Serve(crlURL, crl)
	noDisk := func(c *cache.Config) { c.DiskDir = "" }
	a, b := g.process(t, noDisk), g.process(t, noDisk)
	if digest(a) != digest(b) {
		t.Fatal("two new processes differ")
	}
	get(t, a, crlURL, cache.KindCRL, cache.Options{})
	if digest(a) == digest(b) {
		t.Fatal("a cached CRL does not change the digest")
	}
	get(t, b, crlURL, cache.KindCRL, cache.Options{})
	if digest(a) != digest(b) {
		t.Fatal("the same CRL fetched at the same time differs")
	}
	f, err := a.Fork(a.Config())
	if err != nil {
		t.Fatal(err)
	}
	if digest(f) != digest(a) {
		t.Fatal("a fork differs from its parent")
	}
	g.clk.Advance(time.Minute)
	get(t, b, crlURL, cache.KindCRL, cache.Options{WireOnly: true})
	if digest(a) == digest(b) {
		t.Fatal("a later download (another lastDownload) has the same digest")
	}
}

// A process-scoped offline-URL record is part of the state and survives a
// Fork (it was lost before: a split part of a fleet forgot its back-off).
func TestRetrieverStateProcessOffline(t *testing.T) {
	g := newRig(t)
	g.net.Handle(aiaURL, netsim.Response{Fail: netsim.FailOffline})
	model := cache.OfflineProcessBackoff
	cfg := func(c *cache.Config) { c.DiskDir, c.Offline = "", model }
	a, b := g.process(t, cfg), g.process(t, cfg)
	get(t, a, aiaURL, cache.KindAIA, cache.Options{OfflineCheck: true})
	if digest(a) == digest(b) {
		t.Fatal("a process-held offline record does not change the digest")
	}
	f, err := a.Fork(a.Config())
	if err != nil {
		t.Fatal(err)
	}
	if digest(f) != digest(a) {
		t.Fatal("the fork lost the process's offline records")
	}
	want(t, get(t, f, aiaURL, cache.KindAIA, cache.Options{OfflineCheck: true}), cache.FromOfflineSkip, cache.ReasonOffline)
}

// A service-held OfflineState is written by its owner, not by each
// Retriever that shares it.
func TestOfflineStateDigest(t *testing.T) {
	g := newRig(t)
	g.net.Handle(aiaURL, netsim.Response{Fail: netsim.FailOffline})
	svc := cache.NewOfflineState()
	r := g.process(t, func(c *cache.Config) { c.DiskDir, c.Offline, c.OfflineState = "", cache.OfflineServiceBackoff, svc })
	before := digest(r)
	empty := sha256.New()
	svc.WriteState(empty)
	get(t, r, aiaURL, cache.KindAIA, cache.Options{OfflineCheck: true})
	if digest(r) != before {
		t.Fatal("the Retriever wrote the shared service records")
	}
	after := sha256.New()
	svc.WriteState(after)
	if string(after.Sum(nil)) == string(empty.Sum(nil)) {
		t.Fatal("the service record does not change its digest")
	}
	c := svc.Clone()
	again := sha256.New()
	c.WriteState(again)
	if string(after.Sum(nil)) != string(again.Sum(nil)) {
		t.Fatal("a clone differs")
	}
}

func digestWith(r *cache.Retriever, opts cache.StateOptions) [32]byte {
	h := sha256.New()
	r.WriteState(h, opts)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// OmitDownloadTimes: the same CRL downloaded at two times is one state
// (memory and folder), unless a resync time in force falls between the
// downloads; the folder's contents are part of the state with Folder.
func TestRetrieverStateOmitDownloadTimes(t *testing.T) {
	g := newRig(t)
	crl := getPKI(t).crl(t, t0, t0.Add(7*24*time.Hour), 1)
	g.net.Serve(crlURL, crl)
	mk := func(resync time.Time) *cache.Retriever {
		return g.process(t, func(c *cache.Config) { c.DiskDir = t.TempDir(); c.ResyncBefore = resync })
	}
	a := mk(time.Time{})
	get(t, a, crlURL, cache.KindCRL, cache.Options{})
	g.clk.Advance(time.Hour)
	b := mk(time.Time{})
	get(t, b, crlURL, cache.KindCRL, cache.Options{})
	all := cache.StateOptions{Folder: true}
	omit := cache.StateOptions{Folder: true, OmitDownloadTimes: true}
	if digestWith(a, all) == digestWith(b, all) {
		t.Fatal("download times an hour apart give one exact state")
	}
	if digestWith(a, omit) != digestWith(b, omit) {
		t.Fatal("OmitDownloadTimes still tells the downloads apart")
	}
	// A resync time between the two downloads: a's copy predates it.
	resync := t0.Add(30 * time.Minute)
	ra, err := a.Fork(func() cache.Config { c := a.Config(); c.ResyncBefore = resync; return c }())
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Fork(func() cache.Config { c := b.Config(); c.ResyncBefore = resync; return c }())
	if err != nil {
		t.Fatal(err)
	}
	if digestWith(ra, omit) == digestWith(rb, omit) {
		t.Fatal("a copy from before the resync time and one from after are one state")
	}
	// The folder: a deleted disk entry is a different state.
	if err := b.Disk().Delete(urlcache.URLName(crlURL)); err != nil {
		t.Fatal(err)
	}
	if digestWith(a, omit) == digestWith(b, omit) {
		t.Fatal("a folder without the CRL is the same state")
	}
	if digestWith(a, cache.StateOptions{OmitDownloadTimes: true}) != digestWith(b, cache.StateOptions{OmitDownloadTimes: true}) {
		t.Fatal("without Folder the folder is not part of the state")
	}
}
