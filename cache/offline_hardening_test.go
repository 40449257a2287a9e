package cache_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/netsim"
)

// A winchain-offline record is read from a folder other processes write
// and people copy between machines. Whatever it says, it must not block a
// URL for longer than the model's back-off for its failure count, counted
// from its last failure (issue 9: "cache records ... come from anywhere").
func TestOfflineRecord_FromDisk_CannotBlockBeyondModel(t *testing.T) {
	type rec struct {
		URL         string    `json:"url"`
		Failures    int       `json:"failures"`
		LastFailure time.Time `json:"lastFailure"`
		RetryAfter  time.Time `json:"retryAfter"`
	}
	year9999 := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		file []byte
		// blockedFor is how long after t0 the URL is skipped; 0: not at all.
		blockedFor time.Duration
	}{
		{"not JSON", []byte("\x00garbage"), 0},
		{"another URL", mustJSON(t, rec{"http://other.test/x.crl", 1, t0, t0.Add(time.Hour)}), 0},
		{"no failure", mustJSON(t, rec{crlURL, 0, t0, t0.Add(time.Hour)}), 0},
		{"negative count", mustJSON(t, rec{crlURL, -5, t0, year9999}), 0},
		{"retry before failure", mustJSON(t, rec{crlURL, 1, t0, t0.Add(-time.Minute)}), 0},
		{"last failure in the future (clock set back)", mustJSON(t, rec{crlURL, 3, t0.Add(48 * time.Hour), t0.Add(49 * time.Hour)}), 0},
		// seed-8h: 15 min after one failure, whatever RetryAfter claims.
		{"retry in year 9999", mustJSON(t, rec{crlURL, 1, t0, year9999}), 15 * time.Minute},
		// A huge count is capped at 8 h.
		{"huge count", mustJSON(t, rec{crlURL, 1 << 20, t0, year9999}), 8 * time.Hour},
		{"count past the bound", mustJSON(t, rec{crlURL, 1<<20 + 1, t0, year9999}), 0},
		// An honest record is honoured as written.
		{"honest record", mustJSON(t, rec{crlURL, 2, t0, t0.Add(30 * time.Minute)}), 30 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t)
			g.net.Handle(crlURL, netsim.Response{Fail: netsim.FailOffline})
			dir := filepath.Join(g.dir, urlcache.OfflineDir)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, urlcache.URLName(crlURL)), c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			r := g.process(t, func(cfg *cache.Config) { cfg.Offline = cache.OfflineSeed8h })
			opts := cache.Options{OfflineCheck: true}
			res := get(t, r, crlURL, cache.KindCRL, opts)
			if c.blockedFor == 0 {
				want(t, res, cache.FromNetwork, cache.ReasonOffline)
				return
			}
			want(t, res, cache.FromOfflineSkip, cache.ReasonOffline)
			if got := res.RetryAfter.Sub(t0); got != c.blockedFor {
				t.Errorf("retry after t0+%v, want t0+%v", got, c.blockedFor)
			}
			g.clk.Set(t0.Add(c.blockedFor - time.Second))
			want(t, get(t, r, crlURL, cache.KindCRL, opts), cache.FromOfflineSkip, cache.ReasonOffline)
			g.clk.Set(t0.Add(c.blockedFor))
			res = get(t, r, crlURL, cache.KindCRL, opts)
			want(t, res, cache.FromNetwork, cache.ReasonOffline)
			// The failure rewrote the record; the count neither wrapped nor
			// went past the bound.
			got, ok := r.OfflineRecord(crlURL)
			if !ok || got.Failures < 2 || got.Failures > 1<<20 || !got.LastFailure.Equal(g.clk.Now()) {
				t.Errorf("record after the retry: %+v, %v", got, ok)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A Content file over MaxUrlRetrievalByteCount cannot have been stored by a
// retrieval: it is reported and treated as a miss without being read into
// memory (a sparse 100 MiB + 1 file costs no disk and would cost 100 MiB of
// memory if it were read).
func TestDisk_ContentOverLimit_NotRead(t *testing.T) {
	g := newRig(t)
	g.net.Serve(crlURL, []byte("crl body"))
	r := g.process(t, nil)
	want(t, get(t, r, crlURL, cache.KindCRL, cache.Options{}), cache.FromNetwork, "")
	cp := filepath.Join(g.dir, urlcache.ContentDir, urlcache.URLName(crlURL))
	if err := os.Truncate(cp, cache.DefaultMaxURLRetrievalBytes+1); err != nil {
		t.Fatal(err)
	}
	res := get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{CacheOnly: true})
	want(t, res, cache.FromNone, cache.ReasonNotCached)
	var ce *urlcache.CorruptEntryError
	if len(res.Problems) != 1 || !errors.As(res.Problems[0], &ce) || !strings.Contains(ce.Error(), "over the 104857600-byte limit") {
		t.Fatalf("problems %v", res.Problems)
	}
	// The configured limit applies: a smaller one refuses the original body.
	if err := os.WriteFile(cp, []byte("crl body"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = get(t, g.process(t, func(cfg *cache.Config) { cfg.MaxURLRetrievalBytes = 4 }), crlURL, cache.KindCRL, cache.Options{CacheOnly: true})
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), "Content is 8 bytes, over the 4-byte limit") {
		t.Fatalf("problems %v", res.Problems)
	}
	// Nothing was lost: with the default limit the entry reads back.
	want(t, get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{CacheOnly: true}), cache.FromDisk, "")
}

// A MetaData file bigger than any record ParseMetaData accepts is reported
// and treated as a miss without being read (a sparse 1 GiB file).
func TestDisk_MetaDataOverLimit_NotRead(t *testing.T) {
	g := newRig(t)
	g.net.Serve(crlURL, []byte("crl body"))
	want(t, get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{}), cache.FromNetwork, "")
	mp := filepath.Join(g.dir, urlcache.MetaDataDir, urlcache.URLName(crlURL))
	if err := os.Truncate(mp, 1<<30); err != nil {
		t.Fatal(err)
	}
	res := get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{CacheOnly: true})
	want(t, res, cache.FromNone, cache.ReasonNotCached)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), "MetaData file is 1073741824 bytes; no record is over") {
		t.Fatalf("problems %v", res.Problems)
	}
}

// A cached copy is bounded by the limit of the kind asked for (issue 15):
// an AIA retrieval reads no Content over MaxAIAUrlRetrievalByteCount
// (100,000 bytes), though the same file is within the 100 MiB of a CRL
// retrieval. Nothing is deleted: the entry is reported and skipped.
func TestDisk_AIAEntryBoundByAIALimit(t *testing.T) {
	g := newRig(t)
	f, err := urlcache.Open(g.dir, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, cache.DefaultMaxAIARetrievalBytes+1)
	if err := f.Put("", urlcache.NewMetaData(aiaURL, len(body), t0, ""), body); err != nil {
		t.Fatal(err)
	}
	res := get(t, g.process(t, nil), aiaURL, cache.KindAIA, cache.Options{CacheOnly: true})
	want(t, res, cache.FromNone, cache.ReasonNotCached)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), "Content is 100001 bytes, over the 100000-byte limit") {
		t.Fatalf("problems %v", res.Problems)
	}
	// The configured AIA limit applies, and the limit of another kind.
	res = get(t, g.process(t, func(c *cache.Config) { c.MaxAIARetrievalBytes = 200000 }), aiaURL, cache.KindAIA, cache.Options{CacheOnly: true})
	want(t, res, cache.FromDisk, "")
	want(t, get(t, g.process(t, nil), aiaURL, cache.KindCRL, cache.Options{CacheOnly: true}), cache.FromDisk, "")
}
