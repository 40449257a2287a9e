package cache

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

// FuzzOfflineRecord feeds arbitrary bytes to the reader of winchain-offline
// records (a folder shared between processes), as the file of the URL in an
// in-memory folder. Properties: it never panics;
// an accepted record names the URL asked for, carries 1..MaxOfflineFailures
// failures and a retry time not before its failure; under every preset the
// URL is then blocked no longer than the model's delay for that count, and
// not at all from a record dated after the reader's clock.
//
// Seeds: records as Retriever writes them, and the shapes of
// TestOfflineRecord_FromDisk_CannotBlockBeyondModel.
func FuzzOfflineRecord(f *testing.F) {
	const url = "http://pki.example.test/ca.crl"
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for n := 1; n <= 7; n++ {
		b, _ := json.Marshal(OfflineRecord{URL: url, Failures: n, LastFailure: t0, RetryAfter: t0.Add(OfflineSeed8h.Delay(n))})
		f.Add(b)
	}
	f.Add([]byte(`{"url":"` + url + `","failures":1048576,"lastFailure":"2026-11-24T09:00:00Z","retryAfter":"9999-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"url":"` + url + `","failures":-1}`))
	f.Add([]byte(`{}`))
	mem := urlcache.NewMemFS()
	folder, err := urlcache.OpenFS(mem, urlcache.Options{})
	if err != nil {
		f.Fatal(err)
	}
	if err := mem.MkdirAll(urlcache.OfflineDir); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := mem.WriteFile(urlcache.OfflineDir+"/"+urlcache.URLName(url), b); err != nil {
			t.Fatal(err)
		}
		r, ok, err := folder.OfflineRecord(url)
		if err != nil || !ok {
			return
		}
		if r.URL != url || r.Failures < 1 || r.Failures > urlcache.MaxOfflineFailures || r.RetryAfter.Before(r.LastFailure) {
			t.Fatalf("accepted %+v", r)
		}
		for _, m := range offlinePresets {
			for _, now := range []time.Time{r.LastFailure, r.LastFailure.Add(-time.Hour), r.LastFailure.Add(time.Minute)} {
				ra, blocked := m.retryAfter(r, now)
				if !blocked {
					continue
				}
				if now.Before(r.LastFailure) {
					t.Fatalf("%s: blocked at %v by a record from %v", m.Name, now, r.LastFailure)
				}
				if ra.Sub(r.LastFailure) > m.Delay(r.Failures) || !now.Before(ra) {
					t.Fatalf("%s: %d failures at %v block until %v (delay %v)", m.Name, r.Failures, r.LastFailure, ra, m.Delay(r.Failures))
				}
			}
		}
	})
}
