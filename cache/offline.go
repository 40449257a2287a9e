package cache

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

// Scope says where offline-URL records live and therefore what clears them
// (spec §5.3 (b), §5.4).
type Scope string

// Offline-URL record scopes.
const (
	// ScopeProcess: records live in the Retriever; an app restart (a new
	// Retriever) clears them.
	ScopeProcess Scope = "process"
	// ScopeService: records live in an [OfflineState] the caller shares
	// between Retrievers, like CryptSvc doing wire retrievals for every app
	// since Windows 7 (spec §4.1): an app restart keeps them, a reboot (a
	// new OfflineState) clears them.
	ScopeService Scope = "service"
	// ScopeDisk: records are files under DIR/winchain-offline and survive a
	// reboot. Without a writable DiskDir this falls back to ScopeService.
	ScopeDisk Scope = "disk"
)

// OfflineModel is the timing of CRYPT_OFFLINE_CHECK_RETRIEVAL: "keeps track
// of offline failures and delays before hitting the wire on subsequent
// retrievals" (spec §5.1). Microsoft publishes no numbers, so every number is
// a parameter. After the n-th consecutive wire failure of a URL it is not
// tried again for min(InitialDelay × Growth^(n-1), Cap); a success clears the
// record. The zero value is "none": no negative caching (the default, see
// docs/windows-divergences.md).
type OfflineModel struct {
	// Name labels the model in results (Result.NegativeModel).
	Name string
	// InitialDelay is the back-off after the first failure; zero disables
	// the model.
	InitialDelay time.Duration
	// Growth multiplies the delay after each further failure; values below
	// 1 mean 1 (a constant delay).
	Growth float64
	// Cap bounds the delay; zero means no cap.
	Cap time.Duration
	// Scope is where the records live; empty means ScopeProcess.
	Scope Scope
}

// Offline-model presets, selectable by name with [OfflinePreset].
var (
	// OfflineNone is no negative caching: every retrieval goes to the wire.
	// The default, because Windows' timing is unmeasured (spec §5.3).
	OfflineNone = OfflineModel{Name: "none"}
	// OfflineSeed8h reproduces the claim that a failed URL is not retried
	// for up to 8 hours and that a reboot does not help (spec §5.3): 15 min
	// doubling to an 8 h cap (15m, 30m, 1h, 2h, 4h, 8h), kept on disk.
	// UNCONFIRMED on Windows.
	OfflineSeed8h = OfflineModel{Name: "seed-8h", InitialDelay: 15 * time.Minute, Growth: 2, Cap: 8 * time.Hour, Scope: ScopeDisk}
	// OfflineServiceBackoff models explanation (b) of spec §5.3: a back-off
	// held by CryptSvc (1 min doubling to 1 h), cleared by a reboot but not
	// by an app restart. Invented numbers.
	OfflineServiceBackoff = OfflineModel{Name: "service-backoff", InitialDelay: time.Minute, Growth: 2, Cap: time.Hour, Scope: ScopeService}
	// OfflineProcessBackoff is the same back-off held by the process, gone
	// when the app restarts. Invented numbers.
	OfflineProcessBackoff = OfflineModel{Name: "process-backoff", InitialDelay: time.Minute, Growth: 2, Cap: time.Hour, Scope: ScopeProcess}
)

var offlinePresets = []OfflineModel{OfflineNone, OfflineSeed8h, OfflineServiceBackoff, OfflineProcessBackoff}

// OfflinePreset returns the preset model called name ("none", "seed-8h",
// "service-backoff", "process-backoff").
func OfflinePreset(name string) (OfflineModel, error) {
	for _, p := range offlinePresets {
		if p.Name == name {
			return p, nil
		}
	}
	return OfflineModel{}, fmt.Errorf("cache: unknown offline-URL model %q (want one of %s)", name, strings.Join(OfflinePresetNames(), ", "))
}

// OfflinePresetNames returns the names [OfflinePreset] accepts, in preset
// order (OfflineNone, the default, first), for usage texts and messages.
func OfflinePresetNames() []string {
	names := make([]string, len(offlinePresets))
	for i, p := range offlinePresets {
		names[i] = p.Name
	}
	return names
}

// Enabled reports whether the model records failures at all.
func (m OfflineModel) Enabled() bool { return m.InitialDelay > 0 }

// Delay is the back-off after the n-th consecutive failure (n >= 1).
func (m OfflineModel) Delay(n int) time.Duration {
	if !m.Enabled() || n < 1 {
		return 0
	}
	g := m.Growth
	if g < 1 {
		g = 1
	}
	d := float64(m.InitialDelay) * math.Pow(g, float64(n-1))
	if m.Cap > 0 && d > float64(m.Cap) {
		return m.Cap
	}
	if d > float64(math.MaxInt64) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(d)
}

func (m OfflineModel) scope() Scope {
	if m.Scope == "" {
		return ScopeProcess
	}
	return m.Scope
}

func (m OfflineModel) label() string {
	if m.Name != "" {
		return m.Name
	}
	if !m.Enabled() {
		return "none"
	}
	return fmt.Sprintf("custom(initial=%s growth=%g cap=%s scope=%s)", m.InitialDelay, m.Growth, m.Cap, m.scope())
}

func (m OfflineModel) validate() error {
	if m.InitialDelay < 0 || m.Cap < 0 || math.IsNaN(m.Growth) || m.Growth < 0 {
		return fmt.Errorf("cache: offline-URL model %s: negative delay, cap or growth", m.label())
	}
	switch m.scope() {
	case ScopeProcess, ScopeService, ScopeDisk:
	default:
		return fmt.Errorf("cache: offline-URL model %s: unknown scope %q (want process, service or disk)", m.label(), m.Scope)
	}
	return nil
}

// OfflineRecord is the negative-cache record of one URL. The disk-scoped
// ones are files of the cache folder, in the format of package urlcache.
type OfflineRecord = urlcache.OfflineRecord

// OfflineState holds offline-URL records in memory. Share one between
// Retrievers to model records kept by a service; it is safe for concurrent
// use. The zero value is not usable; call [NewOfflineState].
type OfflineState struct {
	mu   sync.Mutex
	recs map[string]OfflineRecord
}

// NewOfflineState returns an empty state (a freshly booted machine).
func NewOfflineState() *OfflineState {
	return &OfflineState{recs: map[string]OfflineRecord{}}
}

// Get returns the record for url.
func (s *OfflineState) Get(url string) (OfflineRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[url]
	return r, ok
}

// Records returns every record, sorted by URL.
func (s *OfflineState) Records() []OfflineRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OfflineRecord, 0, len(s.recs))
	for _, r := range s.recs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

func (s *OfflineState) put(r OfflineRecord) error {
	s.mu.Lock()
	s.recs[r.URL] = r
	s.mu.Unlock()
	return nil
}

func (s *OfflineState) get(url string) (OfflineRecord, bool, error) {
	r, ok := s.Get(url)
	return r, ok, nil
}

func (s *OfflineState) remove(url string) error {
	s.mu.Lock()
	delete(s.recs, url)
	s.mu.Unlock()
	return nil
}

// offlineStore is where a Retriever keeps offline-URL records.
type offlineStore interface {
	get(url string) (OfflineRecord, bool, error)
	put(r OfflineRecord) error
	remove(url string) error
}

// folderOffline keeps the records in the cache folder, one small file per
// URL under winchain-offline, written atomically so processes can share it.
type folderOffline struct{ f *urlcache.Folder }

func (d folderOffline) get(url string) (OfflineRecord, bool, error) { return d.f.OfflineRecord(url) }
func (d folderOffline) put(r OfflineRecord) error                   { return d.f.PutOfflineRecord(r) }
func (d folderOffline) remove(url string) error                     { return d.f.DeleteOfflineRecord(url) }

// retryAfter is when the wire may be tried again for rec, read at now under
// model m. A record never blocks a URL for longer than m's back-off for its
// failure count, counted from its last failure: a record written under a
// longer model, copied from another machine or crafted cannot block a URL
// for days. A record whose last failure is after now (the clock was set
// back) does not block at all: Windows' behaviour there is unknown, and
// trying the wire is the choice that cannot strand a client
// (docs/windows-divergences.md).
func (m OfflineModel) retryAfter(rec OfflineRecord, now time.Time) (time.Time, bool) {
	if rec.LastFailure.After(now) {
		return time.Time{}, false
	}
	ra := rec.RetryAfter
	if limit := rec.LastFailure.Add(m.Delay(rec.Failures)); ra.After(limit) {
		ra = limit
	}
	return ra, now.Before(ra)
}

// Clone returns an independent copy of the records, so a simulation can
// split one machine's service state into two (one part of a fleet restarts
// its app, the other does not).
func (s *OfflineState) Clone() *OfflineState {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &OfflineState{recs: make(map[string]OfflineRecord, len(s.recs))}
	for k, v := range s.recs {
		c.recs[k] = v
	}
	return c
}
