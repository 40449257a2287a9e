// Package netsim is a simulated network on the caller's clock: the network a
// Windows client would see during a certificate swap, with outages, timeouts,
// latency and objects that change over time. [Network] implements
// cache.Fetcher, so a cache.Retriever (and everything above it) runs against
// it exactly as against the real network.
//
// # Rules
//
// Each URL has a list of rules. A [Rule] is a [Response] with an optional
// time window [From, Until) on the network's clock; at fetch time the last
// rule added whose window contains the clock wins. So a base rule "serve
// inter.crl", then a window "offline from T1 to T2", then "serve new.crl from
// T3" reads like a timeline. A URL without an active rule fails as offline.
//
// A Response either fails (offline: host unreachable; timeout: no answer
// within the caller's retrieval timeout, which the caller is charged in full;
// reset: connection reset) or answers with a status (default 200) and a body,
// after Latency. An answer slower than the caller's timeout is a timeout.
// With an ETag, a conditional GET carrying that ETag gets 304.
//
// # The --net file
//
// [Load] reads the file of docs/cli.md, JSON or YAML, a map from URL to what
// the network does:
//
//	{
//	  "http://pki.example.test/inter.crt": {"file": "inter.der"},
//	  "http://ocsp.example.test/":         {"fail": "offline"},
//	  "http://pki.example.test/root.crl":  {"fail": "timeout"},
//	  "http://pki.example.test/gone.crl":  {"status": 404}
//	}
//
// file paths are relative to the network file; exactly one of file, fail or
// status is given (status may come with a file as its body). winchain
// extends the format compatibly with these optional fields:
//
//	latency: "2s"          Go duration before the answer (or the failure)
//	etag:    '"v1"'        ETag sent; a matching If-None-Match gets 304
//	maxAge:  "1h"          Cache-Control max-age sent
//	timeline:              rules after the base one, later entries win;
//	                       each inherits the entry's latency unless it sets one
//	  - from:  2026-11-24T09:00:00Z   RFC 3339, inclusive; omitted: always
//	    until: 2026-11-24T17:00:00Z   RFC 3339, exclusive; omitted: forever
//	    fail:  offline                plus file/status/latency/etag/maxAge
//
// An entry with only a timeline is offline outside its windows. A URL key
// ending in "*" is a prefix rule ([Network.AddPrefix]): it answers every
// URL that starts with the rest and has no rule of its own, the longest
// prefix winning, so an OCSP responder is one line, whatever request its
// GET URLs carry:
//
//	"http://ocsp.example.test/*": {"file": "ocsp-good.der"}
//
// Errors name the file, the URL and the field at fault.
package netsim

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
)

// Failure is how a fetch fails instead of answering.
type Failure string

// Failures, as named in the --net file.
const (
	// FailNone: the server answers.
	FailNone Failure = ""
	// FailOffline: the host is unreachable (WinHTTP cannot connect).
	FailOffline Failure = "offline"
	// FailTimeout: no answer; the caller waits for its whole timeout.
	FailTimeout Failure = "timeout"
	// FailReset: the connection is reset.
	FailReset Failure = "reset"
)

// Response is what the network does for one fetch.
type Response struct {
	// Fail, if set, makes the fetch fail; the other fields but Latency are
	// then ignored.
	Fail Failure
	// Status is the HTTP status; zero means 200.
	Status int
	// Body is served with the status.
	Body []byte
	// Latency is how long the answer (or the failure) takes.
	Latency time.Duration
	// ETag, if set, is sent, and a conditional GET with it gets 304.
	ETag string
	// MaxAge is sent as Cache-Control max-age when positive.
	MaxAge time.Duration
}

// Rule is a Response active in the window [From, Until) of the clock; a zero
// From or Until leaves that side open.
type Rule struct {
	From, Until time.Time
	Response
	// Func, if set, computes the response from the request instead of the
	// fixed Response (an OCSP responder that answers for any certificate).
	Func func(req *cache.FetchRequest, now time.Time) Response
}

func (r Rule) active(now time.Time) bool {
	return (r.From.IsZero() || !now.Before(r.From)) && (r.Until.IsZero() || now.Before(r.Until))
}

// Request is one fetch the network saw.
type Request struct {
	Time   time.Time
	URL    string
	Method string
	Kind   cache.Kind
	// Outcome is "200", "304", "404"…, or the failure word.
	Outcome string
}

// Network is a simulated network. It is safe for concurrent use.
type Network struct {
	clk clock.Clock

	mu       sync.Mutex
	rules    map[string][]Rule
	prefixes map[string][]Rule
	counts   map[string]int
	total    int
	log      []Request
	// MaxLog bounds the request log kept for Requests (0: unbounded); the
	// per-URL counts are always kept. Long simulations set it.
	MaxLog int
}

var _ cache.Fetcher = (*Network)(nil)

// New returns an empty network (every URL offline) on clk.
func New(clk clock.Clock) *Network {
	return &Network{clk: clk, rules: map[string][]Rule{}, prefixes: map[string][]Rule{}, counts: map[string]int{}}
}

// Serve makes url answer 200 with body from now on (a rule with no window).
func (n *Network) Serve(url string, body []byte) { n.Add(url, Rule{Response: Response{Body: body}}) }

// Handle adds a rule with no window for url.
func (n *Network) Handle(url string, resp Response) { n.Add(url, Rule{Response: resp}) }

// Schedule adds resp for url in the window [from, until) (zero: open side).
func (n *Network) Schedule(url string, from, until time.Time, resp Response) {
	n.Add(url, Rule{From: from, Until: until, Response: resp})
}

// Add appends a rule for url; later rules win over earlier ones.
func (n *Network) Add(url string, r Rule) {
	r.Body = append([]byte(nil), r.Body...)
	n.mu.Lock()
	n.rules[url] = append(n.rules[url], r)
	n.mu.Unlock()
}

// AddPrefix appends a rule for every URL that starts with prefix and has no
// rule of its own; the longest matching prefix wins, and within it the
// last rule added whose window is active. It models a server that answers
// many URLs, like an OCSP responder's GET URLs.
func (n *Network) AddPrefix(prefix string, r Rule) {
	r.Body = append([]byte(nil), r.Body...)
	n.mu.Lock()
	n.prefixes[prefix] = append(n.prefixes[prefix], r)
	n.mu.Unlock()
}

// Clear removes every rule for url (it becomes offline).
func (n *Network) Clear(url string) {
	n.mu.Lock()
	delete(n.rules, url)
	n.mu.Unlock()
}

// URLs returns the URLs that have rules, sorted.
func (n *Network) URLs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, 0, len(n.rules))
	for u := range n.rules {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Count returns how many fetches of url reached the network.
func (n *Network) Count(url string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.counts[url]
}

// Total returns the number of fetches of any URL.
func (n *Network) Total() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.total
}

// Requests returns every fetch so far, in order.
func (n *Network) Requests() []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Request(nil), n.log...)
}

// ResetCounts forgets the recorded fetches.
func (n *Network) ResetCounts() {
	n.mu.Lock()
	n.counts = map[string]int{}
	n.total = 0
	n.log = nil
	n.mu.Unlock()
}

// active returns the rule in force for url at now.
func (n *Network) active(url string, now time.Time) (Rule, bool) {
	rules := n.rules[url]
	for i := len(rules) - 1; i >= 0; i-- {
		if rules[i].active(now) {
			return rules[i], true
		}
	}
	if len(rules) > 0 {
		return Rule{}, false
	}
	best := ""
	for p := range n.prefixes {
		if len(p) > len(best) && strings.HasPrefix(url, p) {
			best = p
		}
	}
	if best != "" {
		prs := n.prefixes[best]
		for i := len(prs) - 1; i >= 0; i-- {
			if prs[i].active(now) {
				return prs[i], true
			}
		}
	}
	return Rule{}, false
}

// Fetch implements cache.Fetcher. It does not move the clock: it reports the
// time the fetch took in FetchResponse.Elapsed or RetrievalError.Elapsed and
// the cache.Retriever charges it.
func (n *Network) Fetch(ctx context.Context, req *cache.FetchRequest) (*cache.FetchResponse, error) {
	now := n.clk.Now()
	n.mu.Lock()
	rule, ok := n.active(req.URL, now)
	n.counts[req.URL]++
	n.total++
	if n.MaxLog > 0 && len(n.log) >= n.MaxLog {
		n.log = append(n.log[:0], n.log[len(n.log)/2:]...)
	}
	n.log = append(n.log, Request{Time: now, URL: req.URL, Method: req.Method, Kind: req.Kind})
	idx := len(n.log) - 1
	n.mu.Unlock()

	if ok && rule.Func != nil {
		rule.Response = rule.Func(req, now)
	}
	resp, err := n.answer(ctx, req, rule, ok)
	outcome := ""
	if err != nil {
		outcome = string(cache.ReasonOf(err))
	} else {
		outcome = fmt.Sprint(resp.Status)
	}
	n.mu.Lock()
	n.log[idx].Outcome = outcome
	n.mu.Unlock()
	return resp, err
}

func (n *Network) answer(ctx context.Context, req *cache.FetchRequest, rule Rule, ok bool) (*cache.FetchResponse, error) {
	fail := func(reason cache.Reason, elapsed time.Duration, detail string) error {
		return &cache.RetrievalError{URL: req.URL, Reason: reason, Elapsed: elapsed, Detail: detail}
	}
	if err := ctx.Err(); err != nil {
		return nil, &cache.RetrievalError{URL: req.URL, Reason: cache.ReasonTimeout, Err: err}
	}
	if !ok {
		return nil, fail(cache.ReasonOffline, 0, "netsim: no rule for this URL at this time")
	}
	latency := rule.Latency
	timedOut := req.Timeout > 0 && latency >= req.Timeout
	switch rule.Fail {
	case FailTimeout:
		return nil, fail(cache.ReasonTimeout, req.Timeout, "netsim: no answer")
	case FailOffline:
		if timedOut {
			return nil, fail(cache.ReasonTimeout, req.Timeout, "netsim: host unreachable, slower than the timeout")
		}
		return nil, fail(cache.ReasonOffline, latency, "netsim: host unreachable")
	case FailReset:
		if timedOut {
			return nil, fail(cache.ReasonTimeout, req.Timeout, "netsim: reset, slower than the timeout")
		}
		return nil, fail(cache.ReasonReset, latency, "netsim: connection reset")
	}
	if timedOut {
		return nil, fail(cache.ReasonTimeout, req.Timeout, fmt.Sprintf("netsim: latency %s", latency))
	}
	status := rule.Status
	if status == 0 {
		status = 200
	}
	resp := &cache.FetchResponse{Status: status, ETag: rule.ETag, MaxAge: rule.MaxAge, Elapsed: latency}
	if status == 200 && rule.ETag != "" && req.IfNoneMatch == rule.ETag {
		resp.Status = 304
		return resp, nil
	}
	if req.MaxBytes > 0 && int64(len(rule.Body)) > req.MaxBytes {
		return nil, fail(cache.ReasonTooLarge, latency, fmt.Sprintf("netsim: %d bytes, limit %d", len(rule.Body), req.MaxBytes))
	}
	resp.Body = append([]byte(nil), rule.Body...)
	return resp, nil
}
