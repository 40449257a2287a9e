package preflight

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
)

// Defaults of Options.
const (
	// DefaultClockSkew is how far behind a client's clock may be
	// (Options.ClockSkew zero): 5 minutes, the Kerberos "Maximum tolerance
	// for computer clock synchronization" of the default domain policy,
	// which domain members are kept within.
	DefaultClockSkew = 5 * time.Minute
	// DefaultRevertAfter is when the revert is judged, after the swap
	// (Options.RevertAfter zero): the seed story reverted after an hour.
	DefaultRevertAfter = time.Hour
	// LargeCRLBytes is the CRL size from which a new CRL is a warning:
	// every client downloads it at the swap, at once.
	LargeCRLBytes = 1 << 20
)

// Options are the clients' side of a preflight. The zero value judges the
// chains at the evaluator's clock with no server name, no principal name,
// clocks up to DefaultClockSkew behind, and the revert DefaultRevertAfter
// after the swap.
type Options struct {
	// At is the planned swap time. Zero means the clients' clock now.
	At time.Time
	// RevertAfter is how long after the swap a revert is judged; zero
	// means DefaultRevertAfter.
	RevertAfter time.Duration
	// ServerName is the host name clients connect to (the SSL policy's
	// pwszServerName). Empty: names are not checked.
	ServerName string
	// PrincipalNames are the msstd:NAME principal names Outlook profiles
	// are configured with ("Only connect to proxy servers that have this
	// principal name in their certificate").
	PrincipalNames []string
	// ClockSkew is how far behind a client's clock may be; zero means
	// DefaultClockSkew, negative means clocks are exact.
	ClockSkew time.Duration
	// ExpiresSoon flags a new certificate that expires this soon after
	// the swap; zero means DefaultExpiresSoon.
	ExpiresSoon time.Duration
	// Evaluator judges a chain as a Windows client does. Required.
	Evaluator Evaluator
}

// Evaluator gives clients that judge chains the way a Windows client
// does: CertGetCertificateChain and the SSL policy for the server name.
// [ClientEvaluator] is the one over package client.
type Evaluator interface {
	// Session returns a new client as the fleet's clients are before the
	// swap: their stores, registry settings and network, their cache
	// folder as given, nothing else cached.
	Session() (Session, error)
}

// Session is one client: what one Evaluate fetched and cached, the next
// one finds, as on a Windows machine.
type Session interface {
	Evaluate(ctx context.Context, presented []*certs.Certificate, at time.Time, serverName string) (*Evaluation, error)
}

// Evaluation is one judged chain.
type Evaluation struct {
	Context *chain.ChainContext
	Policy  chain.PolicyStatus
	// Cached reports, for a URL, whether the client had it in its cache
	// folder before the evaluation (nil: no cache folder).
	Cached func(url string) bool
	// Local reports whether the client had a certificate before the
	// evaluation: presented by the server, or in its Root or CA store
	// (nil: judged by the element's source).
	Local func(c *certs.Certificate) bool
	// AccumulativeTimeout is the client's revocation budget under
	// CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT
	// (ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds); zero means
	// cache.DefaultAccumulativeTimeout. Accumulative says whether the
	// client set that flag.
	AccumulativeTimeout time.Duration
	Accumulative        bool
	// MinRSAPubKeyBitLength is the client's registry MinRsaPubKeyBitLength,
	// which the weak-crypto finding applies as its chain engine does
	// (certs.IsWeakSignature); zero means
	// certs.DefaultMinRSAPubKeyBitLength.
	MinRSAPubKeyBitLength uint32
}

// ErrNoEvaluator is returned by Analyze without Options.Evaluator.
var ErrNoEvaluator = errors.New("preflight: Options.Evaluator is required")

// Analyze compares the chain a server presents now (old) with the one it
// will present (new), as Windows clients configured by o see them, and
// says what to do first. The error is for input that cannot be judged (a
// bad principal name, an empty chain, an evaluator failure); what clients
// would see, failures included, is in the report.
func Analyze(ctx context.Context, old, new *Chain, o Options) (*Report, error) {
	if o.Evaluator == nil {
		return nil, ErrNoEvaluator
	}
	if old.Leaf() == nil {
		return nil, &certs.ParseError{Input: "old chain", Err: errors.New("the chain is empty")}
	}
	if new.Leaf() == nil {
		return nil, &certs.ParseError{Input: "new chain", Err: errors.New("the chain is empty")}
	}
	for _, pn := range o.PrincipalNames {
		if _, err := chain.ParsePrincipalName(pn); err != nil {
			return nil, err
		}
	}
	if o.ClockSkew == 0 {
		o.ClockSkew = DefaultClockSkew
	}
	if o.ClockSkew < 0 {
		o.ClockSkew = 0
	}
	if o.RevertAfter <= 0 {
		o.RevertAfter = DefaultRevertAfter
	}
	// One client lives through the swap: it validated the old chain
	// (its caches hold what that fetched), meets the new chain at the swap
	// and the old one again at the revert. A second client meets the new
	// chain with nothing cached: a client connecting for the first time,
	// or after its URL cache was flushed; it also shows which of the new
	// chain's URLs the network serves, since the first client may need
	// none of them yet.
	at := o.At
	fleet, err := o.Evaluator.Session()
	if err != nil {
		return nil, err
	}
	oldEv, err := fleet.Evaluate(ctx, old.Certs, at, o.ServerName)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = oldEv.Context.Time
	}
	newEv, err := fleet.Evaluate(ctx, new.Certs, at, o.ServerName)
	if err != nil {
		return nil, err
	}
	revertAt := at.Add(o.RevertAfter)
	revEv, err := fleet.Evaluate(ctx, old.Certs, revertAt, o.ServerName)
	if err != nil {
		return nil, err
	}
	first, err := o.Evaluator.Session()
	if err != nil {
		return nil, err
	}
	freshEv, err := first.Evaluate(ctx, new.Certs, at, o.ServerName)
	if err != nil {
		return nil, err
	}
	// And one with nothing cached at the revert: it fetches the CRL of
	// that time, which a revocation after the swap is on.
	late, err := o.Evaluator.Session()
	if err != nil {
		return nil, err
	}
	revFreshEv, err := late.Evaluate(ctx, old.Certs, revertAt, o.ServerName)
	if err != nil {
		return nil, err
	}
	r := &Report{
		in:              &analysis{old: old, new: new, opts: o, observed: observe(oldEv, newEv, revEv, freshEv, revFreshEv)},
		Old:             chainResult(old, oldEv),
		New:             chainResult(new, newEv),
		FirstConnection: chainResult(new, freshEv),
		Revert:          chainResult(old, revEv),
	}
	oldBuilt, newBuilt := builtCerts(old, oldEv), builtCerts(new, freshEv)
	oldSet := map[[20]byte]bool{}
	for _, c := range oldBuilt {
		oldSet[c.SHA1] = true
	}

	var fs []Finding
	fs = append(fs, nameFindings(old.Leaf(), new.Leaf(), &o)...)
	fs = append(fs, issuerFindings(old, new, freshEv)...)
	fs = append(fs, weakFindings(oldSet, newBuilt, freshEv.MinRSAPubKeyBitLength)...)
	fs = append(fs, ekuFindings(old.Leaf(), new.Leaf())...)
	fs = append(fs, validityFindings(old.Leaf(), new.Leaf(), at, &o)...)
	fs = append(fs, revocationFindings(oldBuilt, newBuilt, freshEv, newEv)...)
	fs = append(fs, revertFindings(old, revEv, revFreshEv, revertAt)...)
	fs = append(fs, keyFindings(old.Leaf(), new.Leaf())...)
	fs = append(fs, cacheFindings(oldEv, newEv, revEv, freshEv, revFreshEv)...)
	fs = append(fs, unexplained(newEv, freshEv, fs)...)
	order := map[Severity]int{Blocking: 0, Warning: 1, Info: 2}
	sort.SliceStable(fs, func(i, j int) bool { return order[fs[i].Severity] < order[fs[j].Severity] })
	r.Findings = fs
	for _, f := range fs {
		if f.Severity == Blocking {
			r.Blocking = true
		}
	}
	r.Steps = steps(fs, new, oldBuilt, &o, freshEv.MinRSAPubKeyBitLength)
	return r, nil
}

// analysis keeps what WriteScenario needs from Analyze.
type analysis struct {
	old, new *Chain
	opts     Options
	// observed is, per URL, what the clients' network answered.
	observed map[string]*cache.Result
}

// observe collects what the network answered for each URL during the
// evaluations: an object that was served wins over a failure; failures
// count only when they came from the wire (an offline-URL skip says
// nothing about the URL itself).
func observe(evs ...*Evaluation) map[string]*cache.Result {
	out := map[string]*cache.Result{}
	for _, ev := range evs {
		for _, rt := range ev.Context.Retrievals {
			if !rt.OK && rt.From != cache.FromNetwork {
				continue
			}
			if prev, ok := out[rt.URL]; !ok || !prev.OK && rt.OK {
				out[rt.URL] = rt
			}
		}
	}
	return out
}

// cacheFindings reports, once each, what the evaluations' retrievals met
// in the cache folder that they could not use or write: a folder taken
// from a client may hold a corrupt or torn entry, and the report then says
// what the clients did without it.
func cacheFindings(evs ...*Evaluation) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, ev := range evs {
		for _, rt := range ev.Context.Retrievals {
			for _, p := range rt.ProblemTexts() {
				if seen[p] {
					continue
				}
				seen[p] = true
				out = append(out, Finding{ID: IDCacheProblem, Severity: Info, Detail: p, URL: rt.URL,
					Affected: "this report: the simulated clients went on without the file, as the detail says (what Windows does with such an entry is unknown)"})
			}
		}
	}
	return out
}

func parsePrincipal(pn string) (string, error) { return chain.ParsePrincipalName(pn) }

func chainResult(ch *Chain, ev *Evaluation) *ChainResult {
	cr := &ChainResult{Source: ch.Source, Subject: ch.Leaf().Subject(), SHA1: thumb(ch.Leaf()), Time: ev.Context.Time.UTC(), Result: "trusted"}
	if !ev.Policy.OK() {
		cr.Result = ev.Policy.Error.Name()
		cr.Detail = ev.Policy.Detail
	}
	if len(ev.Context.Chains) > 0 {
		for _, el := range ev.Context.Chains[0].Elements {
			cr.Chain = append(cr.Chain, el.Cert.Subject()+" ("+el.Source+")")
		}
	}
	var blocked time.Duration
	for _, rt := range ev.Context.Retrievals {
		blocked += rt.Blocked
	}
	cr.BlockSeconds = seconds(blocked)
	return cr
}

// builtCerts is the chain a client built (end certificate first), or the
// presented one when it built none.
func builtCerts(ch *Chain, ev *Evaluation) []*certs.Certificate {
	if ev != nil && len(ev.Context.Chains) > 0 && len(ev.Context.Chains[0].Elements) > 0 {
		var out []*certs.Certificate
		for _, el := range ev.Context.Chains[0].Elements {
			out = append(out, el.Cert)
		}
		return out
	}
	return ch.Certs
}

// localSources are the element sources that need no network: the server
// sent it, or the client's stores and engine cache hold it.
var localSources = []string{"end certificate", "Additional", "Engine cache", "Root", "CA", "Exclusive root"}

// issuerFindings reports a new issuer, an intermediate clients must fetch
// through AIA, and one they cannot find at all.
func issuerFindings(old, new *Chain, newEv *Evaluation) []Finding {
	var out []Finding
	ol, nl := old.Leaf(), new.Leaf()
	if !certs.NamesEqual(ol.X.RawIssuer, nl.X.RawIssuer) || !slices.Equal(akiKey(ol), akiKey(nl)) {
		out = append(out, Finding{ID: IDNewIssuer, Severity: Info,
			Detail:   "the new certificate has another issuer (name or key identifier): clients need its chain",
			Affected: "every client", Old: ol.Issuer(), New: nl.Issuer()})
	}
	cc := newEv.Context
	if len(cc.Chains) == 0 {
		return out
	}
	els := cc.Chains[0].Elements
	for i, el := range els {
		local := slices.Contains(localSources, el.Source)
		if newEv.Local != nil {
			local = newEv.Local(el.Cert)
		}
		if i == 0 || local {
			continue
		}
		var urls []string
		for _, rt := range cc.Retrievals {
			if rt.Kind == cache.KindAIA && rt.OK {
				urls = append(urls, rt.URL)
			}
		}
		out = append(out, Finding{ID: IDAIANeeded, Severity: Warning,
			Detail:   fmt.Sprintf("%s is neither sent by the server nor in the clients' stores: every client fetches it through AIA (%s) at its first connection after the swap", el.Cert.Subject(), joinComma(urls)),
			Affected: "every client without it in its CA store; clients with AIA disabled (CERT_CHAIN_DISABLE_AIA) or offline fail with CERT_E_CHAINING",
			New:      el.Cert.Subject(), URL: firstOr(urls)})
	}
	last := els[len(els)-1]
	if cc.Chains[0].TrustStatus.ErrorStatus&chain.IsPartialChain != 0 || last.TrustStatus.ErrorStatus&chain.IsPartialChain != 0 {
		var tried []string
		for _, rt := range cc.Retrievals {
			if rt.Kind == cache.KindAIA {
				tried = append(tried, rt.URL+" ("+resultWord(rt)+")")
			}
		}
		if len(tried) == 0 {
			tried = []string{"none: AIA is disabled for these clients, or the certificate has no caIssuers URL"}
		}
		out = append(out, Finding{ID: IDNewIssuer, Severity: Blocking, Result: newEv.Policy.Error.Name(),
			Detail:   fmt.Sprintf("clients cannot find the issuer of %s: it is not sent by the server, not in their stores, and not reachable by AIA (tried: %s)", last.Cert.Subject(), strings.Join(tried, ", ")),
			Affected: "every client", New: last.Cert.Issuer()})
	}
	return out
}

func akiKey(c *certs.Certificate) []byte {
	if c.AKI == nil {
		return nil
	}
	return c.AKI.KeyID
}

func firstOr(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func resultWord(rt *cache.Result) string {
	if rt.OK {
		return "ok"
	}
	return rt.ErrorText()
}

// revocationFindings reports the revocation URLs of the new chain that the
// old one did not use (no client has them cached), which of them fail from
// the clients' network, how long each blocks a client, and the CRL sizes.
//
// newEv is the first connection (nothing cached: its retrievals show what
// the network serves); fleetEv the client that validated the old chain
// before.
func revocationFindings(oldBuilt, newBuilt []*certs.Certificate, newEv, fleetEv *Evaluation) []Finding {
	var out []Finding
	oldURLs := revocationURLs(oldBuilt)
	byURL := map[string]*cache.Result{}
	var total time.Duration
	for _, rt := range newEv.Context.Retrievals {
		if rt.Kind == cache.KindAIA {
			continue
		}
		byURL[rt.URL] = rt
		total += rt.Blocked
	}
	var unreachable []string
	for _, u := range revocationURLs(newBuilt) {
		rt := byURL[u]
		if !slices.Contains(oldURLs, u) {
			cached := newEv.Cached != nil && newEv.Cached(u)
			f := Finding{ID: IDNewRevocationURL, Severity: Warning, URL: u, New: u,
				Affected: "every client, at its first connection after the swap: no client has this URL cached yet"}
			if cached {
				f.Severity = Info
				f.Affected = "clients whose cache lacks it (the given cache folder has it)"
			}
			switch {
			case rt == nil:
				f.Detail = u + " is new in the chain; the client did not fetch it (an earlier answer decided, or revocation is off)"
			case rt.OK:
				f.Detail = fmt.Sprintf("%s is new in the chain (%s, %d bytes): publish it and keep it reachable before the swap", u, rt.Kind, len(rt.Body))
				if rt.Kind != cache.KindOCSP && len(rt.Body) >= LargeCRLBytes {
					f.Detail += fmt.Sprintf("; every client downloads these %d bytes at once", len(rt.Body))
				}
			default:
				f.Detail = fmt.Sprintf("%s is new in the chain and fails from the clients' network (%s)", u, rt.ErrorText())
			}
			out = append(out, f)
		}
		if rt != nil && !rt.OK {
			unreachable = append(unreachable, u)
		}
	}
	policyOffline := newEv.Policy.Error == chain.CRYPT_E_REVOCATION_OFFLINE || newEv.Policy.Error == chain.CRYPT_E_NO_REVOCATION_CHECK
	budget := newEv.AccumulativeTimeout
	if budget <= 0 {
		budget = cache.DefaultAccumulativeTimeout
	}
	for _, u := range unreachable {
		rt := byURL[u]
		// Windows' per-URL timeout applies to each URL in turn; with
		// CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT the chain's
		// revocation retrievals share one budget (spec §3.7).
		worst := time.Duration(len(unreachable)) * rt.Timeout
		var mode string
		if newEv.Accumulative {
			mode = fmt.Sprintf("these clients set CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT: at most %s over the chain (ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds)", budget)
		} else {
			mode = fmt.Sprintf("%d failing URL(s) × the per-URL timeout = %s per connection; a client with CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT stops at %s (ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds)", len(unreachable), worst, budget)
		}
		f := Finding{ID: IDURLUnreachable, Severity: Warning, URL: u, BlockSeconds: seconds(rt.Blocked),
			Detail: fmt.Sprintf("%s fails from the clients' network (%s); each client connection blocks %s on it (per-URL timeout %s), %s over the whole chain",
				u, rt.ErrorText(), rt.Blocked.Round(time.Millisecond), rt.Timeout.Round(time.Millisecond), total.Round(time.Millisecond)),
			Affected: "every client that has no fresh copy cached, at each connection until it has one"}
		if policyOffline {
			f.Severity, f.Result = Blocking, newEv.Policy.Error.Name()
			f.Detail += "; the revocation check of the new chain fails"
			if fleetEv.Policy.OK() {
				f.Detail += " for a client with nothing cached; clients that validated the old chain pass on what they cached from it until that expires, then fail too"
			}
		}
		f.Detail += "; " + mode
		out = append(out, f)
	}
	return out
}

// revertFindings judges the revert: the old certificate revoked by then
// makes it fail, as does anything else that makes the old chain fail then.
// revEv is the client that lived through the swap (it may still hold a CRL
// from before the revocation), freshEv one with nothing cached.
func revertFindings(old *Chain, revEv, freshEv *Evaluation, at time.Time) []Finding {
	revoked := func(ev *Evaluation) *chain.RevocationInfo {
		cc := ev.Context
		if len(cc.Chains) > 0 && len(cc.Chains[0].Elements) > 0 {
			if rv := cc.Chains[0].Elements[0].Revocation; rv != nil && rv.Result == "revoked" {
				return rv
			}
		}
		return nil
	}
	for _, ev := range []*Evaluation{revEv, freshEv} {
		rv := revoked(ev)
		if rv == nil {
			continue
		}
		f := Finding{ID: IDOldRevoked, Severity: Blocking, Result: ev.Policy.Error.Name(),
			Detail:   fmt.Sprintf("the old certificate %s is revoked (%s, at %s): reverting to it at %s fails", thumb(old.Leaf()), rv.URL, rv.RevocationTime.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)),
			Affected: "every client, at the revert: the fallback is gone",
			Old:      thumb(old.Leaf()), URL: rv.URL}
		if ev == freshEv && revEv.Policy.OK() {
			f.Affected = "every client that fetches the CRL or OCSP answer after the revocation (new clients, flushed caches, and every client once its cached copy expires): the fallback is gone"
		}
		return []Finding{f}
	}
	if !revEv.Policy.OK() && revEv.Policy.Error != chain.CRYPT_E_REVOKED {
		return []Finding{{ID: IDRevert, Severity: Warning, Result: revEv.Policy.Error.Name(),
			Detail:   fmt.Sprintf("reverting to the old chain at %s fails too: %s", at.UTC().Format(time.RFC3339), revEv.Policy.Detail),
			Affected: "every client, at the revert", Old: thumb(old.Leaf())}}
	}
	return nil
}

// unexplained adds the new chain's policy error when no finding carries it.
// newEv is the client that validated the old chain first, freshEv one
// with nothing cached.
func unexplained(newEv, freshEv *Evaluation, fs []Finding) []Finding {
	affected := "every client, from the swap on"
	if newEv.Policy.OK() {
		if freshEv.Policy.OK() {
			return nil
		}
		newEv = freshEv
		affected = "clients connecting for the first time or after their URL cache was flushed (certutil -urlcache * delete), from the swap on"
	}
	name := newEv.Policy.Error.Name()
	for _, f := range fs {
		if f.Severity == Blocking && f.Result == name {
			return nil
		}
	}
	return []Finding{{ID: IDNewChain, Severity: Blocking, Result: name,
		Detail:   "the new chain fails: " + newEv.Policy.Detail,
		Affected: affected}}
}

// steps turns the findings into what to do first, in order: what must be
// fixed before the swap (the certificate itself, then the names, then what
// clients need to build and check the chain), then the revert plan.
func steps(fs []Finding, new *Chain, oldBuilt []*certs.Certificate, o *Options, minRSABits uint32) []string {
	has := func(id string, sev ...Severity) []Finding {
		var out []Finding
		for _, f := range fs {
			if f.ID == id && (len(sev) == 0 || slices.Contains(sev, f.Severity)) {
				out = append(out, f)
			}
		}
		return out
	}
	var out []string
	if f := has(IDWeakCrypto, Blocking); len(f) > 0 {
		rsaBits := uint32(StrongRSABits)
		if minRSABits > rsaBits && minRSABits != certs.MinRSAPubKeyBitLengthDisabled {
			rsaBits = minRSABits
		}
		out = append(out, fmt.Sprintf("Reissue the new certificate with a strong signature (SHA-256 or better, RSA %d+ or ECDSA P-256): Windows refuses it as it is (TRUST_E_CERT_SIGNATURE).", rsaBits))
	}
	if f := has(IDEKU, Blocking); len(f) > 0 {
		out = append(out, "Reissue the new certificate with the serverAuth EKU (1.3.6.1.5.5.7.3.1).")
	}
	if len(has(IDNotYetValid)) > 0 {
		out = append(out, fmt.Sprintf("Swap no earlier than %s (the new NotBefore plus %s of client clock skew), or reissue with an earlier NotBefore.",
			new.Leaf().X.NotBefore.Add(o.ClockSkew).UTC().Format(time.RFC3339), o.ClockSkew))
	}
	if len(has(IDNameMismatch)) > 0 {
		out = append(out, fmt.Sprintf("Reissue the new certificate with %s in its subjectAltName: clients connect to that name.", o.ServerName))
	}
	for _, f := range has(IDPrincipalName, Blocking) {
		name, _ := parsePrincipal(f.Name)
		out = append(out, fmt.Sprintf("Check the principal names: keep %s in the new certificate's subjectAltName, or move the Outlook profiles that require %s to a name the new certificate has (Set-OutlookProvider EXPR -CertPrincipalName msstd:NAME, which Autodiscover hands to the profiles) before the swap.", name, f.Name))
	}
	if f := has(IDNewIssuer, Blocking); len(f) > 0 {
		out = append(out, "Send the intermediate with the server certificate, or add it to the clients' CA store (certutil -addstore CA, or Group Policy), before the swap.")
	} else if f := has(IDAIANeeded); len(f) > 0 {
		out = append(out, fmt.Sprintf("Add the intermediate %s to the clients' CA store (certutil -addstore CA, or Group Policy) or send it with the server certificate, so no client depends on the AIA fetch at the swap.", f[0].New))
	}
	var newURLs, badURLs []string
	for _, f := range has(IDNewRevocationURL) {
		newURLs = append(newURLs, f.URL)
	}
	for _, f := range has(IDURLUnreachable) {
		badURLs = append(badURLs, f.URL)
	}
	if len(badURLs) > 0 {
		out = append(out, "Make "+strings.Join(badURLs, ", ")+" reachable from the clients' network before the swap: each failing URL blocks a client connection for its timeout.")
	}
	if len(newURLs) > 0 {
		out = append(out, "Publish the new CRL/OCSP at "+strings.Join(newURLs, ", ")+" and pre-fetch it on clients (certutil -urlcache URL, or CrlPreFetch\\PreFetchUrlList) before the swap.")
	}
	if old := revocationURLs(oldBuilt); len(old) > 0 {
		out = append(out, "Keep the old certificate's CRL and OCSP URLs serving: a revert needs them.")
	}
	if len(has(IDOldRevoked)) > 0 {
		out = append(out, "Do not revoke the old certificate before the new one has run cleanly: it is revoked by the revert time, so the revert fails; have a second good certificate ready instead.")
	}
	if len(has(IDSessionReset)) > 0 {
		out = append(out, "Plan the revert as a second swap: every client does a full handshake at the swap and again at the revert, so the CRL/OCSP/AIA load peaks twice; swap outside peak hours and rehearse it with `winchain simulate` (--scenario).")
	}
	return out
}
