package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/boundedio"
	"github.com/winchain/winchain/internal/decodeerr"
)

// Limits on what a scenario file may ask for, so a hostile or mistyped file
// cannot make a simulation run for hours or fill the disk.
const (
	// MaxSteps bounds duration/step (48 h at 1 min is 2,880; a week at 5 min
	// is 2,016).
	MaxSteps = 20000
	// MaxClients bounds the fleet size.
	MaxClients = 1_000_000
	// MaxEvents bounds the number of events, network rules and asserts each.
	MaxEvents = 10000
	// MaxFileSize bounds the scenario file (16 MiB; MaxEvents events of
	// a line each are well under 1 MiB). The certificate, key and static
	// files it names are bounded by certs.MaxFileSize, registry exports by
	// client.MaxRegExportSize.
	MaxFileSize = 16 << 20
)

// DefaultTLSSessionLifetime is ProfileSpec.TLSSessionLifetime's default:
// Schannel's ClientCacheTime (under
// HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL),
// 10 h = 36,000,000 ms per Microsoft's "Configure the TLS Handle Expiry
// Time on Client Computers" (cc731518) and "Transport Layer Security (TLS)
// registry settings".
const DefaultTLSSessionLifetime = 10 * time.Hour

// Duration is a time.Duration read from YAML as a Go duration string
// ("90m", "-12h", "1h30m") or a number of seconds.
type Duration time.Duration

// UnmarshalYAML reads "15m" or 900.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a duration like 15m", n.Line)
	}
	if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
		// A float64 beyond int64 nanoseconds (or NaN) would convert to an
		// arbitrary value and slip past the limits.
		if ns := v * float64(time.Second); math.IsNaN(ns) || ns >= math.MaxInt64 || ns <= math.MinInt64 {
			return fmt.Errorf("line %d: %q seconds is not a usable duration (at most about 292 years)", n.Line, n.Value)
		}
		*d = Duration(v * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (examples: 15m, 1h30m, -12h)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the Go duration string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Percent is a fraction read from YAML as "99%" or 0.99.
type Percent float64

// UnmarshalYAML reads "99%", "99.5 %" or 0.995.
func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	if strings.HasSuffix(s, "%") {
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
		if err != nil {
			return fmt.Errorf("line %d: %q is not a percentage", n.Line, n.Value)
		}
		*p = Percent(v / 100)
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a fraction or percentage", n.Line, n.Value)
	}
	if v > 1 || v < 0 {
		// "fraction: 50" meant 50 %, or was a typo: a bare number is a
		// fraction from 0 to 1, so say which was meant.
		return fmt.Errorf("line %d: %s is not a share: write a percentage from 0%% to 100%% (%s%%) or a fraction from 0 to 1", n.Line, n.Value, n.Value)
	}
	*p = Percent(v)
	return nil
}

// Spec is a scenario file (docs/scenario.md). Every field has a default.
type Spec struct {
	// Name labels the reports.
	Name string `yaml:"name"`
	// Start is when the simulation begins (machine clock of every client
	// and of the network). Default 2026-11-24T08:00:00Z.
	Start time.Time `yaml:"start"`
	// Duration is how long it runs (default 24h); Step the resolution
	// (default 5m): clients connect on step boundaries.
	Duration Duration `yaml:"duration"`
	Step     Duration `yaml:"step"`
	// Seed makes the run reproducible: the same file and seed give
	// byte-identical JSON.
	Seed int64 `yaml:"seed"`
	// HungAfter: a connection blocked in URL retrievals at least this long
	// counts as hung (default cache.DefaultURLRetrievalTimeout, 15 s: one
	// default ChainUrlRetrievalTimeoutMilliseconds).
	HungAfter Duration `yaml:"hungAfter"`

	PKI       PKISpec        `yaml:"pki"`
	CRLs      []CRLSpec      `yaml:"crls"`
	OCSP      []OCSPSpec     `yaml:"ocsp"`
	AIA       []AIASpec      `yaml:"aia"`
	Static    []StaticSpec   `yaml:"static"`
	Network   []NetRule      `yaml:"network"`
	Endpoints []EndpointSpec `yaml:"endpoints"`
	Groups    []GroupSpec    `yaml:"groups"`
	Events    []EventSpec    `yaml:"events"`
	Asserts   []AssertSpec   `yaml:"asserts"`

	// dir is where relative file names are resolved.
	dir string
	// file is the name Parse was given (the file's path for Load): what
	// errors of a run name (errFile).
	file string
	// files, when set, replaces the file system (embedded scenarios).
	files func(name string) ([]byte, error)
	// present holds the fields the file wrote, for the range checks of
	// values that otherwise take a default (validate.go).
	present map[string]bool
}

// PKISpec names the certificates and keys of the scenario.
type PKISpec struct {
	// Certs maps a name to a PEM or DER certificate file.
	Certs map[string]string `yaml:"certs"`
	// Keys maps a CA's certificate name to its PEM private key, needed only
	// for CAs whose CRLs or OCSP responses the scenario signs.
	Keys map[string]string `yaml:"keys"`
}

// CRLSpec is a CRL that a CA publishes at a URL, re-signed every
// PublishEvery.
type CRLSpec struct {
	URL    string `yaml:"url"`
	Issuer string `yaml:"issuer"`
	// PublishEvery defaults to 24h; Validity (nextUpdate − thisUpdate) to
	// PublishEvery plus 10 %; FirstPublish (relative to start) to 0.
	PublishEvery Duration `yaml:"publishEvery"`
	Validity     Duration `yaml:"validity"`
	FirstPublish Duration `yaml:"firstPublish"`
	// Revoked lists certificates revoked from a time on.
	Revoked []RevokedSpec `yaml:"revoked"`
}

// RevokedSpec revokes a certificate from At (relative to start).
type RevokedSpec struct {
	Cert string   `yaml:"cert"`
	At   Duration `yaml:"at"`
}

// OCSPSpec is an OCSP responder for one CA's certificates; it answers every
// GET URL under URL. Responses are signed by the CA itself.
type OCSPSpec struct {
	URL    string `yaml:"url"`
	Issuer string `yaml:"issuer"`
	// Validity is nextUpdate − thisUpdate of each response (default 4 days;
	// thisUpdate is the request time rounded down to the hour).
	Validity Duration      `yaml:"validity"`
	Revoked  []RevokedSpec `yaml:"revoked"`
}

// AIASpec serves a certificate (DER) at a caIssuers URL.
type AIASpec struct {
	URL  string `yaml:"url"`
	Cert string `yaml:"cert"`
}

// StaticSpec serves a file as it is at a URL for the whole run (a CRL or
// OCSP response fetched once, as `winchain preflight --scenario` saves
// them when it has no CA key to sign new ones).
type StaticSpec struct {
	URL  string `yaml:"url"`
	File string `yaml:"file"`
}

// NetRule changes what the network does for a URL (or every URL under
// Prefix) in a window: outages, timeouts, errors, latency.
type NetRule struct {
	URL    string `yaml:"url"`
	Prefix string `yaml:"prefix"`
	// From and Until are relative to start; Until 0 means forever.
	From  Duration `yaml:"from"`
	Until Duration `yaml:"until"`
	// Fail is offline, timeout or reset; Status an HTTP status instead.
	Fail    string   `yaml:"fail"`
	Status  int      `yaml:"status"`
	Latency Duration `yaml:"latency"`
}

// EndpointSpec is a TLS server and the chain it presents at start (end
// certificate first; the rest are sent as the handshake's extra
// certificates, the hAdditionalStore of the client's chain build).
type EndpointSpec struct {
	Name  string   `yaml:"name"`
	Host  string   `yaml:"host"`
	Chain []string `yaml:"chain"`
}

// GroupSpec is a group of identical clients.
type GroupSpec struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count"`
	// Endpoint is the server the clients connect to (default: the first).
	Endpoint string `yaml:"endpoint"`
	// ConnectEvery is how often each client connects (default 15m); each
	// client gets a seeded phase within that period.
	ConnectEvery Duration `yaml:"connectEvery"`
	// Roots and CA name the certificates in the clients' Root and
	// intermediate stores.
	Roots []string `yaml:"roots"`
	CA    []string `yaml:"ca"`
	// Profile is the Windows configuration of these clients.
	Profile ProfileSpec `yaml:"profile"`
	// Primed: the clients have connected once before the start (their
	// caches hold what that connection fetched). Default true.
	Primed *bool `yaml:"primed"`
}

// ProfileSpec is a client's Windows configuration.
type ProfileSpec struct {
	// Revocation is none, end, chain or chain-exclude-root (default, as
	// Schannel and certutil use).
	Revocation string `yaml:"revocation"`
	// RevocationCacheOnly is CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY.
	RevocationCacheOnly bool `yaml:"revocationCacheOnly"`
	// AccumulativeTimeout is CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT.
	AccumulativeTimeout bool `yaml:"accumulativeTimeout"`
	// NoAIA is CERT_CHAIN_DISABLE_AIA.
	NoAIA bool `yaml:"noAIA"`
	// NegativeCache is the offline-URL model preset (cache.OfflinePreset):
	// none (default), seed-8h, service-backoff, process-backoff.
	NegativeCache string `yaml:"negativeCache"`
	// URLTimeout is ChainUrlRetrievalTimeoutMilliseconds, how long each URL
	// may block (spec §3.7). Written, it wins over the value of Registry's
	// export; zero (not written) means the export's value, else
	// cache.DefaultURLRetrievalTimeout (15 s).
	URLTimeout Duration `yaml:"urlTimeout"`
	// TLSSessionLifetime is how long a client reuses a TLS session without
	// validating the chain again (Schannel ClientCacheTime; default
	// [DefaultTLSSessionLifetime]; "0s" turns reuse off).
	TLSSessionLifetime *Duration `yaml:"tlsSessionLifetime"`
	// Registry is a `reg export` of the ChainEngine\Config key (at most
	// client.MaxRegExportSize bytes), applied to the client's registry
	// values (client.Registry.ApplyRegExport); the fields of this profile
	// that set the same values (URLTimeout, CRLValidityExtension) win.
	Registry string `yaml:"registry"`
	// CRLValidityExtension is how long an expired CRL may still be used
	// when no fresh one can be had (CRLValidityExtensionPeriod, set by the
	// Group Policy "Allow CRL and OCSP responses to be valid longer than
	// their lifetime"); "0s" turns it off. Written, it wins over Registry's
	// CRLValidityExtensionPeriod. Default: the export's value, else the
	// revocation package's default (12 h).
	CRLValidityExtension *Duration `yaml:"crlValidityExtension"`
	// PrincipalName is the msstd:NAME of Outlook Anywhere's "Only connect
	// to proxy servers that have this principal name in their
	// certificate": after the chain passes the SSL policy, the name must be
	// one of the certificate's names (chain.MatchPrincipalName), or the
	// connection fails with CERT_E_CN_NO_MATCH. Empty: no such check.
	PrincipalName string `yaml:"principalName"`
}

// EventSpec is one event; exactly one of its kinds is set.
type EventSpec struct {
	At Duration `yaml:"at"`
	// Group limits the event to one group (default: every group);
	// Fraction to a seeded share of its clients (default 1).
	Group    string   `yaml:"group"`
	Fraction *Percent `yaml:"fraction"`

	// Swap makes Endpoint present Chain from At on; Revert goes back to
	// the chain it presented before its last swap.
	Swap   *SwapSpec `yaml:"swap"`
	Revert string    `yaml:"revert"`
	// AppRestart ends the client process: memory caches, engine cache and
	// TLS sessions are gone; service and disk state stay.
	AppRestart bool `yaml:"appRestart"`
	// Reboot also ends the service (CryptSvc) state; the disk cache and
	// disk-scoped offline records stay.
	Reboot bool `yaml:"reboot"`
	// URLCacheDelete is `certutil -urlcache * delete`: the disk cache
	// (and disk-scoped offline records) are deleted; running processes keep
	// their memory caches (spec §1.9).
	URLCacheDelete bool `yaml:"urlcacheDelete"`
	// ClearSSLState empties the TLS session cache ("Clear SSL state").
	ClearSSLState bool `yaml:"clearSSLState"`
	// ClockJump moves the clients' machine clock by this much.
	ClockJump Duration `yaml:"clockJump"`
	// Resync is `certutil -setreg chain\ChainCacheResyncFiletime @now`:
	// cached objects downloaded before At are invalid (spec §1.9).
	Resync bool `yaml:"resync"`
}

// SwapSpec is a certificate swap on an endpoint.
type SwapSpec struct {
	Endpoint string   `yaml:"endpoint"`
	Chain    []string `yaml:"chain"`
}

// AssertSpec is a condition the run must meet: by time By, at least (or at
// most) a share of a group's clients saw Outcome at their last connection.
type AssertSpec struct {
	By      Duration `yaml:"by"`
	Group   string   `yaml:"group"`
	Outcome string   `yaml:"outcome"`
	AtLeast *Percent `yaml:"atLeast"`
	AtMost  *Percent `yaml:"atMost"`
}

// Error is a problem in a scenario file, or with what a run would write; it
// names the file and, when one field is at fault, the field.
type Error struct {
	// File is the scenario file, or the work dir (Options.WorkDir) when
	// the cache folders a run would write there are over MaxWorkDirBytes.
	File string
	// Field is the scenario field at fault ("groups[0].count",
	// "events[2].fraction"), or "" when no one field is.
	Field string
	// Err says what is wrong, in the user's words.
	Err error
}

// Error names the file, the field and the problem.
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.File, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Load reads a scenario file; relative file names in it are resolved
// against the file's folder.
func Load(path string) (*Spec, error) {
	data, err := boundedio.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, &Error{File: boundedio.Name(path), Err: err}
	}
	s, err := Parse(boundedio.Name(path), data)
	if err != nil {
		return nil, err
	}
	s.dir = filepath.Dir(path)
	return s, nil
}

// Parse reads a scenario from YAML (JSON is YAML too). name labels errors.
func Parse(name string, data []byte) (*Spec, error) {
	var s Spec
	present, badShare, value := presentPaths(data)
	if badShare != "" {
		return nil, &Error{File: name, Field: badShare, Err: bareShareError(value)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, errEOF) || strings.Contains(err.Error(), "EOF") {
			return nil, &Error{File: name, Err: errors.New("empty scenario")}
		}
		return nil, &Error{File: name, Err: decodeerr.Word(err, data)}
	}
	s.dir = "."
	s.file = name
	s.present = present
	if err := s.normalise(name); err != nil {
		return nil, err
	}
	if err := s.checkWork(name, Options{}); err != nil {
		return nil, err
	}
	return &s, nil
}

var errEOF = errors.New("EOF")

// errFile is how a run's errors name the scenario: the file it was read
// from, as Parse and Load name it in theirs, or its Name for a Spec built
// in code.
func (s *Spec) errFile() string {
	if s.file != "" {
		return s.file
	}
	return s.Name
}

// UseFiles makes the scenario read the files it names (certificates, keys,
// registry exports) from memory instead of the disk: for programs and tests
// that build their PKI in code.
func (s *Spec) UseFiles(files map[string][]byte) {
	s.files = func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("%s: %w", name, os.ErrNotExist)
	}
}

func (s *Spec) readFile(name string) ([]byte, error) {
	return s.readFileMax(name, certs.MaxFileSize)
}

// readFileMax reads a file the scenario names, at most limit bytes from
// the disk.
func (s *Spec) readFileMax(name string, limit int64) ([]byte, error) {
	if s.files != nil {
		return s.files(name)
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(s.dir, name)
	}
	return boundedio.ReadFile(name, limit)
}

// normalise fills defaults and checks references, naming the field at fault.
func (s *Spec) normalise(file string) error {
	n := &normaliser{s: s, file: file, present: s.present}
	for _, step := range []func() error{n.timing, n.publishers, n.network, n.endpoints, n.groups, n.events, n.asserts} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// normaliser fills in the defaults of one Spec and checks it, section by
// section in file order, so the first problem reported is the first one a
// reader meets. It keeps the names the later sections refer to.
type normaliser struct {
	s    *Spec
	file string
	// endpointNames and groupNames are the names defined so far.
	endpointNames, groupNames map[string]bool
	// present holds the fields the file wrote (presentPaths); nil for a
	// Spec built in code.
	present map[string]bool
}

func (n *normaliser) fail(field string, format string, args ...any) error {
	return &Error{File: n.file, Field: field, Err: fmt.Errorf(format, args...)}
}

// certName checks that field names a certificate of pki.certs.
func (n *normaliser) certName(field, name string) error {
	if _, ok := n.s.PKI.Certs[name]; !ok {
		return n.fail(field, "no certificate named %q in pki.certs", name)
	}
	return nil
}

// certNames checks every name of a list field (field[0], field[1], …).
func (n *normaliser) certNames(field string, names []string) error {
	for j, c := range names {
		if err := n.certName(fmt.Sprintf("%s[%d]", field, j), c); err != nil {
			return err
		}
	}
	return nil
}

// keyName checks that field names a certificate with its key (a signer).
func (n *normaliser) keyName(field, name string) error {
	if err := n.certName(field, name); err != nil {
		return err
	}
	if _, ok := n.s.PKI.Keys[name]; !ok {
		return n.fail(field, "no key for %q in pki.keys (needed to sign)", name)
	}
	return nil
}

// timing: name, start, duration, step, hungAfter and the list bounds.
func (n *normaliser) timing() error {
	s := n.s
	if err := n.explicitTiming(); err != nil {
		return err
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(n.file), filepath.Ext(n.file))
	}
	if s.Start.IsZero() {
		s.Start = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	}
	s.Start = s.Start.UTC()
	if s.Duration <= 0 {
		s.Duration = Duration(24 * time.Hour)
	}
	if s.Step <= 0 {
		s.Step = Duration(5 * time.Minute)
	}
	if s.Step.D() < time.Second {
		return n.fail("step", "%s is below 1s", s.Step.D())
	}
	if steps := int64(s.Duration / s.Step); steps > MaxSteps {
		return n.fail("duration", "%s at step %s is %d steps; the limit is %d", s.Duration.D(), s.Step.D(), steps, MaxSteps)
	}
	if s.HungAfter <= 0 {
		s.HungAfter = Duration(cache.DefaultURLRetrievalTimeout)
	}
	if len(s.Events) > MaxEvents || len(s.Network) > MaxEvents || len(s.Asserts) > MaxEvents {
		return n.fail("events", "more than %d events, network rules or asserts", MaxEvents)
	}
	return nil
}

// publishers: what the PKI serves (crls, ocsp, aia, static).
func (n *normaliser) publishers() error {
	s := n.s
	if err := n.explicitPublishers(); err != nil {
		return err
	}
	for i := range s.CRLs {
		c := &s.CRLs[i]
		f := fmt.Sprintf("crls[%d]", i)
		if c.URL == "" {
			return n.fail(f+".url", "missing")
		}
		if err := n.keyName(f+".issuer", c.Issuer); err != nil {
			return err
		}
		if c.PublishEvery <= 0 {
			c.PublishEvery = Duration(24 * time.Hour)
		}
		if c.Validity <= 0 {
			c.Validity = c.PublishEvery + c.PublishEvery/10
		}
		for j, r := range c.Revoked {
			if err := n.certName(fmt.Sprintf("%s.revoked[%d].cert", f, j), r.Cert); err != nil {
				return err
			}
		}
	}
	for i := range s.OCSP {
		o := &s.OCSP[i]
		f := fmt.Sprintf("ocsp[%d]", i)
		if o.URL == "" {
			return n.fail(f+".url", "missing")
		}
		if err := n.keyName(f+".issuer", o.Issuer); err != nil {
			return err
		}
		if o.Validity <= 0 {
			o.Validity = Duration(4 * 24 * time.Hour)
		}
		for j, r := range o.Revoked {
			if err := n.certName(fmt.Sprintf("%s.revoked[%d].cert", f, j), r.Cert); err != nil {
				return err
			}
		}
	}
	for i, a := range s.AIA {
		if a.URL == "" {
			return n.fail(fmt.Sprintf("aia[%d].url", i), "missing")
		}
		if err := n.certName(fmt.Sprintf("aia[%d].cert", i), a.Cert); err != nil {
			return err
		}
	}
	for i, st := range s.Static {
		if st.URL == "" || st.File == "" {
			return n.fail(fmt.Sprintf("static[%d]", i), "give url and file")
		}
	}
	return nil
}

// network: the failure rules.
func (n *normaliser) network() error {
	for i, r := range n.s.Network {
		f := fmt.Sprintf("network[%d]", i)
		if (r.URL == "") == (r.Prefix == "") {
			return n.fail(f, "give exactly one of url and prefix")
		}
		switch r.Fail {
		case "", "offline", "timeout", "reset":
		default:
			return n.fail(f+".fail", "%q: want offline, timeout or reset", r.Fail)
		}
		if r.Fail == "" && r.Status == 0 {
			// A slow answer of the normal content would need the rule
			// underneath; latency goes with a failure or a status.
			return n.fail(f, "give fail or status (latency only adds to them)")
		}
	}
	return nil
}

// endpoints: the servers and the chains they present.
func (n *normaliser) endpoints() error {
	s := n.s
	if len(s.Endpoints) == 0 {
		return n.fail("endpoints", "at least one endpoint is needed")
	}
	n.endpointNames = map[string]bool{}
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		f := fmt.Sprintf("endpoints[%d]", i)
		if e.Name == "" {
			e.Name = e.Host
		}
		if e.Host == "" || e.Name == "" {
			return n.fail(f+".host", "missing")
		}
		if len(e.Chain) == 0 {
			return n.fail(f+".chain", "missing: the end certificate the server presents")
		}
		if err := n.certNames(f+".chain", e.Chain); err != nil {
			return err
		}
		n.endpointNames[e.Name] = true
	}
	return nil
}

// groups: the clients, their stores and profiles.
func (n *normaliser) groups() error {
	s := n.s
	if len(s.Groups) == 0 {
		return n.fail("groups", "at least one group of clients is needed")
	}
	n.groupNames = map[string]bool{}
	total := 0
	for i := range s.Groups {
		g := &s.Groups[i]
		f := fmt.Sprintf("groups[%d]", i)
		if g.Name == "" {
			g.Name = fmt.Sprintf("group%d", i+1)
		}
		if n.groupNames[g.Name] {
			return n.fail(f+".name", "%q is used twice", g.Name)
		}
		n.groupNames[g.Name] = true
		if err := n.explicitGroup(f, g); err != nil {
			return err
		}
		if g.Count <= 0 {
			g.Count = 1
		}
		if g.Count > MaxClients-total { // checked here, before the sum can overflow
			return n.fail(f+".count", "%d clients (with the groups before it); the limit is %d", uint64(total)+uint64(g.Count), MaxClients)
		}
		total += g.Count
		if g.Endpoint == "" {
			g.Endpoint = s.Endpoints[0].Name
		}
		if !n.endpointNames[g.Endpoint] {
			return n.fail(f+".endpoint", "no endpoint named %q", g.Endpoint)
		}
		if g.ConnectEvery <= 0 {
			g.ConnectEvery = Duration(15 * time.Minute)
		}
		if g.ConnectEvery < s.Step {
			return n.fail(f+".connectEvery", "%s is shorter than the step %s", g.ConnectEvery.D(), s.Step.D())
		}
		if err := n.certNames(f+".roots", g.Roots); err != nil {
			return err
		}
		if err := n.certNames(f+".ca", g.CA); err != nil {
			return err
		}
		if err := n.profile(f+".profile", &g.Profile); err != nil {
			return err
		}
		if g.Primed == nil {
			t := true
			g.Primed = &t
		}
	}
	if total > MaxClients {
		return n.fail("groups", "%d clients; the limit is %d", total, MaxClients)
	}
	return nil
}

// profile: one group's client settings.
func (n *normaliser) profile(f string, p *ProfileSpec) error {
	if p.Revocation == "" {
		p.Revocation = chain.DefaultRevocationMode
	}
	if _, err := chain.RevocationModeFlags(p.Revocation); err != nil {
		return n.fail(f+".revocation", "%q: %v", p.Revocation, err)
	}
	if p.NegativeCache == "" {
		p.NegativeCache = "none"
	}
	if p.PrincipalName != "" {
		if _, err := chain.ParsePrincipalName(p.PrincipalName); err != nil {
			return n.fail(f+".principalName", "%v", err)
		}
	}
	if p.TLSSessionLifetime == nil {
		d := Duration(DefaultTLSSessionLifetime)
		p.TLSSessionLifetime = &d
	}
	return nil
}

// events: one kind per event, known groups and endpoints; sorted by time.
func (n *normaliser) events() error {
	s := n.s
	for i := range s.Events {
		e := &s.Events[i]
		f := fmt.Sprintf("events[%d]", i)
		kinds := 0
		for _, set := range []bool{e.Swap != nil, e.Revert != "", e.AppRestart, e.Reboot, e.URLCacheDelete, e.ClearSSLState, e.ClockJump != 0, e.Resync} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			return n.fail(f, "give exactly one of swap, revert, appRestart, reboot, urlcacheDelete, clearSSLState, clockJump, resync")
		}
		if e.Group != "" && !n.groupNames[e.Group] {
			return n.fail(f+".group", "no group named %q", e.Group)
		}
		if err := n.share(f+".fraction", e.Fraction); err != nil {
			return err
		}
		if e.Swap != nil {
			if !n.endpointNames[e.Swap.Endpoint] {
				return n.fail(f+".swap.endpoint", "no endpoint named %q", e.Swap.Endpoint)
			}
			if len(e.Swap.Chain) == 0 {
				return n.fail(f+".swap.chain", "missing")
			}
			if err := n.certNames(f+".swap.chain", e.Swap.Chain); err != nil {
				return err
			}
		}
		if e.Revert != "" && !n.endpointNames[e.Revert] {
			return n.fail(f+".revert", "no endpoint named %q", e.Revert)
		}
	}
	sort.SliceStable(s.Events, func(i, j int) bool { return s.Events[i].At < s.Events[j].At })
	return nil
}

// asserts: known groups, one bound each.
func (n *normaliser) asserts() error {
	for i := range n.s.Asserts {
		a := &n.s.Asserts[i]
		f := fmt.Sprintf("asserts[%d]", i)
		if a.Group != "" && !n.groupNames[a.Group] {
			return n.fail(f+".group", "no group named %q", a.Group)
		}
		if a.Outcome == "" {
			a.Outcome = "trusted"
		}
		if (a.AtLeast == nil) == (a.AtMost == nil) {
			return n.fail(f, "give exactly one of atLeast and atMost")
		}
		if err := n.share(f+".atLeast", a.AtLeast); err != nil {
			return err
		}
		if err := n.share(f+".atMost", a.AtMost); err != nil {
			return err
		}
	}
	return nil
}
