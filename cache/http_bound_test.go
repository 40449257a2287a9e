package cache_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
)

// An HTTPFetcher used directly, with no MaxBytes, is bounded by
// DefaultMaxURLRetrievalBytes: a body announced bigger is refused before
// it is read, and so is a bigger file:// file (by its size, unread). Before,
// MaxBytes 0 meant an unbounded read.
func TestHTTPFetcher_NoMaxBytesIsBoundedByTheDefault(t *testing.T) {
	over := cache.DefaultMaxURLRetrievalBytes + 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.FormatInt(over, 10))
		w.Write([]byte("0123456789")) // the server gives up; the client must not wait for the rest
	}))
	defer srv.Close()
	f := cache.NewHTTPFetcher(clock.System())
	_, err := f.Fetch(context.Background(), &cache.FetchRequest{URL: srv.URL + "/huge.crl", Kind: cache.KindCRL})
	var re *cache.RetrievalError
	require.ErrorAs(t, err, &re)
	require.Equal(t, cache.ReasonTooLarge, re.Reason, re.Error())
	require.Contains(t, re.Error(), "limit "+strconv.FormatInt(cache.DefaultMaxURLRetrievalBytes, 10))

	// A sparse file one byte over the default: refused by its size.
	p := filepath.Join(t.TempDir(), "huge.crl")
	fh, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, fh.Truncate(over))
	require.NoError(t, fh.Close())
	_, err = f.Fetch(context.Background(), &cache.FetchRequest{URL: "file://" + filepath.ToSlash(p), Kind: cache.KindCRL})
	require.ErrorAs(t, err, &re)
	require.Equal(t, cache.ReasonTooLarge, re.Reason, re.Error())
	// At the limit of the request it is read.
	require.NoError(t, os.WriteFile(p, []byte("crl"), 0o644))
	resp, err := f.Fetch(context.Background(), &cache.FetchRequest{URL: "file://" + filepath.ToSlash(p), Kind: cache.KindCRL, MaxBytes: 3})
	require.NoError(t, err)
	require.Equal(t, "crl", string(resp.Body))
}

// A non-200 answer's short body is drained so that the connection is reused
// (the next retrieval opens no new connection).
func TestHTTPFetcher_ErrorBodyDrainedForReuse(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not here: a short error page", http.StatusNotFound)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	f := cache.NewHTTPFetcher(clock.System())
	for i := 0; i < 3; i++ {
		resp, err := f.Fetch(context.Background(), &cache.FetchRequest{URL: srv.URL + "/missing.crl", Kind: cache.KindCRL})
		require.NoError(t, err)
		require.Equal(t, http.StatusNotFound, resp.Status)
	}
	require.Equal(t, int32(1), conns.Load())
}
