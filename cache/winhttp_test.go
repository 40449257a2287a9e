package cache_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
)

// A failed retrieval keeps its cause, named as WinHTTP names it in the
// CAPI2 log (spec §7.3): a redirect loop and a redirect to file:// no
// longer both read "offline" with nothing more (issue 15).
func TestRetrievalCauseNamesTheWinHTTPError(t *testing.T) {
	var loops int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop.crl":
			loops++
			http.Redirect(w, r, "/loop.crl", http.StatusFound)
		case "/tofile.crl":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusMovedPermanently)
		case "/toldap.crl":
			http.Redirect(w, r, "ldap://ldap.example.test/cn=CA?certificateRevocationList", http.StatusFound)
		case "/moved.crl":
			http.Redirect(w, r, "/inter.crl", http.StatusFound)
		case "/inter.crl":
			w.Write([]byte("crl"))
		case "/hang.crl":
			<-r.Context().Done()
		case "/garbage.crl":
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Write([]byte("SMTP ready\r\n\r\n"))
			c.Close()
		}
	}))
	defer srv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String() + "/x.crl"
	ln.Close()

	r, err := cache.NewRetriever(cache.Config{Clock: clock.NewManual(t0), Fetcher: cache.NewHTTPFetcher(nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url     string
		reason  cache.Reason
		winhttp cache.WinHTTPError
		cause   string
	}{
		{srv.URL + "/loop.crl", cache.ReasonOffline, cache.WinHTTPRedirectFailed, "ERROR_WINHTTP_REDIRECT_FAILED (12156): more than 10 redirects"},
		{srv.URL + "/tofile.crl", cache.ReasonOffline, cache.WinHTTPRedirectFailed, "ERROR_WINHTTP_REDIRECT_FAILED (12156): redirect to file:///etc/passwd, which is not an http or https URL"},
		{srv.URL + "/toldap.crl", cache.ReasonOffline, cache.WinHTTPRedirectFailed, "redirect to ldap://"},
		{srv.URL + "/hang.crl", cache.ReasonTimeout, cache.WinHTTPTimeout, "ERROR_WINHTTP_TIMEOUT (12002)"},
		{refused, cache.ReasonOffline, cache.WinHTTPCannotConnect, "ERROR_WINHTTP_CANNOT_CONNECT (12029)"},
		{srv.URL + "/garbage.crl", cache.ReasonOffline, cache.WinHTTPInvalidServerResponse, "ERROR_WINHTTP_INVALID_SERVER_RESPONSE (12152)"},
	} {
		// Only the hanging URL needs a short timeout; the others get a long
		// one so that 11 loopback requests on a loaded machine cannot time out.
		timeout := 30 * time.Second
		if tc.reason == cache.ReasonTimeout {
			timeout = 100 * time.Millisecond
		}
		res, err := r.Retrieve(context.Background(), tc.url, cache.KindCRL, cache.Options{Timeout: timeout})
		var re *cache.RetrievalError
		if err == nil || res == nil {
			t.Errorf("%s: no failure", tc.url)
			continue
		}
		if !errors.As(err, &re) || re.Reason != tc.reason || re.WinHTTP != tc.winhttp {
			t.Errorf("%s: %v, want %s with %s", tc.url, err, tc.reason, tc.winhttp)
		}
		if got := res.Cause(); !strings.Contains(got, tc.cause) {
			t.Errorf("%s: cause %q, want it to contain %q", tc.url, got, tc.cause)
		}
		if e := res.LogEntry(); e.Error != string(tc.reason) || e.Cause != res.Cause() {
			t.Errorf("%s: log entry %+v", tc.url, e)
		}
	}
	if loops != cache.MaxRedirects+1 {
		t.Errorf("the loop was followed %d times, want %d (MaxRedirects + the first request)", loops, cache.MaxRedirects+1)
	}
	// A redirect within http(s) is followed.
	if res, err := r.Retrieve(context.Background(), srv.URL+"/moved.crl", cache.KindCRL, cache.Options{}); err != nil || string(res.Body) != "crl" || res.Cause() != "" {
		t.Errorf("redirect to a CRL: %v %v", res, err)
	}
}
