package revocation

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// crlOutcome is what one CRL (with its delta) says about the certificate.
type crlOutcome int

const (
	crlNotUsable crlOutcome = iota // wrong issuer, bad signature, out of scope…
	crlGood                        // fresh, not listed
	crlRevoked                     // listed (fresh or stale)
	crlStale                       // usable but stale (or too old for FreshnessTime), not listed
)

// localCRLs consults the CRLs in the stores, then the CRL this process last
// validated for the issuer (spec §3.2: a CRL is matched by issuer, not only
// by URL).
func (ck *check) localCRLs() {
	for _, crl := range ck.req.StoreCRLs {
		if crl == nil || !ck.namesCertIssuer(crl.RawIssuer) {
			continue
		}
		d, err := ck.c.docs.getStore(crl)
		if err != nil {
			ck.note("store CRL does not parse: %v", err)
			continue
		}
		if d.isDelta {
			continue // deltas are used only beside a base CRL
		}
		ck.sawCRL = true
		ck.consider(d, "", "store")
		if ck.done {
			return
		}
	}
	if !ck.req.CacheResync.IsZero() {
		return // pftCacheResync: do not trust what this process holds
	}
	ck.c.mu.Lock()
	d := ck.c.byIssuer[ck.key]
	ck.c.mu.Unlock()
	if d != nil {
		ck.consider(d, "", "memory")
	}
}

// crlURLs tries the CDP URLs in order through the Retriever.
func (ck *check) crlURLs() {
	for _, url := range ck.cdpURLs() {
		r, err := ck.c.r.Retrieve(ck.ctx, url, cache.KindCRL, ck.options())
		ck.log(r)
		if err != nil {
			ck.note("CRL %s: %s", url, describe(r, err))
			// A stale cached copy cannot say "good" but can still prove
			// "revoked" (spec §11.2).
			if lr, lerr := ck.c.r.Lookup(url); lerr == nil && lr.OK {
				ck.log(lr)
				ck.considerBody(lr.Body, url, fromString(lr.From))
				if ck.done {
					return
				}
			}
			continue
		}
		out := ck.considerBody(r.Body, url, fromString(r.From))
		if ck.done {
			return
		}
		if out == crlStale && r.From != cache.FromNetwork && !ck.req.CacheOnly {
			// The cached copy is stale for us (or older than
			// dwRevocationFreshnessTime): go to the wire.
			opts := ck.options()
			opts.WireOnly = true
			r2, err2 := ck.c.r.Retrieve(ck.ctx, url, cache.KindCRL, opts)
			ck.log(r2)
			if err2 != nil {
				ck.note("CRL %s refetch: %s", url, describe(r2, err2))
				continue
			}
			ck.considerBody(r2.Body, url, fromString(r2.From))
			if ck.done {
				return
			}
		}
	}
}

func describe(r *cache.Result, err error) string {
	if r != nil && r.Err != nil {
		if reason := cache.ReasonOf(r.Err); reason != "" {
			if reason == cache.ReasonHTTPStatus {
				return fmt.Sprintf("%s %d", reason, r.Status)
			}
			return string(reason)
		}
	}
	return err.Error()
}

func (ck *check) considerBody(body []byte, url, from string) crlOutcome {
	d, err := ck.c.docs.get(certs.DecodeCRLBody(body))
	if err != nil {
		ck.note("CRL %s does not parse: %v", url, err)
		return crlNotUsable
	}
	if d.isDelta {
		ck.note("CRL %s is a delta CRL, not a base CRL", url)
		return crlNotUsable
	}
	if ck.namesCertIssuer(d.rawIssuer) {
		ck.sawCRL = true
	}
	out := ck.consider(d, url, from)
	if out == crlGood || out == crlRevoked || out == crlStale {
		ck.c.remember(ck.key, d)
	}
	return out
}

// remember keeps d as the issuer's CRL in process memory if it is newer
// than the one held.
func (c *Checker) remember(key [32]byte, d *crlDoc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.byIssuer[key]; old != nil && !d.thisUpdate.After(old.thisUpdate) {
		return
	}
	if len(c.byIssuer) >= 4*c.cfg.MaxCachedCRLs {
		for k := range c.byIssuer { // drop one: the map is a bounded memory, not an LRU
			delete(c.byIssuer, k)
			break
		}
	}
	c.byIssuer[key] = d
}

// consider applies one base CRL.
func (ck *check) consider(d *crlDoc, url, from string) crlOutcome {
	reasons, why := ck.usable(d)
	where := url
	if where == "" {
		where = from
	}
	if why != "" {
		ck.note("CRL (%s) rejected: %s", where, why)
		return crlNotUsable
	}
	stale := !d.nextUpdate.IsZero() && !ck.now.Before(d.nextUpdate)
	tooOld := ck.req.FreshnessTime > 0 && ck.now.Sub(d.thisUpdate) > ck.req.FreshnessTime

	// The delta CRL, when the certificate or the base points to one.
	delta, deltaNeeded, deltaWhy := ck.findDelta(d)

	e, listed := ck.listed(d, delta)
	if listed {
		ck.fillCRL(d, url, from)
		ck.res.DeltaApplied = delta != nil
		ck.setRevoked(e)
		if stale {
			ck.res.Detail = "listed on a stale CRL (stale data still proves revoked, spec §11.2)"
		}
		return crlRevoked
	}
	switch {
	case stale:
		ck.note("CRL (%s) is stale: nextUpdate %s is before now %s", where, d.nextUpdate.UTC().Format("2006-01-02T15:04:05Z"), ck.now.UTC().Format("2006-01-02T15:04:05Z"))
		if ck.stale == nil || d.nextUpdate.After(ck.stale.doc.nextUpdate) {
			ck.stale = &staleCRL{doc: d, url: url, from: from}
		}
		return crlStale
	case tooOld:
		ck.note("CRL (%s) is older than the requested freshness time %s", where, ck.req.FreshnessTime)
		return crlStale
	case deltaNeeded && delta == nil:
		ck.note("CRL (%s): no usable delta CRL: %s", where, deltaWhy)
		return crlNotUsable
	}
	ck.covered |= reasons
	if ck.covered != allReasons {
		ck.note("CRL (%s) covers only some revocation reasons", where)
		return crlNotUsable
	}
	ck.fillCRL(d, url, from)
	ck.res.DeltaApplied = delta != nil
	ck.res.Status = Good
	ck.res.Detail = ""
	ck.done = true
	return crlGood
}

// listed looks the certificate up on the base and the delta: a delta entry
// overrides the base (removeFromCRL un-revokes, spec §3.3); certificateHold
// counts as revoked.
func (ck *check) listed(base, delta *crlDoc) (entry, bool) {
	if delta != nil {
		if e, ok := delta.find(ck.serial); ok && ck.counts(e) {
			if e.reason == reasonRemoveFromCRL {
				return entry{}, false
			}
			return e, true
		}
	}
	e, ok := base.find(ck.serial)
	if !ok || !ck.counts(e) || e.reason == reasonRemoveFromCRL {
		return entry{}, false
	}
	return e, true
}

// namesCertIssuer reports whether a CRL's issuer is the certificate's own
// issuer name, byte for byte. Windows matches a CRL by the name the
// certificate gives for its issuer, not by the subject of the CA found (by
// key identifier) to have signed it, and compares the encoded names
// exactly: Mono's PKITS runs on Windows recorded RevocationStatusUnknown
// for 4.3.1-4.3.5 and 4.3.11, where the two names differ in value, order,
// white space or case, and NoError for 4.3.10, where the certificate's
// issuer and the CRL's are the same UTF8String bytes and the CA's subject a
// PrintableString (mono/mono Pkits_4_03_VerifyingNameChaining.cs, *_MS).
func (ck *check) namesCertIssuer(rawIssuer []byte) bool {
	return bytes.Equal(rawIssuer, ck.cert.X.RawIssuer)
}

// usable checks that d is a CRL of the issuing CA that covers the
// certificate: issuer name, cRLSign key usage, signature by the issuer's
// key, no unsupported extension, IDP scope. It returns the reasons d covers.
func (ck *check) usable(d *crlDoc) (uint16, string) {
	is := ck.issuer.X
	if !ck.namesCertIssuer(d.rawIssuer) {
		return 0, "CRL issuer name is not the certificate's issuer name (byte for byte, as Windows compares them)"
	}
	if hasExtension(is, oidKeyUsage) && is.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return 0, "the issuing CA's keyUsage does not allow cRLSign (spec §3.3)"
	}
	if err := d.checkSignature(ck.spkiSum, func() error {
		if ck.issuerKeyErr != nil {
			return ck.issuerKeyErr
		}
		return certs.CheckSignature(d.sigAlg, d.tbs, d.sig, ck.issuerKey)
	}); err != nil {
		if errors.Is(err, certs.ErrDSAParametersMissing) {
			return 0, reasonNoDSAParameters
		}
		if len(d.aki) > 0 && len(ck.issuer.KeyID) > 0 && string(d.aki) != string(ck.issuer.KeyID) {
			return 0, "CRL signed by another key (a separate CRL signer is not supported, spec §3.3)"
		}
		if errors.Is(err, certs.ErrUnsupportedAlgorithm) {
			return 0, "CRL signature algorithm not supported: " + err.Error()
		}
		return 0, "CRL signature does not verify with the issuing CA's key"
	}
	if d.unusable != "" {
		return 0, d.unusable
	}
	if d.thisUpdate.After(ck.now.Add(MaxClockSkew)) {
		return 0, "CRL thisUpdate is in the future"
	}
	idp := d.idp
	if idp == nil {
		return allReasons, ""
	}
	switch {
	case idp.Indirect:
		return 0, "indirect CRL: not supported by Windows (spec §3.3)"
	case idp.OnlyAttribute:
		return 0, "CRL covers only attribute certificates"
	case idp.OnlyUser && ck.isCA:
		return 0, "CRL covers only end-entity certificates (onlyContainsUserCerts)"
	case idp.OnlyCA && !ck.isCA:
		return 0, "CRL covers only CA certificates (onlyContainsCACerts)"
	}
	reasons := allReasons
	if idp.Name != nil {
		want := idp.Name.Names(d.rawIssuer)
		matched := false
		var dpReasons uint16
		for i := range ck.cdp {
			dp := &ck.cdp[i]
			if dp.Name == nil || dp.CRLIssuer != nil {
				continue
			}
			for _, g := range dp.Name.Names(is.RawSubject) {
				if containsName(want, g) {
					matched = true
					dpReasons |= dp.Reasons
					break
				}
			}
		}
		if !matched {
			return 0, "the CRL's issuing distribution point is not one of the certificate's distribution points"
		}
		reasons &= dpReasons
	}
	return reasons & idp.Reasons, ""
}

func containsName(list []certs.GeneralName, g certs.GeneralName) bool {
	for _, x := range list {
		if x.Equal(g) {
			return true
		}
	}
	return false
}

func hasExtension(c *x509.Certificate, oid []int) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}

// findDelta finds a delta CRL for base: from the stores first, then from
// the Freshest CRL URLs of the certificate and of the base (spec §3.3).
// needed is true when a delta is pointed to.
func (ck *check) findDelta(base *crlDoc) (delta *crlDoc, needed bool, why string) {
	pointers := append(append([]certs.DistributionPoint(nil), ck.freshestCert...), base.freshest...)
	needed = len(pointers) > 0
	var best *crlDoc
	for _, crl := range ck.req.StoreCRLs {
		if crl == nil || !bytes.Equal(crl.RawIssuer, base.rawIssuer) {
			continue
		}
		d, err := ck.c.docs.getStore(crl)
		if err != nil || !d.isDelta {
			continue
		}
		if w := ck.deltaFits(base, d); w != "" {
			why = w
			continue
		}
		if best == nil || d.thisUpdate.After(best.thisUpdate) {
			best = d
		}
	}
	if best != nil {
		return best, true, ""
	}
	if !needed {
		return nil, false, ""
	}
	for i := range pointers {
		for _, url := range pointers[i].URIs() {
			r, err := ck.c.r.Retrieve(ck.ctx, url, cache.KindDeltaCRL, ck.options())
			ck.log(r)
			if err != nil {
				why = fmt.Sprintf("delta CRL %s: %s", url, describe(r, err))
				continue
			}
			d, err := ck.c.docs.get(certs.DecodeCRLBody(r.Body))
			if err != nil {
				why = fmt.Sprintf("delta CRL %s does not parse", url)
				continue
			}
			if w := ck.deltaFits(base, d); w != "" {
				why = fmt.Sprintf("delta CRL %s: %s", url, w)
				continue
			}
			return d, true, ""
		}
	}
	if why == "" {
		why = "no delta CRL found for the Freshest CRL pointer"
	}
	return nil, true, why
}

// deltaFits checks a delta CRL against its base: a delta of the same
// issuer and key, fresh, whose BaseCRLNumber the base satisfies (RFC 5280
// §5.2.4).
func (ck *check) deltaFits(base, d *crlDoc) string {
	if !d.isDelta || d.base == nil {
		return "not a delta CRL"
	}
	if !ck.namesCertIssuer(d.rawIssuer) {
		return "issuer name is not the certificate's issuer name"
	}
	if err := d.checkSignature(ck.spkiSum, func() error {
		if ck.issuerKeyErr != nil {
			return ck.issuerKeyErr
		}
		return certs.CheckSignature(d.sigAlg, d.tbs, d.sig, ck.issuerKey)
	}); err != nil {
		return "signature does not verify with the issuing CA's key"
	}
	if d.unusable != "" {
		return d.unusable
	}
	if base.number == nil || d.base.Cmp(base.number) > 0 {
		return "its base CRL number is newer than the base CRL held"
	}
	if !d.nextUpdate.IsZero() && !ck.now.Before(d.nextUpdate) {
		return "stale"
	}
	if d.thisUpdate.After(ck.now.Add(MaxClockSkew)) {
		return "thisUpdate is in the future"
	}
	return ""
}
