package cache_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

const (
	crlURL  = "http://pki.example.test/inter.crl"
	ocspURL = "http://ocsp.example.test/MFMwUTBPME0wSzAJBgUrDgMCGgUABBQ%3D"
	aiaURL  = "http://pki.example.test/inter.crt"
)

// rig is a retriever on a manual clock over a simulated network.
type rig struct {
	clk *clock.Manual
	net *netsim.Network
	dir string
}

func newRig(t *testing.T) *rig {
	clk := clock.NewManual(t0)
	return &rig{clk: clk, net: netsim.New(clk), dir: t.TempDir()}
}

// process starts a "process": a new Retriever (new memory cache) on the
// shared disk folder and network.
func (g *rig) process(t *testing.T, mod func(*cache.Config)) *cache.Retriever {
	t.Helper()
	cfg := cache.Config{Clock: g.clk, Fetcher: g.net, DiskDir: g.dir}
	if mod != nil {
		mod(&cfg)
	}
	r, err := cache.NewRetriever(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func get(t *testing.T, r *cache.Retriever, url string, kind cache.Kind, opts cache.Options) *cache.Result {
	t.Helper()
	res, err := r.Retrieve(context.Background(), url, kind, opts)
	if res == nil {
		t.Fatalf("Retrieve(%s) returned a nil Result", url)
	}
	if (err == nil) != res.OK || (err != nil && res.Err != err) {
		t.Fatalf("Retrieve(%s): err %v but Result.OK=%v Result.Err=%v", url, err, res.OK, res.Err)
	}
	return res
}

func want(t *testing.T, res *cache.Result, from cache.From, reason cache.Reason) {
	t.Helper()
	if res.From != from || cache.ReasonOf(res.Err) != reason {
		t.Fatalf("%s: from=%q err=%v, want from=%q reason=%q", res.URL, res.From, res.Err, from, reason)
	}
}

func TestRetrieve_Layers_Spec4_1(t *testing.T) {
	g := newRig(t)
	crl := getPKI(t).crl(t, t0, t0.Add(7*24*time.Hour), 1)
	g.net.Serve(crlURL, crl)

	app := g.process(t, nil)
	res := get(t, app, crlURL, cache.KindCRL, cache.Options{})
	want(t, res, cache.FromNetwork, "")
	if !bytes.Equal(res.Body, crl) || !res.Expires.Equal(t0.Add(7*24*time.Hour)) || !res.LastDownload.Equal(t0) {
		t.Fatalf("network result %+v", res)
	}
	want(t, get(t, app, crlURL, cache.KindCRL, cache.Options{}), cache.FromMemory, "")

	// App restart: memory gone, disk survives (spec §4.1, §9 item 7).
	app2 := g.process(t, nil)
	want(t, get(t, app2, crlURL, cache.KindCRL, cache.Options{}), cache.FromDisk, "")
	want(t, get(t, app2, crlURL, cache.KindCRL, cache.Options{}), cache.FromMemory, "")
	if n := g.net.Count(crlURL); n != 1 {
		t.Errorf("wire fetches = %d, want 1", n)
	}
	// The files are where Windows puts them.
	name := urlcache.URLName(crlURL)
	for _, sub := range []string{"Content", "MetaData"} {
		if _, err := os.Stat(filepath.Join(g.dir, sub, name)); err != nil {
			t.Errorf("%s/%s: %v", sub, name, err)
		}
	}
	if !urlcache.IsWinchainDir(g.dir) {
		t.Errorf("folder not marked as winchain's")
	}
}

func TestRetrieve_Freshness_Spec4_6(t *testing.T) {
	p := getPKI(t)
	day := 24 * time.Hour
	cases := []struct {
		name     string
		url      string
		kind     cache.Kind
		body     []byte
		expires  time.Time // zero: never
		probeAt  time.Duration
		wantFrom cache.From
	}{
		{"CRL fresh before nextUpdate", crlURL, cache.KindCRL, p.crl(t, t0, t0.Add(7*day), 1), t0.Add(7 * day), 7*day - time.Second, cache.FromMemory},
		{"CRL expired at nextUpdate → wire", crlURL, cache.KindCRL, p.crl(t, t0, t0.Add(7*day), 1), t0.Add(7 * day), 7 * day, cache.FromNetwork},
		{"CRL without nextUpdate never expires (§3.3, S29)", crlURL, cache.KindCRL, p.crl(t, t0, time.Time{}, 1), time.Time{}, 365 * day, cache.FromMemory},
		{"OCSP fresh until nextUpdate", ocspURL, cache.KindOCSP, p.ocspResp(t, t0, t0.Add(3*day)), t0.Add(3 * day), 3*day - time.Second, cache.FromMemory},
		{"OCSP without nextUpdate: OcspValiditySeconds 12 h", ocspURL, cache.KindOCSP, p.ocspResp(t, t0, time.Time{}), t0.Add(12 * time.Hour), 12 * time.Hour, cache.FromNetwork},
		{"AIA certificate never expires", aiaURL, cache.KindAIA, p.cert.Raw, time.Time{}, 1000 * day, cache.FromMemory},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t)
			g.net.Serve(c.url, c.body)
			r := g.process(t, nil)
			res := get(t, r, c.url, c.kind, cache.Options{})
			if !res.Expires.Equal(c.expires) {
				t.Fatalf("Expires = %v, want %v", res.Expires, c.expires)
			}
			g.clk.Set(t0.Add(c.probeAt))
			want(t, get(t, r, c.url, c.kind, cache.Options{}), c.wantFrom, "")
		})
	}
}

func TestRetrieve_ExpiredAndWireDown_FailsButLookupShowsStale(t *testing.T) {
	g := newRig(t)
	crl := getPKI(t).crl(t, t0, t0.Add(time.Hour), 1)
	g.net.Serve(crlURL, crl)
	r := g.process(t, nil)
	get(t, r, crlURL, cache.KindCRL, cache.Options{})
	g.net.Handle(crlURL, netsim.Response{Fail: netsim.FailOffline})
	g.clk.Set(t0.Add(2 * time.Hour))
	res := get(t, r, crlURL, cache.KindCRL, cache.Options{})
	want(t, res, cache.FromNetwork, cache.ReasonOffline)
	if res.Body != nil {
		t.Errorf("a failed retrieval returned the stale body")
	}
	l, err := r.Lookup(crlURL)
	if err != nil || !l.Stale || !bytes.Equal(l.Body, crl) {
		t.Fatalf("Lookup = %+v, %v; want the stale CRL", l, err)
	}
	if _, err := r.Lookup("http://never.example.test/x.crl"); !errors.Is(err, cache.ErrNotCached) {
		t.Errorf("Lookup miss err = %v", err)
	}
}

func TestRetrieve_MaxAgeETag_ConditionalGET_Spec3_3(t *testing.T) {
	g := newRig(t)
	crl := getPKI(t).crl(t, t0, t0.Add(180*24*time.Hour), 1)
	g.net.Handle(crlURL, netsim.Response{Body: crl, ETag: `"v1"`, MaxAge: 7 * 24 * time.Hour})
	r := g.process(t, nil)
	get(t, r, crlURL, cache.KindCRL, cache.Options{})
	g.clk.Set(t0.Add(6 * 24 * time.Hour))
	want(t, get(t, r, crlURL, cache.KindCRL, cache.Options{}), cache.FromMemory, "")
	g.clk.Set(t0.Add(7 * 24 * time.Hour))
	res := get(t, r, crlURL, cache.KindCRL, cache.Options{})
	want(t, res, cache.FromNetwork, "")
	if !res.Revalidated || res.Status != 304 || !bytes.Equal(res.Body, crl) || !res.LastDownload.Equal(t0.Add(7*24*time.Hour)) {
		t.Fatalf("conditional GET result %+v", res)
	}
	reqs := g.net.Requests()
	if len(reqs) != 2 || reqs[1].Outcome != "304" {
		t.Fatalf("wire log %+v, want a 200 then a 304", reqs)
	}
	// 304 restarted the max-age period.
	g.clk.Set(t0.Add(13 * 24 * time.Hour))
	want(t, get(t, r, crlURL, cache.KindCRL, cache.Options{}), cache.FromMemory, "")
}

func TestRetrieve_FlushAfterExempt_Spec4_5(t *testing.T) {
	g := newRig(t)
	g.net.Serve(crlURL, getPKI(t).crl(t, t0, t0.Add(time.Hour), 1))
	get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{})
	meta := filepath.Join(g.dir, "MetaData", urlcache.URLName(crlURL))

	g.clk.Set(t0.Add(time.Hour + 28*24*time.Hour - time.Second))
	if l, err := g.process(t, nil).Lookup(crlURL); err != nil || !l.Stale {
		t.Fatalf("before the flush: %+v %v", l, err)
	}
	g.clk.Set(t0.Add(time.Hour + 28*24*time.Hour))
	if _, err := g.process(t, nil).Lookup(crlURL); !errors.Is(err, cache.ErrNotCached) {
		t.Fatalf("after expiry + 28 d: err = %v, want not-cached", err)
	}
	if _, err := os.Stat(meta); !os.IsNotExist(err) {
		t.Errorf("flushed entry still on disk: %v", err)
	}
}

func TestRetrieve_Resync_Spec1_2(t *testing.T) {
	g := newRig(t)
	g.net.Serve(aiaURL, getPKI(t).cert.Raw)
	r := g.process(t, nil)
	get(t, r, aiaURL, cache.KindAIA, cache.Options{})
	g.clk.Advance(time.Minute)
	// pftCacheResync after the download: the cached object is invalid.
	want(t, get(t, r, aiaURL, cache.KindAIA, cache.Options{ResyncBefore: g.clk.Now()}), cache.FromNetwork, "")
	// ChainCacheResyncFiletime in Config works the same for a new process.
	g.clk.Advance(time.Minute)
	r2 := g.process(t, func(c *cache.Config) { c.ResyncBefore = g.clk.Now() })
	want(t, get(t, r2, aiaURL, cache.KindAIA, cache.Options{}), cache.FromNetwork, "")
	if g.net.Count(aiaURL) != 3 {
		t.Errorf("wire fetches = %d, want 3", g.net.Count(aiaURL))
	}
}

func TestRetrieve_Flags_Spec5_1(t *testing.T) {
	body := getPKI(t).cert.Raw
	cases := []struct {
		name       string
		prime      bool
		opts       cache.Options
		wantFrom   cache.From
		wantReason cache.Reason
		wantWire   int
		wantCached bool
	}{
		{"CRYPT_CACHE_ONLY_RETRIEVAL, nothing cached", false, cache.Options{CacheOnly: true}, cache.FromNone, cache.ReasonNotCached, 0, false},
		{"CRYPT_CACHE_ONLY_RETRIEVAL, cached", true, cache.Options{CacheOnly: true}, cache.FromMemory, "", 1, true},
		{"CRYPT_WIRE_ONLY_RETRIEVAL skips the caches", true, cache.Options{WireOnly: true}, cache.FromNetwork, "", 2, true},
		{"CRYPT_DONT_CACHE_RESULT", false, cache.Options{DontCache: true}, cache.FromNetwork, "", 1, false},
		{"CRYPT_AIA_RETRIEVAL rejects → not cached", false, cache.Options{Validate: func([]byte) error { return errors.New("not an issuer") }}, cache.FromNetwork, cache.ReasonInvalidContent, 1, false},
		{"POST is not cached", false, cache.Options{Method: "POST", Body: []byte{0x30, 0}}, cache.FromNetwork, "", 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t)
			g.net.Serve(aiaURL, body)
			r := g.process(t, nil)
			if c.prime {
				get(t, r, aiaURL, cache.KindAIA, cache.Options{})
			}
			want(t, get(t, r, aiaURL, cache.KindAIA, c.opts), c.wantFrom, c.wantReason)
			if n := g.net.Count(aiaURL); n != c.wantWire {
				t.Errorf("wire fetches = %d, want %d", n, c.wantWire)
			}
			_, err := g.process(t, nil).Lookup(aiaURL)
			if (err == nil) != c.wantCached {
				t.Errorf("cached on disk = %v, want %v", err == nil, c.wantCached)
			}
		})
	}
}

func TestRetrieve_Schemes_Spec6(t *testing.T) {
	g := newRig(t)
	crlFile := filepath.Join(t.TempDir(), "local.crl")
	os.WriteFile(crlFile, []byte("crl bytes"), 0o644)
	g.net.Serve("https://pki.example.test/inter.crt", getPKI(t).cert.Raw)
	g.net.Serve("https://pki.example.test/inter.crl", []byte("crl"))
	cases := []struct {
		url    string
		kind   cache.Kind
		cfg    func(*cache.Config)
		reason cache.Reason
	}{
		{"https://pki.example.test/inter.crt", cache.KindAIA, nil, cache.ReasonUnsupportedScheme},
		{"https://pki.example.test/inter.crl", cache.KindCRL, nil, ""},
		{"ldap:///CN=CA,CN=AIA,CN=Public Key Services?cACertificate", cache.KindAIA, nil, cache.ReasonUnsupportedScheme},
		{"file://" + crlFile, cache.KindCRL, nil, cache.ReasonUnsupportedScheme},
		{"file://" + crlFile, cache.KindCRL, func(c *cache.Config) { c.AllowFileScheme = true; c.Fetcher = cache.NewHTTPFetcher(nil) }, ""},
		{"ftp://pki.example.test/x.crl", cache.KindCRL, nil, cache.ReasonUnsupportedScheme},
	}
	for _, c := range cases {
		res := get(t, g.process(t, c.cfg), c.url, c.kind, cache.Options{})
		if got := cache.ReasonOf(res.Err); got != c.reason {
			t.Errorf("%s (%s): reason %q, want %q (%v)", c.url, c.kind, got, c.reason, res.Err)
		}
		if c.reason == cache.ReasonUnsupportedScheme && !strings.Contains(res.Err.Error(), c.url) {
			t.Errorf("error %q does not name the URL", res.Err)
		}
	}
}

func TestRetrieve_Timeouts_Spec3_7(t *testing.T) {
	cases := []struct {
		name        string
		resp        netsim.Response
		timeout     time.Duration
		wantBlocked time.Duration
		wantReason  cache.Reason
	}{
		{"default 15 s, no answer", netsim.Response{Fail: netsim.FailTimeout}, 0, 15 * time.Second, cache.ReasonTimeout},
		{"caller 2 min clamped to 60 s (Windows 10, §11.2)", netsim.Response{Fail: netsim.FailTimeout}, 2 * time.Minute, 60 * time.Second, cache.ReasonTimeout},
		{"negative caller timeout → 60 s (§11.2)", netsim.Response{Body: []byte("x"), Latency: 25 * time.Second}, -time.Minute, 25 * time.Second, ""},
		{"latency 8 s within 15 s (.NET RevocationCheckingDelayed)", netsim.Response{Body: []byte("x"), Latency: 8 * time.Second}, 0, 8 * time.Second, ""},
		{"latency 3 s over a 1 s timeout", netsim.Response{Body: []byte("x"), Latency: 3 * time.Second}, time.Second, time.Second, cache.ReasonTimeout},
		{"offline fails at once", netsim.Response{Fail: netsim.FailOffline}, 0, 0, cache.ReasonOffline},
		{"reset", netsim.Response{Fail: netsim.FailReset, Latency: time.Second}, 0, time.Second, cache.ReasonReset},
		{"HTTP 404", netsim.Response{Status: 404}, 0, 0, cache.ReasonHTTPStatus},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t)
			g.net.Handle(crlURL, c.resp)
			res := get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{Timeout: c.timeout})
			want(t, res, cache.FromNetwork, c.wantReason)
			if res.Blocked != c.wantBlocked || g.clk.Now().Sub(t0) != c.wantBlocked {
				t.Errorf("Blocked = %v, clock moved %v; want %v", res.Blocked, g.clk.Now().Sub(t0), c.wantBlocked)
			}
		})
	}
}

func TestRetrieve_AccumulativeBudget_Spec3_7(t *testing.T) {
	g := newRig(t)
	r := g.process(t, nil)
	b := cache.NewBudget(cache.DefaultAccumulativeTimeout)
	var got []time.Duration
	for i := 0; i < 3; i++ {
		u := "http://pki.example.test/" + string(rune('a'+i)) + ".crl"
		g.net.Handle(u, netsim.Response{Fail: netsim.FailTimeout})
		res := get(t, r, u, cache.KindCRL, cache.Options{Budget: b})
		got = append(got, res.Blocked)
	}
	want := []time.Duration{10 * time.Second, 5 * time.Second, 2500 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("slices = %v, want %v (half of what remains)", got, want)
		}
	}
	if b.Remaining() != 2500*time.Millisecond || g.clk.Now().Sub(t0) != 17500*time.Millisecond {
		t.Errorf("remaining %v, clock moved %v", b.Remaining(), g.clk.Now().Sub(t0))
	}
	// A success in the middle stops the spending: only latency is charged.
	g.net.Serve(crlURL, []byte("crl"))
	res := get(t, r, crlURL, cache.KindCRL, cache.Options{Budget: b})
	if !res.OK || res.Timeout != 1250*time.Millisecond {
		t.Errorf("after three timeouts the next URL gets %v, want 1.25 s", res.Timeout)
	}
}

func TestRetrieve_ByteLimits_Spec3_7(t *testing.T) {
	g := newRig(t)
	r := g.process(t, nil)
	good := getPKI(t).cert.Raw
	g.net.Serve(aiaURL, good)
	get(t, r, aiaURL, cache.KindAIA, cache.Options{})
	// The AIA object grows past MaxAIAUrlRetrievalByteCount: rejected, the
	// cached copy untouched.
	g.net.Serve(aiaURL, make([]byte, cache.DefaultMaxAIARetrievalBytes+1))
	res := get(t, r, aiaURL, cache.KindAIA, cache.Options{WireOnly: true})
	want(t, res, cache.FromNetwork, cache.ReasonTooLarge)
	if l, _ := g.process(t, nil).Lookup(aiaURL); l == nil || !bytes.Equal(l.Body, good) {
		t.Errorf("disk entry changed after a too-large answer")
	}
	// The same size is fine for a CRL (MaxUrlRetrievalByteCount).
	g.net.Serve(crlURL, make([]byte, cache.DefaultMaxAIARetrievalBytes+1))
	want(t, get(t, r, crlURL, cache.KindCRL, cache.Options{}), cache.FromNetwork, "")
}

func TestRetrieve_OfflineBackoff_Spec5(t *testing.T) {
	g := newRig(t)
	model := cache.OfflineModel{Name: "test", InitialDelay: 10 * time.Minute, Growth: 2, Cap: 30 * time.Minute, Scope: cache.ScopeProcess}
	r := g.process(t, func(c *cache.Config) { c.Offline = model })
	g.net.Handle(crlURL, netsim.Response{Fail: netsim.FailOffline})
	opts := cache.Options{OfflineCheck: true}

	res := get(t, r, crlURL, cache.KindCRL, opts)
	want(t, res, cache.FromNetwork, cache.ReasonOffline)
	if !res.RetryAfter.Equal(t0.Add(10*time.Minute)) || res.NegativeModel != "test" {
		t.Fatalf("RetryAfter %v model %q", res.RetryAfter, res.NegativeModel)
	}
	// Skipped until T+delay: no wire, no blocking.
	g.clk.Set(t0.Add(10*time.Minute - time.Second))
	res = get(t, r, crlURL, cache.KindCRL, opts)
	want(t, res, cache.FromOfflineSkip, cache.ReasonOffline)
	if res.Blocked != 0 || !res.RetryAfter.Equal(t0.Add(10*time.Minute)) || g.net.Count(crlURL) != 1 {
		t.Fatalf("skip: %+v, wire %d", res, g.net.Count(crlURL))
	}
	var re *cache.RetrievalError
	if !errors.As(res.Err, &re) || !re.RetryAfter.Equal(res.RetryAfter) || !strings.Contains(re.Error(), crlURL) {
		t.Errorf("skip error %v", res.Err)
	}
	// Without CRYPT_OFFLINE_CHECK_RETRIEVAL the record is ignored.
	want(t, get(t, r, crlURL, cache.KindCRL, cache.Options{}), cache.FromNetwork, cache.ReasonOffline)
	// Retried after; the delay grows (20 min), then caps (30 min).
	g.clk.Set(t0.Add(10 * time.Minute))
	res = get(t, r, crlURL, cache.KindCRL, opts)
	want(t, res, cache.FromNetwork, cache.ReasonOffline)
	if d := res.RetryAfter.Sub(g.clk.Now()); d != 20*time.Minute {
		t.Errorf("second delay %v, want 20m", d)
	}
	g.clk.Set(res.RetryAfter)
	res = get(t, r, crlURL, cache.KindCRL, opts)
	if d := res.RetryAfter.Sub(g.clk.Now()); d != 30*time.Minute {
		t.Errorf("third delay %v, want the 30m cap", d)
	}
	// A success clears the record.
	g.clk.Set(res.RetryAfter)
	g.net.Serve(crlURL, []byte("crl"))
	want(t, get(t, r, crlURL, cache.KindCRL, opts), cache.FromNetwork, "")
	if _, ok := r.OfflineRecord(crlURL); ok {
		t.Errorf("record kept after a success")
	}
}

func TestRetrieve_OfflineScopes_AppRestartVsReboot_Spec5_3(t *testing.T) {
	cases := []struct {
		model            cache.OfflineModel
		skipAfterRestart bool
		skipAfterReboot  bool
	}{
		{cache.OfflineNone, false, false},
		{cache.OfflineProcessBackoff, false, false},
		{cache.OfflineServiceBackoff, true, false},
		{cache.OfflineSeed8h, true, true},
	}
	for _, c := range cases {
		t.Run(c.model.Name, func(t *testing.T) {
			g := newRig(t)
			g.net.Handle(crlURL, netsim.Response{Fail: netsim.FailTimeout})
			service := cache.NewOfflineState() // CryptSvc of this boot
			start := func(state *cache.OfflineState) *cache.Retriever {
				return g.process(t, func(cfg *cache.Config) { cfg.Offline = c.model; cfg.OfflineState = state })
			}
			opts := cache.Options{OfflineCheck: true}
			get(t, start(service), crlURL, cache.KindCRL, opts)
			g.clk.Advance(time.Second)

			restart := get(t, start(service), crlURL, cache.KindCRL, opts)
			if got := restart.From == cache.FromOfflineSkip; got != c.skipAfterRestart {
				t.Errorf("after app restart: from %q, want skip=%v", restart.From, c.skipAfterRestart)
			}
			reboot := get(t, start(cache.NewOfflineState()), crlURL, cache.KindCRL, opts)
			if got := reboot.From == cache.FromOfflineSkip; got != c.skipAfterReboot {
				t.Errorf("after reboot: from %q, want skip=%v", reboot.From, c.skipAfterReboot)
			}
		})
	}
}

func TestOfflineSeed8h_GrowsTo8h(t *testing.T) {
	m := cache.OfflineSeed8h
	var got []time.Duration
	for n := 1; n <= 8; n++ {
		got = append(got, m.Delay(n))
	}
	want := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour, 8 * time.Hour}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	if _, err := cache.OfflinePreset("seed-8h"); err != nil {
		t.Error(err)
	}
	if _, err := cache.OfflinePreset("bogus"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown preset: %v", err)
	}
	if (cache.Config{}).Offline.Enabled() {
		t.Errorf("the default model must be none")
	}
	// Every listed name selects its preset, the default first.
	names := cache.OfflinePresetNames()
	if len(names) != 4 || names[0] != cache.OfflineNone.Name {
		t.Errorf("preset names %v: want four, %q first", names, cache.OfflineNone.Name)
	}
	for _, n := range names {
		if m, err := cache.OfflinePreset(n); err != nil || m.Name != n {
			t.Errorf("OfflinePreset(%q) = %v, %v", n, m.Name, err)
		}
	}
}

func TestRetrieve_CorruptEntry_IsMissAndKept(t *testing.T) {
	g := newRig(t)
	r := g.process(t, nil)
	name := urlcache.URLName(crlURL)
	meta := filepath.Join(g.dir, "MetaData", name)
	os.WriteFile(filepath.Join(g.dir, "Content", name), []byte("x"), 0o644)
	os.WriteFile(meta, make([]byte, 52), 0o644)
	res := get(t, r, crlURL, cache.KindCRL, cache.Options{CacheOnly: true})
	want(t, res, cache.FromNone, cache.ReasonNotCached)
	var ce *urlcache.CorruptEntryError
	if len(res.Problems) != 1 || !errors.As(res.Problems[0], &ce) || !strings.Contains(ce.Error(), "MetaData record truncated at byte 52") || !strings.Contains(ce.Error(), name) {
		t.Fatalf("problems %v", res.Problems)
	}
	if b, _ := os.ReadFile(meta); len(b) != 52 {
		t.Errorf("a read changed the corrupt entry")
	}
	// Content/MetaData size mismatch is corrupt too.
	os.WriteFile(meta, urlcache.NewMetaData(crlURL, 99, t0, "").Marshal(), 0o644)
	res = get(t, r, crlURL, cache.KindCRL, cache.Options{CacheOnly: true})
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), "ContentSize is 99") {
		t.Fatalf("problems %v", res.Problems)
	}
}

func TestRetrieve_OCSPPrefixName_Spec4_3(t *testing.T) {
	g := newRig(t)
	body := getPKI(t).ocspResp(t, t0, t0.Add(time.Hour))
	g.net.Serve(ocspURL, body)
	prefix := "50CD3D75D026C82E2E718570BD6F44D0"
	get(t, g.process(t, nil), ocspURL, cache.KindOCSP, cache.Options{CacheFileNamePrefix: prefix})
	if _, err := os.Stat(filepath.Join(g.dir, "MetaData", prefix+"_"+urlcache.URLName(ocspURL))); err != nil {
		t.Fatal(err)
	}
	res := get(t, g.process(t, nil), ocspURL, cache.KindOCSP, cache.Options{})
	want(t, res, cache.FromDisk, "")
	if res.Name != prefix+"_"+urlcache.URLName(ocspURL) {
		t.Errorf("Name %q", res.Name)
	}
}

func TestRetrievalError_IsAs(t *testing.T) {
	g := newRig(t)
	_, err := g.process(t, nil).Retrieve(context.Background(), crlURL, cache.KindCRL, cache.Options{})
	if !errors.Is(err, cache.ErrOffline) || errors.Is(err, cache.ErrTimeout) {
		t.Fatalf("errors.Is: %v", err)
	}
	var re *cache.RetrievalError
	if !errors.As(err, &re) || re.URL != crlURL || !strings.Contains(err.Error(), crlURL) {
		t.Fatalf("errors.As: %v", err)
	}
	if e := (&cache.Result{URL: crlURL, Err: err}).LogEntry(); e.Error != "offline" {
		t.Errorf("log entry %+v", e)
	}
}

func TestContentKind(t *testing.T) {
	p := getPKI(t)
	pkcs7 := []byte{0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x02, 0x30, 0x00}
	cases := map[string][]byte{
		"crl":     p.crl(t, t0, t0.Add(time.Hour), 1),
		"ocsp":    p.ocspResp(t, t0, t0.Add(time.Hour)),
		"cert":    p.cert.Raw,
		"pkcs7":   pkcs7,
		"cab":     []byte("MSCF\x00\x00\x00\x00"),
		"unknown": []byte("<html>"),
	}
	cases["crl-no-next"] = p.crl(t, t0, time.Time{}, 2)
	// BER: an indefinite outer length, as some CMS producers write a .p7c.
	cases["pkcs7-ber"] = append(append([]byte{0x30, 0x80}, pkcs7[2:]...), 0, 0)
	for name, body := range cases {
		want := strings.TrimSuffix(strings.TrimSuffix(name, "-no-next"), "-ber")
		if got := cache.ContentKind(body); got != want {
			t.Errorf("ContentKind(%s) = %q", name, got)
		}
	}
	if got := cache.ContentKind([]byte("-----BEGIN X509 CRL-----\nAA==\n-----END X509 CRL-----\n")); got != "crl" {
		t.Errorf("PEM CRL: %q", got)
	}
}

// Clone splits service-scoped offline records: changes to one copy do not
// show in the other.
func TestOfflineState_Clone(t *testing.T) {
	clk := clock.NewManual(t0)
	model, err := cache.OfflinePreset("service-backoff")
	if err != nil {
		t.Fatal(err)
	}
	state := cache.NewOfflineState()
	r, err := cache.NewRetriever(cache.Config{Clock: clk, Offline: model, OfflineState: state})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Retrieve(context.Background(), "http://down.example.test/a.crl", cache.KindCRL, cache.Options{OfflineCheck: true}); err == nil {
		t.Fatal("want an offline failure")
	}
	if n := len(state.Records()); n != 1 {
		t.Fatalf("want 1 record, got %d", n)
	}
	cp := state.Clone()
	r2, err := cache.NewRetriever(cache.Config{Clock: clk, Offline: model, OfflineState: cp})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Retrieve(context.Background(), "http://down.example.test/b.crl", cache.KindCRL, cache.Options{OfflineCheck: true}); err == nil {
		t.Fatal("want an offline failure")
	}
	if len(cp.Records()) != 2 || len(state.Records()) != 1 {
		t.Fatalf("clone shares records: clone %d, original %d", len(cp.Records()), len(state.Records()))
	}
}
