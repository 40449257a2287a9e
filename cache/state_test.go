package cache_test

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/netsim"
)

func digest(r *cache.Retriever) [32]byte {
	h := sha256.New()
	r.WriteState(h, cache.StateOptions{})
	var out [32]byte
	h.Sum(out[:0])
	return out
}

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
