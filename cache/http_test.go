package cache_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
)

func TestHTTPFetcher_Loopback_Spec3_4(t *testing.T) {
	crl := getPKI(t).crl(t, t0, t0.Add(180*24*time.Hour), 1)
	var gets, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ua := r.Header.Get("User-Agent"); ua != "Microsoft-CryptoAPI/10.0" {
			http.Error(w, "bad user agent "+ua, 400)
			return
		}
		switch r.URL.Path {
		case "/inter.crl":
			gets.Add(1)
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Cache-Control", "public, max-age=604800")
			if r.Header.Get("If-None-Match") == `"v1"` {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(crl)
		case "/weak.crl":
			w.Header().Set("ETag", `W/"weak"`)
			w.Write(crl)
		case "/big.crt":
			// No Content-Length: the limit must hold while reading.
			w.(http.Flusher).Flush()
			for i := 0; i < 200; i++ {
				w.Write(make([]byte, 1000))
			}
		case "/ocsp":
			body, _ := io.ReadAll(r.Body)
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/ocsp-request" || !bytes.Equal(body, []byte{0x30, 0x00}) {
				http.Error(w, "want an OCSP POST", 400)
				return
			}
			w.Write([]byte("ocsp"))
		case "/hang":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	clk := clock.NewManual(t0)
	r, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: cache.NewHTTPFetcher(nil), DiskDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	res, err := r.Retrieve(ctx, srv.URL+"/inter.crl", cache.KindCRL, cache.Options{})
	if err != nil || res.ETag != `"v1"` || res.MaxAge != 7*24*time.Hour || !bytes.Equal(res.Body, crl) {
		t.Fatalf("GET: %+v %v", res, err)
	}
	clk.Advance(7 * 24 * time.Hour)
	res, err = r.Retrieve(ctx, srv.URL+"/inter.crl", cache.KindCRL, cache.Options{})
	if err != nil || !res.Revalidated || notModified.Load() != 1 || gets.Load() != 2 {
		t.Fatalf("conditional GET: %+v %v (gets %d, 304s %d)", res, err, gets.Load(), notModified.Load())
	}

	if res, _ := r.Retrieve(ctx, srv.URL+"/weak.crl", cache.KindCRL, cache.Options{}); res.ETag != "" {
		t.Errorf("weak ETag stored: %q", res.ETag)
	}
	res, err = r.Retrieve(ctx, srv.URL+"/big.crt", cache.KindAIA, cache.Options{})
	if cache.ReasonOf(err) != cache.ReasonTooLarge {
		t.Errorf("200000-byte AIA: %v", err)
	}
	if _, err := r.Lookup(srv.URL + "/big.crt"); err == nil {
		t.Errorf("too-large object was cached")
	}
	res, err = r.Retrieve(ctx, srv.URL+"/ocsp", cache.KindOCSP, cache.Options{Method: "POST", Body: []byte{0x30, 0x00}})
	if err != nil || string(res.Body) != "ocsp" {
		t.Errorf("POST: %+v %v", res, err)
	}
	if _, err := r.Retrieve(ctx, srv.URL+"/missing.crl", cache.KindCRL, cache.Options{}); cache.ReasonOf(err) != cache.ReasonHTTPStatus || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}

	// A real deadline: the server never answers; the caller is charged the
	// full timeout on the simulated clock.
	before := clk.Now()
	res, err = r.Retrieve(ctx, srv.URL+"/hang", cache.KindCRL, cache.Options{Timeout: 50 * time.Millisecond})
	if cache.ReasonOf(err) != cache.ReasonTimeout || res.Blocked != 50*time.Millisecond || clk.Now().Sub(before) != 50*time.Millisecond {
		t.Errorf("hang: %v blocked %v", err, res.Blocked)
	}

	// Nothing listens: offline.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/x.crl"
	ln.Close()
	if _, err := r.Retrieve(ctx, dead, cache.KindCRL, cache.Options{}); cache.ReasonOf(err) != cache.ReasonOffline {
		t.Errorf("refused: %v", err)
	}
}
