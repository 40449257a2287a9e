package client_test

import (
	"bytes"
	"testing"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/client"
)

// TestCacheFolderOptions: a CacheFolder opened with
// Config.CacheFolderOptions is bounded as a CacheDir is: by the registry's
// MaxUrlRetrievalByteCount, and by default by
// cache.DefaultMaxURLRetrievalBytes (100 MiB), not by urlcache's own
// default (urlcache.MaxContentSize, 4 GiB).
func TestCacheFolderOptions(t *testing.T) {
	var cfg client.Config
	if got := cfg.CacheFolderOptions(); got.MaxContent != cache.DefaultMaxURLRetrievalBytes || got.ReadOnly {
		t.Errorf("zero Config: %+v, want MaxContent %d (cache.DefaultMaxURLRetrievalBytes), writable", got, cache.DefaultMaxURLRetrievalBytes)
	}
	cfg.ReadOnlyCache = true
	if got := cfg.CacheFolderOptions(); !got.ReadOnly {
		t.Errorf("ReadOnlyCache: %+v, want ReadOnly", got)
	}

	cfg = client.Config{Registry: client.Registry{MaxURLRetrievalBytes: 100}}
	f, err := urlcache.OpenFS(urlcache.NewMemFS(), cfg.CacheFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		size int
		ok   bool
	}{{"http://pki.example.test/small.crl", 100, true}, {"http://pki.example.test/big.crl", 101, false}} {
		body := bytes.Repeat([]byte{'x'}, tc.size)
		if err := f.Put("", urlcache.NewMetaData(tc.url, len(body), t0, ""), body); err != nil {
			t.Fatal(err)
		}
		e, err := f.Get(tc.url)
		if got := err == nil && e != nil; got != tc.ok {
			t.Errorf("%d-byte Content under MaxUrlRetrievalByteCount 100: read %v (err %v), want %v", tc.size, got, err, tc.ok)
		}
	}
}
