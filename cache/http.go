package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/boundedio"
)

// UserAgent is the User-Agent Cryptnet sends through WinHTTP. S40 shows
// "Microsoft-CryptoAPI/6.0" on Vista/7; 10.0 on Windows 10/11 is presumed
// (spec §3.4, UNCONFIRMED).
const UserAgent = "Microsoft-CryptoAPI/10.0"

// HTTPFetcher is the real network: net/http for http:// and https://, the
// local file system for file:// (the Retriever only lets file:// through
// when Config.AllowFileScheme is set). It enforces the byte limit while
// reading and the timeout through the context.
type HTTPFetcher struct {
	// Client is the HTTP client; nil means a client with its own transport
	// (proxy from the environment, like WinHTTP's static proxy).
	Client *http.Client
	// Clock measures FetchResponse.Elapsed; nil reports 0. Use the system
	// clock in a CLI, never a simulated one (real time would not move it).
	Clock clock.Clock
	// UserAgent overrides [UserAgent].
	UserAgent string
}

// NewHTTPFetcher returns an HTTPFetcher with a default client.
func NewHTTPFetcher(clk clock.Clock) *HTTPFetcher {
	return &HTTPFetcher{Client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, Clock: clk}
}

// Fetch performs one retrieval. A body over req.MaxBytes (zero or less:
// [DefaultMaxURLRetrievalBytes], so a caller of the fetcher itself is
// bounded too) is refused as ReasonTooLarge without being held whole.
func (f *HTTPFetcher) Fetch(ctx context.Context, req *FetchRequest) (*FetchResponse, error) {
	var start time.Time
	if f.Clock != nil {
		start = f.Clock.Now()
	}
	elapsed := func() time.Duration {
		if f.Clock == nil {
			return 0
		}
		return f.Clock.Now().Sub(start)
	}
	u, err := neturl.Parse(req.URL)
	if err != nil {
		return nil, &RetrievalError{URL: req.URL, Reason: ReasonUnsupportedScheme, Err: err}
	}
	if strings.EqualFold(u.Scheme, "file") {
		return f.fetchFile(u, req)
	}
	if !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
		return nil, &RetrievalError{URL: req.URL, Reason: ReasonUnsupportedScheme, Detail: "HTTPFetcher speaks http, https and file only"}
	}
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if method == http.MethodPost {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		return nil, &RetrievalError{URL: req.URL, Reason: ReasonUnsupportedScheme, Err: err}
	}
	ua := f.UserAgent
	if ua == "" {
		ua = UserAgent
	}
	hreq.Header.Set("User-Agent", ua)
	if method == http.MethodPost {
		hreq.Header.Set("Content-Type", "application/ocsp-request")
	}
	if req.IfNoneMatch != "" {
		hreq.Header.Set("If-None-Match", req.IfNoneMatch)
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	if client.CheckRedirect == nil {
		c := *client // same transport; only the redirect policy is added
		c.CheckRedirect = checkRedirect
		client = &c
	}
	hresp, err := client.Do(hreq)
	if err != nil {
		return nil, classifyNetError(req.URL, err, elapsed())
	}
	defer hresp.Body.Close()
	resp := &FetchResponse{Status: hresp.StatusCode, ETag: strongETag(hresp.Header.Get("ETag")), MaxAge: maxAge(hresp.Header.Get("Cache-Control"))}
	if hresp.StatusCode == http.StatusOK {
		limit := req.limit()
		if hresp.ContentLength > limit {
			return nil, &RetrievalError{URL: req.URL, Reason: ReasonTooLarge, Elapsed: elapsed(),
				Detail: fmt.Sprintf("Content-Length %d, limit %d", hresp.ContentLength, limit)}
		}
		b, err := readLimited(hresp.Body, limit)
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, &RetrievalError{URL: req.URL, Reason: ReasonTooLarge, Elapsed: elapsed(), Detail: fmt.Sprintf("more than %d bytes", limit)}
			}
			return nil, classifyNetError(req.URL, err, elapsed())
		}
		resp.Body = b
	} else {
		io.Copy(io.Discard, io.LimitReader(hresp.Body, maxDrainBytes)) // let the connection be reused
	}
	resp.Elapsed = elapsed()
	return resp, nil
}

func (f *HTTPFetcher) fetchFile(u *neturl.URL, req *FetchRequest) (*FetchResponse, error) {
	path := u.Path
	if u.Opaque != "" {
		path = u.Opaque
	}
	fh, err := boundedio.Open(path) // a regular file: a FIFO would block
	if err != nil {
		return nil, &RetrievalError{URL: req.URL, Reason: ReasonOffline, Err: err}
	}
	defer fh.Close()
	limit := req.limit()
	// A regular file's size is known: a bigger one is refused unread.
	if fi, err := fh.Stat(); err == nil && fi.Size() > limit {
		return nil, &RetrievalError{URL: req.URL, Reason: ReasonTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", fi.Size(), limit)}
	}
	b, err := readLimited(fh, limit)
	if errors.Is(err, errTooLarge) {
		return nil, &RetrievalError{URL: req.URL, Reason: ReasonTooLarge, Detail: fmt.Sprintf("more than %d bytes", limit)}
	}
	if err != nil {
		return nil, &RetrievalError{URL: req.URL, Reason: ReasonOffline, Err: err}
	}
	return &FetchResponse{Status: http.StatusOK, Body: b}, nil
}

// maxDrainBytes is how much of a non-200 answer's body (a 404 page, a 304
// has none) is read and dropped so that net/http can reuse the connection;
// a longer body is left unread and the connection closed, so an error page
// never costs more than this. winchain's choice: error pages are a few KiB.
const maxDrainBytes = 64 << 10

var errTooLarge = errors.New("body exceeds the byte limit")

// limit is the byte limit of the request: MaxBytes, or
// [DefaultMaxURLRetrievalBytes] when it is zero or less.
func (req *FetchRequest) limit() int64 {
	if req.MaxBytes <= 0 {
		return DefaultMaxURLRetrievalBytes
	}
	return req.MaxBytes
}

// readLimited reads r to the end through internal/boundedio, failing as
// soon as more than max bytes arrive, so an oversized object is never held
// whole.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := boundedio.Read(r, "", max)
	var tl *boundedio.TooLargeError
	if errors.As(err, &tl) {
		return nil, errTooLarge
	}
	return b, err
}

// classifyNetError maps a transport error to a Reason and names the
// WinHTTP error Windows would log for it.
func classifyNetError(url string, err error, elapsed time.Duration) *RetrievalError {
	var ne net.Error
	var re *redirectError
	switch {
	case errors.As(err, &re):
		// A redirect loop or a redirect off http(s) (net/http wraps the
		// refusal in a *url.Error; its text names the URL again).
		return &RetrievalError{URL: url, Reason: ReasonOffline, Elapsed: elapsed, WinHTTP: WinHTTPRedirectFailed, Detail: re.detail}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &RetrievalError{URL: url, Reason: ReasonTimeout, Elapsed: elapsed, WinHTTP: WinHTTPTimeout, Err: err}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &RetrievalError{URL: url, Reason: ReasonReset, Elapsed: elapsed, WinHTTP: WinHTTPConnectionError, Err: err}
	}
	return &RetrievalError{URL: url, Reason: ReasonOffline, Elapsed: elapsed, WinHTTP: winHTTPCause(err), Err: err}
}

// strongETag returns etag unless it is weak (W/"..."): Cryptnet stores only
// strong ETags (CRYPTNET_URL_CACHE_RESPONSE_INFO, spec §3.3).
func strongETag(etag string) string {
	if strings.HasPrefix(etag, "W/") {
		return ""
	}
	return etag
}

// maxAge parses max-age from a Cache-Control header.
func maxAge(cc string) time.Duration {
	for _, part := range strings.Split(cc, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(k, "max-age") {
			continue
		}
		n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
		if err != nil || n <= 0 {
			return 0
		}
		if n > int64(time.Duration(1<<62)/time.Second) {
			n = int64(time.Duration(1<<62) / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	return 0
}
