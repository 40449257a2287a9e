package capi2

import (
	"context"
	"crypto"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

// MaxCertsDirFiles bounds the files LoadCertsDir reads: a folder of
// certificates exported for one investigation holds tens of files.
const MaxCertsDirFiles = 10000

// maxCertsDirFiles is MaxCertsDirFiles, lowered by tests.
var maxCertsDirFiles = MaxCertsDirFiles

// RealObjects are real certificates, CRLs and OCSP responses for a replay, by
// the SHA-1 of their DER (upper-case hex), as event fileRefs name them.
type RealObjects struct {
	Certs map[string]*certs.Certificate
	CRLs  map[string][]byte
	OCSP  map[string][]byte
}

// LoadCertsDir reads every certificate (.cer, .crt, .pem, .der), CRL (.crl)
// and OCSP response (.bin) of dir, keyed by SHA-1 thumbprint: files named
// "<SHA1>.cer" as fileRef names them, or any name.
func LoadCertsDir(dir string) (*RealObjects, error) {
	ro := &RealObjects{Certs: map[string]*certs.Certificate{}, CRLs: map[string][]byte{}, OCSP: map[string][]byte{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--certs %s: %w", dir, err)
	}
	if len(entries) > maxCertsDirFiles {
		return nil, fmt.Errorf("--certs %s: %d files, more than the %d read", dir, len(entries), maxCertsDirFiles)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".cer", ".crt", ".pem", ".der":
			cs, err := certs.LoadFile(path)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				ro.Certs[c.Thumbprint()] = c
			}
		case ".crl":
			crls, err := certs.LoadCRLFile(path)
			if err != nil {
				return nil, err
			}
			for _, c := range crls {
				ro.CRLs[thumb(c.Raw)] = c.Raw
			}
		case ".bin":
			b, err := certs.ReadFile(path)
			if err != nil {
				return nil, err
			}
			ro.OCSP[thumb(b)] = b
		}
	}
	return ro, nil
}

func thumb(der []byte) string {
	h := sha1.Sum(der)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// ReplayOptions are the inputs of [Operation.Replay] beyond the log. The
// zero value replays with look-alike certificates only.
type ReplayOptions struct {
	// Real holds real certificates, CRLs and OCSP responses (--certs DIR);
	// nil means none.
	Real *RealObjects
	// Registry holds the client's registry values; the zero value is the
	// Windows defaults.
	Registry client.Registry
}

// Replay is the result of replaying one operation.
type Replay struct {
	// Winchain is winchain's result in the shape of Windows' (nil when the
	// operation could not be replayed).
	Winchain *Outcome
	// Result is the client's full result.
	Result *client.Result
	// Agree is true when every compared field matches; Differences lists
	// those that do not.
	Agree       bool
	Differences []string
	// Notes say what could not be rebuilt as Windows had it.
	Notes []string
}

// errNotReplayable marks an operation without what a replay needs.
type errNotReplayable struct{ why string }

func (e *errNotReplayable) Error() string { return e.why }

// rebuild is one operation's inputs as winchain needs them.
type rebuild struct {
	op       *Operation
	objs     *ObjectIndex
	els      []Element
	certs    []*certs.Certificate // by element
	keys     []crypto.Signer      // look-alike keys by element (nil for real)
	real     bool
	realObjs *RealObjects
	notes    []string
	when     time.Time
	urls     []urlSet
	network  *netsim.Network
	folder   *urlcache.Folder
	clock    *clock.Manual
	placed   map[string]bool
	warm     []warmFetch         // memory-cache objects fetched before the operation
	aia      map[string]aiaFetch // issuer certificates Windows fetched (AIA), by fileRef
}

func (rb *rebuild) notef(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, n := range rb.notes {
		if n == s {
			return
		}
	}
	rb.notes = append(rb.notes, s)
}

// Replay rebuilds the inputs of a chain-building operation — certificates
// (real ones from opt.Real by thumbprint, else look-alikes generated from
// event 90), stores as Windows had them, CRLs and OCSP responses placed
// where the log says Windows found them, the network as event 53 says it
// answered, the flags and times of the call — runs them through one
// simulated client and compares its result with Windows' element by
// element. An operation that builds no chain, or lacks what a replay
// needs, returns a Replay with Notes and no Winchain result.
func (op *Operation) Replay(ctx context.Context, opt ReplayOptions) (*Replay, error) {
	rb, err := op.newRebuild(opt)
	if err != nil {
		if nr, ok := err.(*errNotReplayable); ok {
			return &Replay{Notes: []string{nr.why}}, nil
		}
		return nil, err
	}
	cfg := client.Config{Clock: rb.clock, Network: rb.network, CacheFolder: rb.folder, Registry: opt.Registry}
	params, vo := rb.stores(&cfg)
	if err := rb.placeRevocation(); err != nil {
		return nil, err
	}
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := rb.warmUp(ctx, c); err != nil {
		return nil, err
	}
	vo.Params = params
	res, err := c.Verify(ctx, rb.certs[0], vo)
	if err != nil {
		return nil, err
	}
	out := outcomeOf(res)
	rp := &Replay{Winchain: out, Result: res, Notes: rb.notes}
	rp.Differences = compare(op.windowsOutcome(), out, rb.real)
	rp.Agree = len(rp.Differences) == 0
	return rp, nil
}

func (op *Operation) newRebuild(opt ReplayOptions) (*rebuild, error) {
	ch := op.Chain()
	if ch == nil {
		return nil, &errNotReplayable{"not a chain build (no event 11): nothing to replay"}
	}
	if len(ch.Chain.Chains) == 0 || len(ch.Chain.Chains[0].Elements) == 0 {
		return nil, &errNotReplayable{"event 11 lists no chain elements: nothing to replay"}
	}
	rb := &rebuild{op: op, objs: op.Objects(), els: ch.Chain.Chains[0].Elements, when: op.Time(), placed: map[string]bool{}}
	if rb.when.IsZero() {
		return nil, &errNotReplayable{"the log gives no time for the operation: not replayed"}
	}
	rb.clock = clock.NewManual(rb.when)
	rb.network = netsim.New(rb.clock)
	// Bounded as the replay client's Retriever bounds a folder on disk.
	folder, err := urlcache.OpenFS(urlcache.NewMemFS(), client.Config{Registry: opt.Registry}.CacheFolderOptions())
	if err != nil {
		return nil, err
	}
	rb.folder = folder
	rb.certs = make([]*certs.Certificate, len(rb.els))
	rb.keys = make([]crypto.Signer, len(rb.els))
	rb.urls = make([]urlSet, len(rb.els))
	rb.aia = op.aiaFetches()
	rb.real, rb.realObjs = opt.Real != nil, opt.Real
	if rb.real {
		for i, el := range rb.els {
			if rb.certs[i] = opt.Real.Certs[el.Cert.SHA1]; rb.certs[i] == nil {
				rb.real = false
			}
		}
		if !rb.real {
			rb.notef("--certs does not hold every certificate of the chain: all are replayed as look-alikes (a real certificate cannot sign or be signed by a generated one)")
		}
	}
	if !rb.real {
		if err := rb.lookAlikes(); err != nil {
			return nil, err
		}
	}
	return rb, nil
}

// lookAlikes generates the chain from the top down.
func (rb *rebuild) lookAlikes() error {
	for i := range rb.els {
		rb.urls[i] = rb.op.urlsFor(rb.els[i].Cert.FileRef)
		if r := rb.els[i].Revocation; r != nil && r.Object != nil && len(rb.urls[i].crl) == 0 && len(rb.urls[i].ocsp) == 0 {
			// The log names the object Windows used but not its URL (found
			// in memory without a lookup event): point at a made-up one.
			u := "http://capi2-replay.invalid/" + r.Object.FileRef
			if r.Object.Kind == "ocsp" {
				rb.urls[i].ocsp = []string{"http://capi2-replay.invalid/ocsp"}
			} else {
				rb.urls[i].crl = []string{u}
			}
			rb.notef("%s: the log does not say where its %s came from; the look-alike points at %s", rb.els[i].Cert.Subject, kindWords(r.Object.Kind), u)
		}
	}
	for i := 0; i+1 < len(rb.els); i++ {
		if f, ok := rb.aia[rb.els[i+1].Cert.FileRef]; ok {
			rb.urls[i].issuers = []string{f.url}
		}
	}
	var issuer *lookAlike
	for i := len(rb.els) - 1; i >= 0; i-- {
		info := rb.objs.Certs[rb.els[i].Cert.FileRef]
		if info == nil {
			return &errNotReplayable{fmt.Sprintf("element %d (%s) has no event 90 description and no file in --certs: not replayed", i, rb.els[i].Cert.Subject)}
		}
		var parent *lookAlike
		if i < len(rb.els)-1 || !namesEqualRDN(info.Subject, info.Issuer) {
			parent = issuer
		}
		la, err := makeLookAlike(info, parent, rb.urls[i], rb.notef)
		if err != nil {
			return err
		}
		rb.certs[i], rb.keys[i] = la.cert, la.key
		issuer = la
	}
	return nil
}

// urlsFor collects the URLs the log shows for a certificate's revocation
// check: CRL and OCSP URLs of its 40…41 window.
func (op *Operation) urlsFor(fileRef string) urlSet {
	var u urlSet
	seen := map[string]bool{}
	add := func(list *[]string, url string) {
		if url != "" && !seen[url] {
			seen[url] = true
			*list = append(*list, url)
		}
	}
	window := op.eventsFor(fileRef)
	if len(window) == len(op.Events) {
		return u // no revocation window for this certificate
	}
	for _, e := range window {
		switch {
		case e.Retrieval != nil:
			switch e.Retrieval.Kind() {
			case "crl":
				add(&u.crl, e.Retrieval.URL)
			case "ocsp":
				add(&u.ocsp, ocspBase(e.Retrieval.URL))
			}
		case e.Rejected != nil && e.Rejected.Object != nil && e.Rejected.Object.Kind == "crl":
			add(&u.crl, e.Rejected.Object.URL)
		case e.Revocation != nil && e.Revocation.Object != nil:
			if e.Revocation.Object.Kind == "crl" {
				add(&u.crl, e.Revocation.Object.URL)
			} else {
				add(&u.ocsp, ocspBase(e.Revocation.Object.URL))
			}
		}
	}
	return u
}

// ocspBase strips the request of an OCSP GET URL: the last path segment
// when it is the base64 of a DER request (a SEQUENCE: "M…", at least 40
// characters, "/" escaped as %2F); a URL without one is the base.
func ocspBase(u string) string {
	i := strings.LastIndexByte(u, '/')
	if i < len("http://") {
		return u
	}
	if rem := u[i+1:]; strings.HasPrefix(rem, "M") && len(rem) >= minOCSPRequestB64 {
		return u[:i+1]
	}
	return u
}

// minOCSPRequestB64 is the shortest base64 OCSP request: a SHA-1 CertID
// alone is 67 DER bytes, 92 base64 characters; 40 keeps any real request
// and no path segment a responder base is likely to have.
const minOCSPRequestB64 = 40

// aiaFetch is an issuer certificate the log shows retrieved through AIA.
type aiaFetch struct {
	url      string
	wire     bool
	lastSync time.Time
}

// aiaFetches maps the fileRef of each certificate an AIA retrieval (51 or
// 53 of an issuer-certificate URL) returned to that retrieval.
func (op *Operation) aiaFetches() map[string]aiaFetch {
	m := map[string]aiaFetch{}
	for _, e := range op.Events {
		r := e.Retrieval
		if r == nil || (e.ID != EventCache && e.ID != EventWire) || !e.Result.OK() || r.Kind() != "aia" {
			continue
		}
		for _, o := range r.Retrieved {
			if o.Kind != "cert" || o.FileRef == "" {
				continue
			}
			f := aiaFetch{url: r.URL, wire: r.Wire}
			if r.Cache != nil {
				f.lastSync = r.Cache.LastSync
			}
			m[o.FileRef] = f
		}
	}
	return m
}

// aiaPlaced puts element i, fetched by Windows through AIA, where Windows
// found it: on the network (53) or in the URL cache (51). It reports false
// when element i was not fetched that way.
func (rb *rebuild) aiaPlaced(i int) bool {
	f, ok := rb.aia[rb.els[i].Cert.FileRef]
	if !ok {
		return false
	}
	if i == 0 || !rb.hasAIA(i-1, f.url) {
		return false // the certificate below does not point there: keep it local
	}
	der := rb.certs[i].X.Raw
	if f.wire {
		rb.network.Serve(f.url, der)
		return true
	}
	sync := f.lastSync
	if sync.IsZero() || !sync.Before(rb.when) {
		sync = rb.when.Add(-time.Minute)
	}
	if err := rb.folder.Put(urlcache.URLName(f.url), urlcache.NewMetaData(f.url, len(der), sync, ""), der); err != nil {
		rb.notef("%s: cannot be put in the URL cache (%v): kept in the CA store", rb.els[i].Cert.Subject, err)
		return false
	}
	return true
}

// hasAIA reports whether element i's certificate names url as caIssuers.
func (rb *rebuild) hasAIA(i int, url string) bool {
	for _, u := range rb.certs[i].X.IssuingCertificateURL {
		if u == url {
			return true
		}
	}
	return false
}

// stores fills the client's stores and the call's parameters: the end
// certificate and AdditionalStore as listed, a root Windows trusted in
// Root, the other issuers in CA, distrusted ones in Disallowed.
func (rb *rebuild) stores(cfg *client.Config) (chain.Params, client.VerifyOptions) {
	ch := rb.op.Chain().Chain
	byThumb := map[string]*certs.Certificate{}
	for i, el := range rb.els {
		byThumb[el.Cert.SHA1] = rb.certs[i]
	}
	add := chain.NewStore("Additional")
	listed := map[*certs.Certificate]bool{}
	for _, a := range ch.Additional {
		if c := byThumb[a.SHA1]; c != nil {
			add.Add(c)
			listed[c] = true
		} else {
			rb.notef("AdditionalStore certificate %s is not in the chain Windows built: not rebuilt", a.Subject)
		}
	}
	cfg.Root, cfg.CA, cfg.Disallowed = chain.NewStore("Root"), chain.NewStore("CA"), chain.NewStore("Disallowed")
	top := len(rb.els) - 1
	for i := 1; i < len(rb.els); i++ {
		el, c := rb.els[i], rb.certs[i]
		if el.TrustStatus.ErrorStatus&chain.IsExplicitDistrust != 0 {
			cfg.Disallowed.Add(c)
		}
		switch {
		case i == top && el.TrustStatus.InfoStatus&chain.IsSelfSigned != 0 && el.TrustStatus.ErrorStatus&chain.IsUntrustedRoot == 0:
			cfg.Root.Add(c)
		case listed[c]:
		case rb.aiaPlaced(i):
			// Fetched through AIA: not in a local store, served where
			// Windows found it.
		default:
			cfg.CA.Add(c)
		}
	}
	if rb.els[0].TrustStatus.ErrorStatus&chain.IsExplicitDistrust != 0 {
		cfg.Disallowed.Add(rb.certs[0])
	}
	p := chain.Params{Time: rb.when, Additional: add, Flags: chain.Flags(ch.Flags.Value)}
	for _, u := range ch.Usage {
		p.Usage = append(p.Usage, u.OID)
	}
	if ch.UsageOr {
		p.UsageMatch = chain.UsageMatchOr
	}
	for _, e := range rb.op.Events {
		if e.Revocation != nil && e.Revocation.URLTimeout.Set && e.Revocation.URLTimeout.D > 0 {
			p.URLRetrievalTimeout = e.Revocation.URLTimeout.D
		}
	}
	vo := client.VerifyOptions{Policy: chain.PolicyBase}
	if pe := rb.op.Policy(); pe != nil {
		pc := pe.Policy
		switch pc.Policy {
		case "CERT_CHAIN_POLICY_SSL":
			vo.Policy = chain.PolicySSL
		case "CERT_CHAIN_POLICY_BASIC_CONSTRAINTS":
			vo.Policy = chain.PolicyBasicConstraints
		case "CERT_CHAIN_POLICY_BASE", "":
		default:
			rb.notef("policy %s is not emulated: the replay checks the BASE policy", pc.Policy)
		}
		vo.PolicyPara = chain.PolicyPara{Flags: chain.PolicyFlags(pc.Flags.Value), ServerName: pc.ServerName,
			SSLChecks: chain.SSLChecks(pc.IgnoreFlags.Value)}
		if strings.EqualFold(pc.AuthType, "client") {
			vo.PolicyPara.AuthType = chain.AuthClient
		}
	}
	return p, vo
}
