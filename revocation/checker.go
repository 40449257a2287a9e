package revocation

// # How a check runs
//
// [Checker.Check] answers for one certificate and its issuer, the way the
// Windows revocation provider does (spec §3):
//
//  1. Local CRLs first: CRLs from the stores (Request.StoreCRLs, matched by
//     issuer, spec §3.2) and CRLs this process already validated for the
//     issuer. A fresh, usable one decides at once — winchain's reading of
//     the "second circumstance" in which Windows prefers CRLs (a valid CRL
//     is already cached; spec §3.2, UNCONFIRMED).
//  2. OCSP (the AIA id-ad-ocsp URLs, GET with the base64 request, spec
//     §3.4), then the CDP URLs in order (memory, disk, network through the
//     cache.Retriever). When more than CryptnetCachedOcspSwitchToCrlCount
//     responses are cached for the issuer the CRL goes first and OCSP
//     follows only within CryptnetMaxCachedOcspPerCrlCount.
//  3. When one method fails (offline, timeout, HTTP error, bad signature,
//     stale), the other is tried (spec §11.2 RevocationCheckingTimeoutFallbackToOther).
//  4. Stale data still proves "revoked"; a stale "good" is Offline, unless
//     the CRL is within CRLValidityExtensionPeriod past its nextUpdate
//     (ValidityExtended). No CDP and no OCSP URL is NoCheck.
//
// Freshness is judged at Request.Now (the machine clock); whether a listed
// certificate counts as revoked at Request.Time (pTime): an entry whose
// revocation date is after pTime does not count (spec §1.1).

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// Checker is one client's revocation provider. It implements the chain
// engine's RevocationChecker. It remembers, like a Windows process does,
// the CRLs it has parsed (indexed once each), the CRLs it validated per
// issuer, and how many OCSP responses it cached per issuer. A Checker is
// safe for concurrent use; create a new one to model a process restart.
type Checker struct {
	cfg  Config
	r    *cache.Retriever
	docs *docCache

	mu        sync.Mutex
	byIssuer  map[[32]byte]*crlDoc         // newest validated CRL per issuer
	ocspCount map[[32]byte]map[string]bool // cached OCSP responses per issuer, by serial
}

// NewChecker returns a Checker for cfg, with the Windows defaults filled in.
// The only error is [ErrNoRetriever].
func NewChecker(cfg Config) (*Checker, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Checker{
		cfg:       cfg,
		r:         cfg.Retriever,
		docs:      cfg.docCache(),
		byIssuer:  map[[32]byte]*crlDoc{},
		ocspCount: map[[32]byte]map[string]bool{},
	}, nil
}

// Config returns the effective configuration.
func (c *Checker) Config() Config { return c.cfg }

// CachedOCSPCount returns how many OCSP responses this checker has cached
// for issuer (the count the switch-to-CRL rule compares).
func (c *Checker) CachedOCSPCount(issuer *certs.Certificate) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ocspCount[issuerKey(issuer)])
}

// Check checks cert, issued by issuer (the certificate itself for a
// self-signed root), as req asks. It never returns nil; Result.Err is set
// only for a nil certificate or issuer.
func (c *Checker) Check(ctx context.Context, cert, issuer *certs.Certificate, req *Request) *Result {
	if cert == nil || cert.X == nil || issuer == nil || issuer.X == nil {
		return &Result{Status: Unknown, Detail: ErrNilCertificate.Error(), Err: ErrNilCertificate}
	}
	if req == nil {
		req = &Request{}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ck := &check{
		c: c, ctx: ctx, cert: cert, issuer: issuer, req: req,
		now:     req.Now,
		res:     &Result{},
		serial:  certs.SerialBytes(cert.X.SerialNumber),
		isCA:    cert.X.BasicConstraintsValid && cert.X.IsCA,
		key:     issuerKey(issuer),
		spkiSum: sha256.Sum256(issuer.X.RawSubjectPublicKeyInfo),
	}
	if ck.now.IsZero() {
		ck.now = req.Time
	}
	ck.issuerKey, ck.issuerKeyErr = certs.SigningKey(issuer, req.InheritedDSAParameters)
	ck.parsePointers()
	return ck.run()
}

func issuerKey(issuer *certs.Certificate) [32]byte {
	h := sha256.New()
	h.Write(issuer.X.RawSubject)
	h.Write(issuer.X.RawSubjectPublicKeyInfo)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// check is the state of one Check call.
type check struct {
	c            *Checker
	ctx          context.Context
	cert, issuer *certs.Certificate
	req          *Request
	now          time.Time
	res          *Result

	serial  []byte
	isCA    bool
	key     [32]byte
	spkiSum [32]byte
	// issuerKey verifies the issuer's CRLs and OCSP responses
	// (certs.SigningKey); issuerKeyErr says why there is none.
	issuerKey    crypto.PublicKey
	issuerKeyErr error

	cdp          []certs.DistributionPoint
	cdpPresent   bool
	freshestCert []certs.DistributionPoint
	ocspURLs     []string

	done    bool // res holds a conclusive answer (Good or Revoked)
	covered uint16
	sawCRL  bool // some CRL of the issuer was found (usable or not)
	details []string
	stale   *staleCRL // best stale "good" CRL, for the extension period
}

// staleCRL is a usable CRL that is past its nextUpdate and does not list
// the certificate.
type staleCRL struct {
	doc       *crlDoc
	url, from string
}

func (ck *check) note(format string, args ...any) {
	ck.details = append(ck.details, fmt.Sprintf(format, args...))
}

func (ck *check) log(r *cache.Result) {
	if r != nil {
		ck.res.Retrievals = append(ck.res.Retrievals, r)
	}
}

func (ck *check) parsePointers() {
	for _, ext := range ck.cert.X.Extensions {
		switch {
		case ext.Id.Equal(oidCRLDistributionPoints):
			ck.cdpPresent = true
			dps, err := certs.ParseDistributionPoints(ext.Value)
			if err != nil {
				ck.note("CRL distribution points extension does not parse")
				continue
			}
			ck.cdp = dps
		case ext.Id.Equal(oidFreshestCRL):
			if dps, err := certs.ParseDistributionPoints(ext.Value); err == nil {
				ck.freshestCert = dps
			}
		}
	}
	if !ck.cdpPresent && len(ck.cert.X.CRLDistributionPoints) > 0 {
		ck.cdpPresent = true
	}
	ck.ocspURLs = ck.cert.X.OCSPServer
}

// cdpURLs lists the CDP URIs in order. Distribution points that name a
// separate cRLIssuer are skipped: Windows does not support indirect CRLs
// (spec §3.3).
func (ck *check) cdpURLs() []string {
	var out []string
	if ck.cdp == nil {
		return ck.cert.X.CRLDistributionPoints
	}
	for i := range ck.cdp {
		if ck.cdp[i].CRLIssuer != nil && !ck.namesIssuer(ck.cdp[i].CRLIssuer) {
			ck.note("distribution point with a separate cRLIssuer ignored (indirect CRLs are not supported, spec §3.3)")
			continue
		}
		out = append(out, ck.cdp[i].URIs()...)
	}
	return out
}

func (ck *check) namesIssuer(gns []certs.GeneralName) bool {
	if ck.issuer == nil {
		return false // PlanFor without an issuer
	}
	for _, g := range gns {
		if g.Type == certs.NameDirectory && certs.NamesEqual(g.Raw, ck.issuer.X.RawSubject) {
			return true
		}
	}
	return false
}

func (ck *check) options() cache.Options {
	return cache.Options{
		CacheOnly:    ck.req.CacheOnly,
		Timeout:      ck.req.Timeout,
		Budget:       ck.req.Budget,
		OfflineCheck: true,
		ResyncBefore: ck.req.CacheResync,
	}
}

func (ck *check) run() *Result {
	ck.localCRLs()
	if ck.done {
		return ck.finish()
	}
	ocspFirst, ocspAfter := ck.c.order(ck.key)
	if ck.req.OCSPSigner {
		// A responder's own certificate is checked with CRLs only.
		ocspFirst, ocspAfter = false, false
	}
	if ocspFirst {
		ck.ocsp()
	}
	if !ck.done {
		ck.crlURLs()
	}
	if !ck.done && !ocspFirst && ocspAfter {
		ck.ocsp()
	}
	return ck.finish()
}

// order applies the switch-to-CRL rule (spec §3.2): OCSP first while at most
// CryptnetCachedOcspSwitchToCrlCount responses are cached for the issuer;
// then CRL first, with OCSP after it while the count stays within
// CryptnetMaxCachedOcspPerCrlCount.
func (c *Checker) order(key [32]byte) (ocspFirst, ocspAfter bool) {
	c.mu.Lock()
	n := uint32(len(c.ocspCount[key]))
	c.mu.Unlock()
	sw, maxN := c.cfg.CachedOcspSwitchToCrlCount, c.cfg.MaxCachedOcspPerCrlCount
	if sw != CRLBeforeOCSPEnable && n <= sw {
		return true, false
	}
	return false, maxN != OCSPAfterCRLDisable && n <= maxN
}

// countOCSP records an OCSP response cached from the wire for the issuer.
func (c *Checker) countOCSP(key [32]byte, serial []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.ocspCount[key]
	if m == nil {
		m = map[string]bool{}
		c.ocspCount[key] = m
	}
	// Bounded: beyond the larger threshold the exact count no longer
	// matters.
	if len(m) <= maxCount(c.cfg.CachedOcspSwitchToCrlCount, c.cfg.MaxCachedOcspPerCrlCount) {
		m[string(serial)] = true
	}
}

// maxCount is the largest count either threshold compares against
// (0xFFFFFFFF values excluded), bounded so the per-issuer set stays small.
func maxCount(switchCount, maxCached uint32) int {
	const limit = 1 << 20
	m := uint32(0)
	if switchCount != CRLBeforeOCSPEnable {
		m = switchCount
	}
	if maxCached != OCSPAfterCRLDisable && maxCached > m {
		m = maxCached
	}
	if m > limit {
		m = limit
	}
	return int(m)
}

// finish turns what was found into the Result.
func (ck *check) finish() *Result {
	res := ck.res
	if ck.done {
		// Keep the evidence of what was tried before the deciding answer
		// (an OCSP answer refused, a URL that failed).
		if res.Detail == "" && len(ck.details) > 0 {
			res.Detail = strings.Join(ck.details, "; ")
		}
		return res
	}
	if s := ck.stale; s != nil && !ck.c.cfg.DisableCRLValidityExtension &&
		ck.now.Before(s.doc.nextUpdate.Add(ck.c.cfg.CRLValidityExtensionPeriod)) {
		ck.fillCRL(s.doc, s.url, s.from)
		res.Status = Good
		res.ValidityExtended = true
		res.Detail = fmt.Sprintf("CRL used %s past its nextUpdate, within CRLValidityExtensionPeriod (%s)",
			ck.now.Sub(s.doc.nextUpdate), ck.c.cfg.CRLValidityExtensionPeriod)
		return res
	}
	if !ck.cdpPresent && len(ck.ocspURLs) == 0 && !ck.sawCRL {
		res.Status = NoCheck
		res.Detail = "the certificate has no CRL distribution point and no OCSP URL"
		return res
	}
	res.Status = Offline
	if s := ck.stale; s != nil {
		ck.fillCRL(s.doc, s.url, s.from)
		res.HasFreshness, res.FreshnessTime = false, 0
	}
	if len(ck.details) == 0 {
		ck.note("no usable revocation information")
	}
	res.Detail = strings.Join(ck.details, "; ")
	return res
}

func (ck *check) fillCRL(d *crlDoc, url, from string) {
	r := ck.res
	r.Source, r.URL, r.From = "crl", url, from
	r.ThisUpdate, r.NextUpdate = d.thisUpdate, d.nextUpdate
	r.FreshnessTime = ck.now.Sub(d.thisUpdate)
	if r.FreshnessTime < 0 {
		r.FreshnessTime = 0
	}
	r.HasFreshness = true
}

// revokedAt says whether an entry counts at pTime: entries dated after it
// do not (spec §1.1).
func (ck *check) counts(e entry) bool {
	return ck.req.Time.IsZero() || !e.revoked.After(ck.req.Time)
}

func (ck *check) setRevoked(e entry) {
	ck.res.Status = Revoked
	ck.res.RevocationTime = e.revoked
	ck.res.Reason = e.reason
	if e.reason < 0 {
		ck.res.Reason = 0
	}
	ck.done = true
}

func fromString(f cache.From) string { return string(f) }

// sameKey reports whether a and b carry the same public key.
func sameKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}
