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
