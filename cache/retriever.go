package cache

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/clock"
)

// Kind is what a URL is retrieved for; it selects byte limits, scheme rules
// and freshness rules. The strings are the `kind` words of retrievals[]
// (docs/cli.md).
type Kind string

// Retrieval kinds.
const (
	// KindAIA is an issuer certificate (AIA caIssuers), limited to
	// MaxAIAUrlRetrievalByteCount and never over HTTPS (spec §6).
	KindAIA Kind = "aia"
	// KindCRL is a base CRL from a CDP.
	KindCRL Kind = "crl"
	// KindDeltaCRL is a delta CRL (Freshest CRL pointer).
	KindDeltaCRL Kind = "delta-crl"
	// KindOCSP is an OCSP response.
	KindOCSP Kind = "ocsp"
)

// From says where a retrieved object came from. The strings are the `from`
// words of retrievals[] (docs/cli.md).
type From string

// Retrieval sources.
const (
	// FromNone: nothing was retrieved (cache-only miss, refused scheme,
	// spent budget).
	FromNone From = ""
	// FromMemory: the process memory cache.
	FromMemory From = "memory"
	// FromDisk: the CryptnetUrlCache folder.
	FromDisk From = "disk"
	// FromNetwork: the wire (successful or not).
	FromNetwork From = "network"
	// FromOfflineSkip: not tried, the URL is in the offline-URL back-off.
	FromOfflineSkip From = "offline-skip"
)

// Fetcher goes to the wire. [HTTPFetcher] is the real network, package
// netsim a simulated one. A Fetcher reports transport failures as a
// *RetrievalError (ReasonOffline, ReasonTimeout, ReasonReset, ReasonTooLarge)
// whose Elapsed says how long the attempt took; any other error counts as
// offline. HTTP statuses other than 200 are returned in FetchResponse.Status,
// not as errors.
type Fetcher interface {
	Fetch(ctx context.Context, req *FetchRequest) (*FetchResponse, error)
}

// FetchRequest is one wire retrieval.
type FetchRequest struct {
	URL  string
	Kind Kind
	// Method is "GET" or "POST" (CRYPT_HTTP_POST_RETRIEVAL, OCSP).
	Method string
	// Body is the POST body (a DER OCSPRequest).
	Body []byte
	// Timeout is the time the caller waits (already clamped and budgeted).
	Timeout time.Duration
	// MaxBytes is the largest acceptable body; read no further. Zero or
	// less means [DefaultMaxURLRetrievalBytes] (the Retriever always sets
	// it, from its Config and the kind).
	MaxBytes int64
	// IfNoneMatch is the ETag of the cached copy for a conditional GET
	// (CRYPT_NOT_MODIFIED_RETRIEVAL semantics: 304 keeps the entry).
	IfNoneMatch string
}

// FetchResponse is the answer of the wire.
type FetchResponse struct {
	// Status is the HTTP status (200 for a file:// read).
	Status int
	Body   []byte
	// ETag is the strong ETag, if any (weak ones are not stored, spec §3.3).
	ETag string
	// MaxAge is Cache-Control max-age; zero when absent.
	MaxAge time.Duration
	// Elapsed is how long the retrieval took (simulated latency, or real
	// time measured on the fetcher's clock).
	Elapsed time.Duration
}

// Options are the per-call flags of CryptRetrieveObjectByUrl. The zero value
// is a plain retrieval: memory, then disk, then the wire, result cached.
type Options struct {
	// CacheOnly is CRYPT_CACHE_ONLY_RETRIEVAL: never go to the wire.
	CacheOnly bool
	// WireOnly is CRYPT_WIRE_ONLY_RETRIEVAL: skip the caches when reading
	// (the result is still cached unless DontCache).
	WireOnly bool
	// StickyCache is CRYPT_STICKY_CACHE_RETRIEVAL: the object is exempt from
	// the flush 28 days after expiry while this Retriever holds it.
	StickyCache bool
	// OfflineCheck is CRYPT_OFFLINE_CHECK_RETRIEVAL: consult and update the
	// offline-URL records (Config.Offline). The chain engine sets it.
	OfflineCheck bool
	// DontCache is CRYPT_DONT_CACHE_RESULT: do not store what the wire
	// returns (certutil -verify -urlfetch, spec §3.4).
	DontCache bool
	// Timeout is dwTimeout; zero means Config.URLRetrievalTimeout, and a
	// value above 60 s or below zero is clamped to [MaxCallerTimeout].
	Timeout time.Duration
	// Budget, when set, is the accumulative timeout
	// (CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT): this URL gets at most
	// half of what remains, and what it blocks is charged to it.
	Budget *Budget
	// MaxBytes overrides the byte limit; zero means
	// MaxAIAUrlRetrievalByteCount for KindAIA, MaxUrlRetrievalByteCount
	// otherwise.
	MaxBytes int64
	// Validate is the CRYPT_AIA_RETRIEVAL validation step: content it
	// rejects fails as ReasonInvalidContent and is not cached.
	Validate func(body []byte) error
	// Method is "" or "GET" (default) or "POST" (CRYPT_HTTP_POST_RETRIEVAL).
	// POST results are not cached: the URL does not identify the request.
	Method string
	// Body is the POST body.
	Body []byte
	// ResyncBefore is pftCacheResync (CERT_CHAIN_PARA): cached objects
	// downloaded before it are invalid. Combined with Config.ResyncBefore.
	ResyncBefore time.Time
	// CacheFileNamePrefix is CRYPT_RETRIEVE_AUX_INFO.pwszCacheFileNamePrefix:
	// a new disk entry is named PREFIX_NAME (OCSP groups, spec §4.3).
	CacheFileNamePrefix string
}

// Result is the retrieval-log entry of one Retrieve: what was asked, where
// the answer came from and what it cost. It is returned for every attempt.
type Result struct {
	URL  string
	Kind Kind
	From From
	// Body is the object (nil on failure).
	Body []byte
	// OK is true when Body is usable.
	OK bool
	// Err is the *RetrievalError of a failure.
	Err error
	// Status is the HTTP status of a wire answer.
	Status int
	// Blocked is how long the caller was blocked on the clock (latency or
	// the full timeout); zero for cache hits and offline skips.
	Blocked time.Duration
	// Timeout is the timeout that applied to a wire attempt.
	Timeout time.Duration
	// Expires is when the object stops being fresh (zero: never).
	Expires time.Time
	// LastDownload is when the object was last fetched from the wire.
	LastDownload time.Time
	// ETag and MaxAge are the HTTP validators of the cached object.
	ETag   string
	MaxAge time.Duration
	// Revalidated is true when a conditional GET answered 304.
	Revalidated bool
	// Stale is set by [Retriever.Lookup] for an entry that Retrieve would
	// not use (expired, before the resync time, or due for revalidation).
	Stale bool
	// Name is the disk cache file name of the entry.
	Name string
	// RetryAfter is, for a URL with an offline-URL record, when the wire
	// will be tried again.
	RetryAfter time.Time
	// NegativeModel is the offline-URL model that applied (its name).
	NegativeModel string
	// Problems are unusable cache entries met on the way and failed cache
	// writes, each a *ProblemError (reported, not fatal: the retrieval's
	// result does not depend on them).
	Problems []error
}

// ErrorText returns the reason word of Err ("offline", "timeout", …) or "".
func (r *Result) ErrorText() string {
	if r.Err == nil {
		return ""
	}
	if reason := ReasonOf(r.Err); reason != "" {
		return string(reason)
	}
	return r.Err.Error()
}

// Cause says why a failed retrieval failed, beyond its reason word: the
// WinHTTP error Windows would log (CAPI2 event 53, spec §7.3) with its
// number, then the detail, e.g. "ERROR_WINHTTP_REDIRECT_FAILED (12156):
// more than 10 redirects (a redirect loop?), last to http://…". Empty when
// the retrieval succeeded or nothing more is known.
func (r *Result) Cause() string {
	var re *RetrievalError
	if r.Err == nil || !errors.As(r.Err, &re) {
		return ""
	}
	var parts []string
	if re.WinHTTP != 0 {
		parts = append(parts, fmt.Sprintf("%s (%d)", re.WinHTTP, uint32(re.WinHTTP)))
	}
	if re.Reason == ReasonHTTPStatus && re.Status != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", re.Status))
	}
	if re.Detail != "" {
		parts = append(parts, re.Detail)
	} else if re.Err != nil {
		parts = append(parts, re.Err.Error())
	}
	return strings.Join(parts, ": ")
}

// LogEntry is one element of retrievals[] in the chain report (docs/cli.md).
type LogEntry struct {
	URL   string `json:"url"`
	Kind  Kind   `json:"kind"`
	From  From   `json:"from"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Cause is [Result.Cause].
	Cause string `json:"cause,omitempty"`
	// Problems are [Result.ProblemTexts]: cache files met on the way that
	// could not be used or written, each naming the file, what is wrong
	// and what winchain did.
	Problems []string `json:"problems,omitempty"`
}

// LogEntry returns the retrievals[] entry of r.
func (r *Result) LogEntry() LogEntry {
	return LogEntry{URL: r.URL, Kind: r.Kind, From: r.From, OK: r.OK, Error: r.ErrorText(), Cause: r.Cause(), Problems: r.ProblemTexts()}
}

// entry is a cached object in memory.
type entry struct {
	body         []byte
	name         string
	lastDownload time.Time
	expires      time.Time
	etag         string
	maxAge       time.Duration
	sticky       bool
}

// Stats counts what a Retriever did, for tests and reports.
type Stats struct {
	MemoryHits, DiskHits, WireFetches, OfflineSkips, Failures int
}

// Retriever is one process's view of Cryptnet: its memory cache, the shared
// disk cache and the wire. Create one per simulated process with
// [NewRetriever]; it is safe for concurrent use.
type Retriever struct {
	cfg  Config
	disk *urlcache.Folder

	mu    sync.Mutex
	mem   map[string]*entry
	stats Stats
	sums  map[*entry][32]byte // body digests WriteState computed

	offline offlineStore
}

// NewRetriever checks cfg, fills in the Windows defaults and opens the disk
// cache.
func NewRetriever(cfg Config) (*Retriever, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &Retriever{cfg: cfg, mem: map[string]*entry{}}
	switch {
	case cfg.Folder != nil:
		r.disk = cfg.Folder
	case cfg.DiskDir != "":
		if r.disk, err = urlcache.Open(cfg.DiskDir, cfg.FolderOptions()); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.Offline.scope() == ScopeDisk && r.disk != nil && !r.disk.ReadOnly():
		r.offline = folderOffline{r.disk}
	case cfg.Offline.scope() != ScopeProcess && cfg.OfflineState != nil:
		r.offline = cfg.OfflineState
	default:
		r.offline = NewOfflineState()
	}
	return r, nil
}

// Config returns the effective configuration (defaults filled in).
func (r *Retriever) Config() Config { return r.cfg }

// Disk returns the CryptnetUrlCache folder, or nil.
func (r *Retriever) Disk() *urlcache.Folder { return r.disk }

// Stats returns the counters so far.
func (r *Retriever) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// OfflineRecord returns the offline-URL record of url, if any.
func (r *Retriever) OfflineRecord(url string) (OfflineRecord, bool) {
	rec, ok, _ := r.offline.get(url)
	return rec, ok
}

// Retrieve gets the object at url the way CryptRetrieveObjectByUrl does:
//
//  1. the scheme must be allowed for kind (no https for AIA; ldap and file
//     only when enabled) — else ReasonUnsupportedScheme;
//  2. unless WireOnly: the memory cache, then the disk cache; an entry is used
//     while the clock is before its expiry (CRL/OCSP nextUpdate, OCSP
//     without nextUpdate: thisUpdate + OcspValiditySeconds; certificates never
//     expire), it was downloaded after the resync time, and its max-age (with
//     an ETag) has not run out — then a conditional GET is made, and 304 keeps
//     it. Entries past expiry + CryptnetDefaultFlushExemptSeconds are flushed;
//  3. CacheOnly stops here with ReasonNotCached;
//  4. with OfflineCheck and an enabled offline model, a URL whose record says
//     "offline until T" is not tried before T: From is offline-skip;
//  5. the wire, with the timeout (clamped to 60 s, halved budget) and byte
//     limit; the time it blocked is charged to the clock and the budget;
//  6. a good answer (HTTP 200, within the limit, accepted by Validate) is
//     stored in memory and on disk unless DontCache, and clears the URL's
//     offline record; a transport failure (offline, timeout, reset) extends
//     it.
//
// An expired entry is never returned when the wire fails; see [Retriever.Lookup].
// The *Result is never nil; the error is the *RetrievalError of a failure.
func (r *Retriever) Retrieve(ctx context.Context, url string, kind Kind, opts Options) (*Result, error) {
	rt := &retrieval{r: r, url: url, kind: kind, opts: opts,
		res:  &Result{URL: url, Kind: kind, NegativeModel: r.cfg.Offline.label()},
		post: strings.EqualFold(opts.Method, "POST"), resync: r.cfg.ResyncBefore}
	if opts.ResyncBefore.After(rt.resync) {
		rt.resync = opts.ResyncBefore
	}
	if e := r.checkScheme(url, kind); e != nil {
		return rt.fail(e)
	}
	now := r.cfg.Clock.Now()
	if !opts.WireOnly && !rt.post && rt.fromCache(now) {
		return rt.res, nil
	}
	if opts.CacheOnly {
		return rt.fail(&RetrievalError{Reason: ReasonNotCached, Detail: "CRYPT_CACHE_ONLY_RETRIEVAL and no valid cached object"})
	}
	rt.useOffline = opts.OfflineCheck && r.cfg.Offline.Enabled()
	if e := rt.offlineSkip(now); e != nil {
		return rt.fail(e)
	}
	if e := rt.setTimeout(); e != nil {
		return rt.fail(e)
	}
	resp, rerr := rt.wire(ctx)
	if rerr != nil {
		return rt.fail(rerr)
	}
	return rt.accept(resp)
}

// retrieval is the state of one Retrieve call, step by step.
type retrieval struct {
	r    *Retriever
	url  string
	kind Kind
	opts Options
	res  *Result
	post bool
	// resync is the later of Config.ResyncBefore and Options.ResyncBefore.
	resync time.Time
	// revalidate is the cached entry a conditional GET may keep (304).
	revalidate *entry
	useOffline bool
	timeout    time.Duration
	maxBytes   int64
}

// fail ends the retrieval with e.
func (rt *retrieval) fail(e *RetrievalError) (*Result, error) {
	e.URL = rt.url
	rt.res.Err = e
	rt.res.OK = false
	rt.res.Body = nil
	rt.r.count(func(s *Stats) { s.Failures++ })
	return rt.res, e
}

// fromCache is step 2: it fills the result from a usable memory or disk
// entry and reports whether it did; an entry due for a conditional GET is
// kept in rt.revalidate (or used as it is under CacheOnly).
func (rt *retrieval) fromCache(now time.Time) bool {
	r := rt.r
	// The byte limit of this kind bounds the cached copy read from disk
	// too: an AIA entry by MaxAIAUrlRetrievalByteCount, not 100 MiB.
	e, from := r.lookup(rt.url, rt.res, rt.resync, r.maxBytes(rt.kind, rt.opts.MaxBytes))
	if e == nil {
		return false
	}
	fresh, due := r.freshness(e, now, rt.resync)
	if fresh || (due && rt.opts.CacheOnly) {
		r.fill(rt.res, e, from)
		r.count(func(s *Stats) {
			if from == FromMemory {
				s.MemoryHits++
			} else {
				s.DiskHits++
			}
		})
		if from == FromDisk {
			r.remember(rt.url, e)
		}
		return true
	}
	if due {
		rt.revalidate = e
	}
	return false
}

// offlineSkip is step 4: the error of a URL its offline-URL record still
// blocks, or nil.
func (rt *retrieval) offlineSkip(now time.Time) *RetrievalError {
	r := rt.r
	if !rt.useOffline {
		return nil
	}
	rec, ok, _ := r.offline.get(rt.url)
	if !ok {
		return nil
	}
	retry, blocked := r.cfg.Offline.retryAfter(rec, now)
	rt.res.RetryAfter = retry
	if !blocked {
		return nil
	}
	rt.res.From = FromOfflineSkip
	r.count(func(s *Stats) { s.OfflineSkips++ })
	return &RetrievalError{Reason: ReasonOffline, RetryAfter: retry,
		Detail: fmt.Sprintf("offline-URL back-off (%s) after %d failure(s), retry after %s",
			r.cfg.Offline.label(), rec.Failures, retry.UTC().Format(time.RFC3339))}
}

// setTimeout fixes the wire attempt's timeout (the clamped per-URL timeout,
// at most half of what the budget has left) and byte limit.
func (rt *retrieval) setTimeout() *RetrievalError {
	rt.timeout = rt.r.timeout(rt.opts.Timeout)
	if b := rt.opts.Budget; b != nil {
		slice, ok := b.next()
		if !ok {
			return &RetrievalError{Reason: ReasonTimeout, Detail: fmt.Sprintf("accumulative retrieval budget of %s spent", b.Total())}
		}
		if slice < rt.timeout {
			rt.timeout = slice
		}
	}
	rt.res.Timeout = rt.timeout
	rt.maxBytes = rt.r.maxBytes(rt.kind, rt.opts.MaxBytes)
	return nil
}

// wire is step 5: one attempt on the wire. The time the caller blocked
// (the latency, or the whole timeout) is charged to the clock and the
// budget; a transport failure extends the URL's offline-URL record.
func (rt *retrieval) wire(ctx context.Context) (*FetchResponse, *RetrievalError) {
	r, res, timeout := rt.r, rt.res, rt.timeout
	res.From = FromNetwork
	r.count(func(s *Stats) { s.WireFetches++ })
	method := "GET"
	if rt.post {
		method = "POST"
	}
	req := &FetchRequest{URL: rt.url, Kind: rt.kind, Method: method, Body: rt.opts.Body, Timeout: timeout, MaxBytes: rt.maxBytes}
	if rt.revalidate != nil {
		req.IfNoneMatch = rt.revalidate.etag
	}
	resp, ferr := r.fetch(ctx, req)
	var elapsed time.Duration
	var rerr *RetrievalError
	if ferr != nil {
		if !errors.As(ferr, &rerr) {
			rerr = &RetrievalError{Reason: ReasonOffline, Err: ferr}
		} else {
			cp := *rerr
			rerr = &cp
		}
		elapsed = rerr.Elapsed
		if rerr.Reason == ReasonTimeout {
			// A timeout blocks the caller for the whole timeout (spec §3.7).
			elapsed = timeout
			if rerr.Detail == "" {
				if ctx.Err() != nil {
					rerr.Detail = "the caller stopped waiting (" + ctx.Err().Error() + ")"
				} else {
					rerr.Detail = fmt.Sprintf("no answer within %s", timeout)
				}
			}
		}
	} else {
		elapsed = resp.Elapsed
		if elapsed >= timeout {
			// The answer came after the caller gave up.
			elapsed = timeout
			rerr = &RetrievalError{Reason: ReasonTimeout, Detail: fmt.Sprintf("no answer within %s", timeout)}
		}
	}
	if elapsed > timeout {
		elapsed = timeout
	}
	r.charge(elapsed, rt.opts.Budget)
	res.Blocked = elapsed
	if rerr == nil {
		return resp, nil
	}
	rerr.Elapsed = elapsed
	switch rerr.Reason {
	case ReasonOffline, ReasonTimeout, ReasonReset:
		if rt.useOffline {
			rec, err := r.recordFailure(rt.url, r.cfg.Clock.Now())
			if err != nil {
				res.problem(err, OutcomeRecordNotWritten)
			}
			res.RetryAfter = rec.RetryAfter
			rerr.RetryAfter = rec.RetryAfter
		}
	}
	return nil, rerr
}

// accept is step 6: a 304 keeps the revalidated entry; a 200 within the
// limit that Validate accepts is stored (unless DontCache or POST) and
// clears the URL's offline-URL record; anything else fails.
func (rt *retrieval) accept(resp *FetchResponse) (*Result, error) {
	r, res, opts := rt.r, rt.res, rt.opts
	now := r.cfg.Clock.Now()
	res.Status = resp.Status
	if resp.Status == 304 && rt.revalidate != nil {
		// Conditional GET: 304 keeps the cached object (spec §3.3, §4.6).
		e := *rt.revalidate
		e.lastDownload = now
		if resp.MaxAge > 0 {
			e.maxAge = resp.MaxAge
		}
		if opts.StickyCache {
			e.sticky = true
		}
		r.clearOffline(rt.url, rt.useOffline)
		if !opts.DontCache {
			r.store(rt.url, &e, res)
		}
		r.fill(res, &e, FromNetwork)
		res.Revalidated = true
		res.Status = 304
		return res, nil
	}
	if resp.Status != 200 {
		return rt.fail(&RetrievalError{Reason: ReasonHTTPStatus, Status: resp.Status})
	}
	if int64(len(resp.Body)) > rt.maxBytes {
		return rt.fail(&RetrievalError{Reason: ReasonTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", len(resp.Body), rt.maxBytes)})
	}
	if opts.Validate != nil {
		if err := opts.Validate(resp.Body); err != nil {
			return rt.fail(&RetrievalError{Reason: ReasonInvalidContent, Err: err})
		}
	}
	r.clearOffline(rt.url, rt.useOffline)
	e := &entry{
		body:         resp.Body,
		lastDownload: now,
		expires:      objectExpiry(rt.kind, resp.Body, now, r.cfg.OCSPValidity),
		etag:         resp.ETag,
		maxAge:       resp.MaxAge,
		sticky:       opts.StickyCache,
	}
	if !opts.DontCache && !rt.post {
		e.name = urlcache.URLName(rt.url)
		if opts.CacheFileNamePrefix != "" {
			e.name = opts.CacheFileNamePrefix + "_" + e.name
		}
		if rt.revalidate != nil && rt.revalidate.name != "" {
			e.name = rt.revalidate.name
		}
		r.store(rt.url, e, res)
	}
	r.fill(res, e, FromNetwork)
	return res, nil
}

// Lookup peeks at the caches without going to the wire and without the
// freshness rules: it returns an expired or resynced entry too, marked
// Stale, so the revocation layer can decide about stale data itself (e.g. a
// stale CRL still proves "revoked", spec §11.2). A miss returns
// ReasonNotCached. Flushed entries (past expiry + the flush exemption) are
// not returned.
func (r *Retriever) Lookup(url string) (*Result, error) {
	res := &Result{URL: url, NegativeModel: r.cfg.Offline.label()}
	e, from := r.lookup(url, res, r.cfg.ResyncBefore, r.cfg.MaxURLRetrievalBytes)
	if e == nil {
		err := &RetrievalError{URL: url, Reason: ReasonNotCached}
		res.Err = err
		return res, err
	}
	r.fill(res, e, from)
	fresh, _ := r.freshness(e, r.cfg.Clock.Now(), r.cfg.ResyncBefore)
	res.Stale = !fresh
	return res, nil
}

// Forget drops url from the memory cache (not from disk).
func (r *Retriever) Forget(url string) {
	r.mu.Lock()
	delete(r.mem, url)
	r.mu.Unlock()
}

// lookup finds url in memory, then on disk, flushing entries past their
// flush time. Corrupt disk entries are recorded in res.Problems.
func (r *Retriever) lookup(url string, res *Result, resync time.Time, maxBytes int64) (*entry, From) {
	now := r.cfg.Clock.Now()
	if !r.cfg.DisableMemoryCache {
		r.mu.Lock()
		e := r.mem[url]
		if e != nil && r.flushDue(e, now) {
			delete(r.mem, url)
			e = nil
		}
		r.mu.Unlock()
		if e != nil {
			if fresh, _ := r.freshness(e, now, resync); fresh || r.disk == nil {
				return e, FromMemory
			}
			// Another process may have refreshed the disk copy since.
			if de := r.lookupDisk(url, res, now, maxBytes); de != nil && de.lastDownload.After(e.lastDownload) {
				return de, FromDisk
			}
			return e, FromMemory
		}
	}
	if r.disk == nil {
		return nil, FromNone
	}
	if e := r.lookupDisk(url, res, now, maxBytes); e != nil {
		return e, FromDisk
	}
	return nil, FromNone
}

// lookupDisk reads url from the disk cache, flushing it if due.
func (r *Retriever) lookupDisk(url string, res *Result, now time.Time, maxBytes int64) *entry {
	de, err := r.disk.GetBounded(url, maxBytes)
	if err != nil {
		res.problem(err, OutcomeMiss)
		return nil
	}
	if de == nil {
		return nil
	}
	e := &entry{
		body:         de.Body,
		name:         de.Name,
		lastDownload: de.Meta.LastDownload,
		etag:         de.Meta.ETag,
	}
	e.expires = objectExpiry("", de.Body, e.lastDownload, r.cfg.OCSPValidity)
	if r.flushDue(e, now) {
		if !r.disk.ReadOnly() {
			r.disk.DeleteIfUnchanged(de.Name, de.Meta)
		}
		return nil
	}
	return e
}

// freshness says whether e may be used now (fresh) or needs a conditional GET
// first (due).
func (r *Retriever) freshness(e *entry, now, resync time.Time) (fresh, due bool) {
	if !resync.IsZero() && e.lastDownload.Before(resync) {
		return false, false
	}
	if !e.expires.IsZero() && !now.Before(e.expires) {
		return false, false
	}
	if e.maxAge > 0 && e.etag != "" && !now.Before(e.lastDownload.Add(e.maxAge)) {
		return false, true
	}
	return true, false
}

// flushDue reports whether e is past ExpireTime + dwExemptSeconds (spec §4.5).
func (r *Retriever) flushDue(e *entry, now time.Time) bool {
	if e.sticky || e.expires.IsZero() || r.cfg.FlushExempt == FlushDisabled {
		return false
	}
	return !now.Before(e.expires.Add(r.cfg.FlushExempt))
}

func (r *Retriever) fill(res *Result, e *entry, from From) {
	res.From = from
	res.Body = e.body
	res.OK = true
	res.Expires = e.expires
	res.LastDownload = e.lastDownload
	res.ETag = e.etag
	res.MaxAge = e.maxAge
	res.Name = e.name
}

func (r *Retriever) remember(url string, e *entry) {
	if r.cfg.DisableMemoryCache {
		return
	}
	r.mu.Lock()
	r.mem[url] = e
	r.mu.Unlock()
}

// store puts e in memory and on disk; a disk write failure is a problem of
// the result, not a failure of the retrieval.
func (r *Retriever) store(url string, e *entry, res *Result) {
	r.remember(url, e)
	if r.disk == nil || r.disk.ReadOnly() {
		return
	}
	if e.name == "" {
		e.name = urlcache.URLName(url)
	}
	md := urlcache.NewMetaData(url, len(e.body), e.lastDownload, e.etag)
	if err := r.disk.Put(e.name, md, e.body); err != nil {
		res.problem(err, OutcomeNotWritten)
	}
}

func (r *Retriever) fetch(ctx context.Context, req *FetchRequest) (*FetchResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, &RetrievalError{Reason: ReasonTimeout, Err: err, Detail: "context done before the retrieval"}
	}
	if r.cfg.Fetcher == nil {
		return nil, &RetrievalError{Reason: ReasonOffline, Detail: "no network (Config.Fetcher is nil)"}
	}
	resp, err := r.cfg.Fetcher.Fetch(ctx, req)
	if err == nil && resp == nil {
		err = &RetrievalError{Reason: ReasonOffline, Detail: "fetcher returned no response"}
	}
	return resp, err
}

// charge moves the clock and the budget by d, the time the caller blocked.
func (r *Retriever) charge(d time.Duration, b *Budget) {
	if d <= 0 {
		return
	}
	if adv, ok := r.cfg.Clock.(clock.Advancer); ok {
		adv.Advance(d)
	}
	if b != nil {
		b.Charge(d)
	}
}

// recordFailure extends url's offline-URL record; the error is that of
// writing a disk-scoped record.
func (r *Retriever) recordFailure(url string, now time.Time) (OfflineRecord, error) {
	rec, ok, _ := r.offline.get(url)
	if !ok {
		rec = OfflineRecord{URL: url}
	}
	if rec.Failures < urlcache.MaxOfflineFailures {
		rec.Failures++
	}
	rec.LastFailure = now
	rec.RetryAfter = now.Add(r.cfg.Offline.Delay(rec.Failures))
	return rec, r.offline.put(rec)
}

func (r *Retriever) clearOffline(url string, use bool) {
	if use {
		r.offline.remove(url)
	}
}

// timeout applies the default and the Windows 10 one-minute clamp.
func (r *Retriever) timeout(t time.Duration) time.Duration {
	switch {
	case t == 0:
		return r.cfg.URLRetrievalTimeout
	case t < 0 || t > MaxCallerTimeout:
		return MaxCallerTimeout
	}
	return t
}

func (r *Retriever) maxBytes(kind Kind, override int64) int64 {
	if override > 0 {
		return override
	}
	if kind == KindAIA {
		return r.cfg.MaxAIARetrievalBytes
	}
	return r.cfg.MaxURLRetrievalBytes
}

// checkScheme applies the scheme rules of spec §3.4 and §6.
func (r *Retriever) checkScheme(url string, kind Kind) *RetrievalError {
	u, err := neturl.Parse(url)
	if err != nil {
		return &RetrievalError{Reason: ReasonUnsupportedScheme, Err: err}
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "http":
		return nil
	case "https":
		if kind == KindAIA {
			return &RetrievalError{Reason: ReasonUnsupportedScheme, Detail: "HTTPS is not supported for AIA retrieval (spec §6)"}
		}
		return nil
	case "ldap":
		if !r.cfg.AllowLDAPScheme {
			return &RetrievalError{Reason: ReasonUnsupportedScheme, Detail: "ldap:// retrieval is not emulated"}
		}
		return nil
	case "file":
		if !r.cfg.AllowFileScheme {
			return &RetrievalError{Reason: ReasonUnsupportedScheme, Detail: "file:// needs AllowFileUrlScheme and CRYPT_ENABLE_FILE_RETRIEVAL"}
		}
		return nil
	default:
		return &RetrievalError{Reason: ReasonUnsupportedScheme, Detail: fmt.Sprintf("scheme %q", scheme)}
	}
}

func (r *Retriever) count(f func(*Stats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

// Fork returns a new Retriever for cfg that starts with a copy of r's memory
// cache and of its process-held offline-URL records (ScopeProcess): the
// same process state, continuing independently. Simulations use
// it when part of a fleet that shared one state takes a different path
// (some clients flush their disk cache, others do not). cfg usually names
// another DiskDir (a copy of r's) and its own OfflineState.
func (r *Retriever) Fork(cfg Config) (*Retriever, error) {
	f, err := NewRetriever(cfg)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, e := range r.mem {
		cp := *e
		f.mem[k] = &cp
	}
	mine, ok1 := r.offline.(*OfflineState)
	theirs, ok2 := f.offline.(*OfflineState)
	if ok1 && ok2 && mine != r.cfg.OfflineState && theirs != f.cfg.OfflineState {
		f.offline = mine.Clone()
	}
	return f, nil
}
