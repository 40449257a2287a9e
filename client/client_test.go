package client_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

const crlURL = "http://pki.example.test/root.crl"

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// fixture is one client over a simulated network serving the example PKI.
type fixture struct {
	clk  *clock.Manual
	net  *netsim.Network
	leaf *certs.Certificate
	root *certs.Certificate
	crl  []byte
	dir  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root, leaf, crl := examplePKI()
	f := &fixture{clk: clock.NewManual(t0), leaf: leaf, root: root, crl: crl, dir: filepath.Join(t.TempDir(), "cache")}
	f.net = netsim.New(f.clk)
	f.net.Serve(crlURL, crl)
	return f
}

func (f *fixture) config(model cache.OfflineModel) client.Config {
	return client.Config{Clock: f.clk, Network: f.net, Root: chain.NewStore("Root", f.root), CacheDir: f.dir, NegativeCache: model}
}

var revocationOpts = client.VerifyOptions{Params: chain.Params{Flags: chain.RevocationCheckChainExclRoot}}

func (f *fixture) verify(t *testing.T, c *client.Client) *client.Result {
	t.Helper()
	res, err := c.Verify(context.Background(), f.leaf, revocationOpts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// lastFrom is where the leaf's CRL came from in the last Verify (the
// element's revocation info, or the last retrieval when none answered).
func lastFrom(res *client.Result) cache.From {
	if r := res.Chain.Chains[0].Elements[0].Revocation; r != nil && r.From != "" {
		return cache.From(r.From)
	}
	return cache.FromNone
}

// The three state scopes (spec §5.3 (b), §5.4): which of restart, reboot and
// `certutil -urlcache * delete` lets a URL with an offline-URL record reach
// the wire again, for a record held by the process, the service or the disk.
func TestOfflineRecordScopes(t *testing.T) {
	cases := []struct {
		model                                  cache.OfflineModel
		afterRestart, afterReboot, afterDelete cache.From
	}{
		// Records in memory are not in the folder: the delete leaves them.
		{cache.OfflineProcessBackoff, cache.FromNetwork, cache.FromNetwork, cache.FromOfflineSkip},
		{cache.OfflineServiceBackoff, cache.FromOfflineSkip, cache.FromNetwork, cache.FromOfflineSkip},
		{cache.OfflineSeed8h, cache.FromOfflineSkip, cache.FromOfflineSkip, cache.FromNetwork},
	}
	for _, tc := range cases {
		t.Run(tc.model.Name, func(t *testing.T) {
			f := newFixture(t)
			f.net.Handle(crlURL, netsim.Response{Fail: netsim.FailOffline})
			c, err := client.New(f.config(tc.model))
			if err != nil {
				t.Fatal(err)
			}
			if from := lastFrom(f.verify(t, c)); from != cache.FromNetwork {
				t.Fatalf("first attempt from %q, want network", from)
			}
			if from := lastFrom(f.verify(t, c)); from != cache.FromOfflineSkip {
				t.Fatalf("second attempt from %q, want offline-skip", from)
			}
			steps := []struct {
				name string
				do   func() error
				want cache.From
			}{
				{"restart", c.Restart, tc.afterRestart},
				{"reboot", c.Reboot, tc.afterReboot},
				{"urlcache * delete", func() error { _, err := c.DeleteURLCache(client.SelectAll); return err }, tc.afterDelete},
			}
			for _, s := range steps {
				// Each step starts from a blocked URL: fail it again first.
				f.verify(t, c)
				if err := s.do(); err != nil {
					t.Fatal(err)
				}
				if from := lastFrom(f.verify(t, c)); from != s.want {
					t.Errorf("after %s: CRL from %q, want %q", s.name, from, s.want)
				}
			}
		})
	}
}

// The memory cache dies with the process; the disk cache survives a
// reboot; `urlcache * delete` empties the folder but not the running
// process's memory (spec §1.9).
func TestCacheScopes(t *testing.T) {
	f := newFixture(t)
	c, err := client.New(f.config(cache.OfflineModel{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name string
		do   func() error
		want cache.From
	}{
		{"first", func() error { return nil }, cache.FromNetwork},
		{"again", func() error { return nil }, cache.FromMemory},
		{"restart", c.Restart, cache.FromDisk},
		{"reboot", c.Reboot, cache.FromDisk},
		{"delete", func() error { _, err := c.DeleteURLCache(client.SelectAll); return err }, cache.FromMemory},
		{"restart after delete", c.Restart, cache.FromNetwork},
	} {
		if err := step.do(); err != nil {
			t.Fatal(err)
		}
		res := f.verify(t, c)
		if !res.Policy.OK() {
			t.Fatalf("%s: policy %s", step.name, res.Policy.Error)
		}
		if from := lastFrom(res); from != step.want {
			t.Errorf("%s: CRL from %q, want %q", step.name, from, step.want)
		}
	}
}

// Resync (ChainCacheResyncFiletime @now) makes the running process ignore
// what it cached before, without a restart; a fork starts with the memory
// of the client it was forked from.
func TestResyncAndFork(t *testing.T) {
	f := newFixture(t)
	c, err := client.New(f.config(cache.OfflineModel{}))
	if err != nil {
		t.Fatal(err)
	}
	f.verify(t, c)
	if from := lastFrom(f.verify(t, c)); from != cache.FromMemory {
		t.Fatalf("second verify from %q, want memory", from)
	}
	other := f.config(cache.OfflineModel{})
	other.CacheDir = ""
	fork, err := c.Fork(other)
	if err != nil {
		t.Fatal(err)
	}
	if from := lastFrom(f.verify(t, fork)); from != cache.FromMemory {
		t.Errorf("fork: CRL from %q, want memory (a copy of the parent's)", from)
	}
	f.clk.Advance(time.Minute)
	if err := c.Resync(f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if from := lastFrom(f.verify(t, c)); from != cache.FromNetwork {
		t.Errorf("after resync: CRL from %q, want network", from)
	}
	if got := c.Config().Registry.ResyncBefore; got.IsZero() {
		t.Errorf("ResyncBefore not recorded: %v", got)
	}
	if from := lastFrom(f.verify(t, fork)); from != cache.FromMemory {
		t.Errorf("the fork saw the parent's resync: CRL from %q", from)
	}
}

// One clock for every layer: simulated latency is charged to it.
func TestClockSetOnce(t *testing.T) {
	f := newFixture(t)
	f.net.Handle(crlURL, netsim.Response{Body: f.crl, Latency: 3 * time.Second})
	c, err := client.New(f.config(cache.OfflineModel{}))
	if err != nil {
		t.Fatal(err)
	}
	if res := f.verify(t, c); !res.Policy.OK() {
		t.Fatalf("policy %s", res.Policy.Error)
	}
	if got := f.clk.Now().Sub(t0); got != 3*time.Second {
		t.Errorf("clock moved %s, want the 3s the CRL took", got)
	}
}

// A file where the cache folder should be is refused with its name.
func TestNewRejectsFileAsCacheDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := client.New(client.Config{CacheDir: p})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("err = %v, want one naming %s", err, p)
	}
}

// The disk-scoped offline-URL records are listed with the folder's entries
// and deleted by the selectors that pick them: '*', their URL and
// "offline" (records alone); CRL and OCSP leave them (issue 14).
func TestURLCacheOfflineRecords(t *testing.T) {
	const deadURL = "http://pki.example.test/dead.crl"
	setup := func(t *testing.T) (*fixture, *client.Client) {
		f := newFixture(t)
		c, err := client.New(f.config(cache.OfflineSeed8h))
		if err != nil {
			t.Fatal(err)
		}
		f.verify(t, c) // caches root.crl
		// A URL that fails leaves a record.
		res, err := c.Retriever().Retrieve(context.Background(), deadURL, cache.KindCRL, cache.Options{OfflineCheck: true})
		if err == nil || res.From != cache.FromNetwork {
			t.Fatalf("dead URL: %v from %q", err, res.From)
		}
		return f, c
	}
	list := func(t *testing.T, c *client.Client) (entries, records int) {
		t.Helper()
		l, err := c.ListURLCache(client.SelectAll)
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Entries), len(l.Offline)
	}
	t.Run("list", func(t *testing.T) {
		f, c := setup(t)
		l, err := c.ListURLCache(client.SelectAll)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Entries) != 1 || l.Entries[0].Meta.URL != crlURL {
			t.Fatalf("entries %v", l.Entries)
		}
		if len(l.Offline) != 1 {
			t.Fatalf("offline records %v, want the dead URL's", l.Offline)
		}
		r := l.Offline[0]
		if r.URL != deadURL || r.Failures != 1 || !r.RetryAfter.Equal(f.clk.Now().Add(15*time.Minute)) {
			t.Errorf("record %+v, want 1 failure, retry 15 min after it (seed-8h)", r)
		}
		if l, _ := c.ListURLCache(client.SelectCRL); len(l.Offline) != 0 || len(l.Entries) != 1 {
			t.Errorf("crl selector: %d entries, %d records; want 1, 0", len(l.Entries), len(l.Offline))
		}
	})
	for _, tc := range []struct {
		target                 string
		wantEntries, wantRecs  int
		deletedEntries, delRec int
	}{
		{client.SelectAll, 0, 0, 1, 1},
		{client.SelectOffline, 1, 0, 0, 1},
		{client.SelectCRL, 0, 1, 1, 0},
		{deadURL, 1, 0, 0, 1},
		{crlURL, 0, 1, 1, 0},
	} {
		t.Run("delete "+tc.target, func(t *testing.T) {
			_, c := setup(t)
			del, err := c.DeleteURLCache(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if len(del.Entries) != tc.deletedEntries || len(del.Offline) != tc.delRec {
				t.Errorf("deleted %d entries, %d records; want %d, %d", len(del.Entries), len(del.Offline), tc.deletedEntries, tc.delRec)
			}
			if e, r := list(t, c); e != tc.wantEntries || r != tc.wantRecs {
				t.Errorf("left %d entries, %d records; want %d, %d", e, r, tc.wantEntries, tc.wantRecs)
			}
			// A deleted record no longer blocks the URL.
			res, _ := c.Retriever().Retrieve(context.Background(), deadURL, cache.KindCRL, cache.Options{OfflineCheck: true})
			wantFrom := cache.FromOfflineSkip
			if tc.delRec == 1 {
				wantFrom = cache.FromNetwork
			}
			if res.From != wantFrom {
				t.Errorf("dead URL retried from %q, want %q", res.From, wantFrom)
			}
		})
	}
}
