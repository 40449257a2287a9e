package revocation

// OCSP the way Cryptnet does it (spec §3.4): a SHA-1 CertID, the DER
// request base64-encoded, URL-escaped and appended to the responder URL
// after a "/" (GET, cacheable by URL); POST only as a configurable
// fallback. golang.org/x/crypto/ocsp parses; the responder checks are ours:
//
//   - the response is signed by the issuing CA's key, or by a delegated
//     responder certificate issued by that CA (its signature verified with
//     the CA's key) carrying id-kp-OCSPSigning and valid at Request.Now;
//   - the responderID names the signer (by name or key hash);
//   - the CertID (hash algorithm, issuer name hash, issuer key hash,
//     serial) matches the certificate and its issuer;
//   - thisUpdate is not beyond MaxClockSkew in the future; the response
//     lives until nextUpdate, or thisUpdate + OcspValiditySeconds.
//
// A delegated responder's own certificate is revocation-checked, as Windows
// builds the signer's chain with CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT
// (spec §1.4, §3.4): with CRLs only, so the check cannot recurse, and not
// at all when the certificate carries id-pkix-ocsp-nocheck. A revoked
// responder's answers are refused; a responder whose status cannot be
// determined is accepted (Windows' choice there is UNCONFIRMED; recorded in
// Result.Detail and docs/windows-divergences.md). An OCSP "unknown" is
// treated as no answer (Offline), as Wine does (spec §3.4, UNCONFIRMED for
// Windows).

import (
	"bytes"
	"crypto"
	"crypto/dsa" //nolint:staticcheck // Windows still validates DSA chains (PKITS 4.1.4-4.1.6).
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// OCSPRequest builds the DER OCSP request Cryptnet sends for cert issued
// by issuer: one CertID hashed with SHA-1, no nonce, unsigned (spec §3.4).
// It is the one builder: the checker, the retrieval plan and the CAPI2
// replay's placed responses look requests up by it.
func OCSPRequest(cert, issuer *certs.Certificate) ([]byte, error) {
	return ocsp.CreateRequest(cert.X, issuer.X, &ocsp.RequestOptions{Hash: crypto.SHA1})
}

// OCSPGetURL returns the GET URL Cryptnet uses for request at the responder
// base: base, a "/" unless base ends with one, and the base64 DER request
// with "+", "/" and "=" escaped as %2B, %2F, %3D (spec §3.4).
func OCSPGetURL(base string, request []byte) string {
	enc := url.QueryEscape(base64.StdEncoding.EncodeToString(request))
	if strings.HasSuffix(base, "/") {
		return base + enc
	}
	return base + "/" + enc
}

// ocspOutcome is what one OCSP response says.
type ocspOutcome int

const (
	ocspNoAnswer ocspOutcome = iota
	ocspGood
	ocspRevoked
)

// ocsp asks the AIA OCSP responders in order.
func (ck *check) ocsp() {
	if len(ck.ocspURLs) == 0 {
		return
	}
	reqDER, err := OCSPRequest(ck.cert, ck.issuer)
	if err != nil {
		ck.note("OCSP request cannot be built: %v", err)
		return
	}
	for _, base := range ck.ocspURLs {
		get := OCSPGetURL(base, reqDER)
		r, err := ck.c.r.Retrieve(ck.ctx, get, cache.KindOCSP, ck.options())
		ck.log(r)
		var body []byte
		from, used := "", get
		switch {
		case err == nil:
			body, from = r.Body, fromString(r.From)
		default:
			ck.note("OCSP %s: %s", base, describe(r, err))
			if ck.c.cfg.OCSPPostFallback && !ck.req.CacheOnly {
				opts := ck.options()
				opts.Method, opts.Body = "POST", reqDER
				r2, err2 := ck.c.r.Retrieve(ck.ctx, base, cache.KindOCSP, opts)
				ck.log(r2)
				if err2 == nil {
					body, from, used = r2.Body, fromString(r2.From), base
				} else {
					ck.note("OCSP POST %s: %s", base, describe(r2, err2))
				}
			}
			if body == nil {
				// A stale cached response can still prove "revoked".
				if lr, lerr := ck.c.r.Lookup(get); lerr == nil && lr.OK {
					ck.log(lr)
					body, from = lr.Body, fromString(lr.From)
				}
			}
		}
		if body == nil {
			continue
		}
		out := ck.considerOCSP(body, used, from)
		if out != ocspNoAnswer && r != nil && r.From == cache.FromNetwork && err == nil {
			ck.c.countOCSP(ck.key, ck.serial)
		}
		if ck.done {
			return
		}
	}
}

// considerOCSP verifies one response and applies it.
func (ck *check) considerOCSP(body []byte, where, from string) ocspOutcome {
	v := verifyOCSP(body, ck.cert.X, ck.issuer.X, ck.issuerKey, ck.now, ck.c.cfg.OCSPValidity)
	if v.err != nil {
		ck.note("OCSP %s rejected: %v", where, v.err)
		return ocspNoAnswer
	}
	if v.responder != nil && !v.nocheck {
		if !ck.responderUsable(&v, where) {
			return ocspNoAnswer
		}
	}
	resp := v.resp
	fill := func() {
		ck.res.Source, ck.res.URL, ck.res.From = "ocsp", where, from
		ck.res.ThisUpdate, ck.res.NextUpdate = resp.ThisUpdate, resp.NextUpdate
		ck.res.HasFreshness, ck.res.FreshnessTime = false, 0
	}
	switch resp.Status {
	case ocsp.Revoked:
		e := entry{revoked: resp.RevokedAt, reason: resp.RevocationReason}
		if !ck.counts(e) {
			// Revoked after pTime: good at pTime, subject to freshness.
			break
		}
		fill()
		ck.setRevoked(e)
		if v.stale {
			ck.res.Detail = "revoked by a stale OCSP response (stale data still proves revoked, spec §11.2)"
		} else {
			ck.res.Detail = v.note
		}
		return ocspRevoked
	case ocsp.Good:
	default:
		ck.note("OCSP %s: the responder says unknown (treated as no answer)", where)
		return ocspNoAnswer
	}
	if v.stale {
		ck.note("OCSP %s: the response expired at %s", where, v.expires.UTC().Format(time.RFC3339))
		return ocspNoAnswer
	}
	if ck.req.FreshnessTime > 0 && ck.now.Sub(resp.ThisUpdate) > ck.req.FreshnessTime {
		ck.note("OCSP %s: the response is older than the requested freshness time %s", where, ck.req.FreshnessTime)
		return ocspNoAnswer
	}
	fill()
	ck.res.Status = Good
	ck.res.Detail = v.note
	ck.done = true
	return ocspGood
}

// ocspVerdict is the result of verifying one OCSP response.
type ocspVerdict struct {
	resp    *ocsp.Response
	err     error
	stale   bool
	expires time.Time
	note    string // e.g. delegated responder without nocheck
	// responder is the delegated responder certificate, nil when the
	// issuing CA signed; nocheck says it carries id-pkix-ocsp-nocheck.
	responder *certs.Certificate
	nocheck   bool
}

// reasonNoDSAParameters is why a CRL or OCSP response signed by the
// issuing CA cannot be checked when the CA's DSA key has no parameters and
// the chain gives none to inherit (Request.InheritedDSAParameters, RFC 3279
// §2.3.2).
const reasonNoDSAParameters = "the issuing CA's DSA key has no parameters and none are inherited"

// verifyOCSP parses body and applies the responder checks for cert issued
// by issuer, at the machine time now. issuerKey is the issuer's key as a
// verifier (certs.SigningKey: DSA parameters inherited, PKITS 4.1.5).
func verifyOCSP(body []byte, cert, issuer *x509.Certificate, issuerKey crypto.PublicKey, now time.Time, validity time.Duration) (v ocspVerdict) {
	// The responder certificates load with the lenient parser, as Windows
	// loads them; x/crypto/ocsp would refuse the whole response over one
	// that crypto/x509 refuses (a negative serial, spec §11.3).
	parsed, err := certs.ParseOCSPResponse(body, cert)
	if err != nil {
		v.err = fmt.Errorf("does not parse: %w", err)
		return v
	}
	resp := parsed.Response
	v.resp = resp
	if err := checkCertID(resp.TBSResponseData, cert, issuer); err != nil {
		v.err = err
		return v
	}
	rcc, err := parsed.Responder()
	if err != nil {
		v.err = fmt.Errorf("the responder certificate does not load: %w", err)
		return v
	}
	if issuerKey == nil {
		// No verifier: certs.SigningKey refused the issuer's key (a DSA key
		// without parameters and none inherited). The key as it is makes
		// the checks below fail with that reason, not a bad signature.
		issuerKey = issuer.PublicKey
	}
	signer, signerKey := issuer, issuerKey
	if rcc != nil && !sameKey(rcc.X, issuer) {
		rc := rcc.X
		if !certs.NamesEqual(rc.RawIssuer, issuer.RawSubject) {
			v.err = errors.New("signed by a responder certificate that the issuing CA did not issue")
			return v
		}
		if err := certs.CheckSignature(rc.SignatureAlgorithm, rc.RawTBSCertificate, rc.Signature, issuerKey); err != nil {
			v.err = errors.New("signed by a responder certificate not signed by the issuing CA")
			if errors.Is(err, certs.ErrDSAParametersMissing) {
				v.err = errors.New(reasonNoDSAParameters)
			}
			return v
		}
		if !hasEKU(rc, x509.ExtKeyUsageOCSPSigning, oidOCSPSigning) {
			v.err = errors.New("the responder certificate lacks id-kp-OCSPSigning")
			return v
		}
		if now.Before(rc.NotBefore) || now.After(rc.NotAfter) {
			v.err = errors.New("the responder certificate is not time valid")
			return v
		}
		signer, signerKey = rc, rc.PublicKey
		if k, ok := rc.PublicKey.(*dsa.PublicKey); ok && k.P == nil {
			// A delegated responder's DSA key may inherit the CA's
			// parameters too (RFC 3279 §2.3.2).
			if ik, ok := issuerKey.(*dsa.PublicKey); ok {
				signerKey = &dsa.PublicKey{Parameters: ik.Parameters, Y: k.Y}
			}
		}
		v.responder, v.nocheck = rcc, hasExtension(rc, oidOCSPNoCheck)
		if v.nocheck {
			v.note = "delegated OCSP responder (id-pkix-ocsp-nocheck: its own revocation is not checked)"
		} else {
			v.note = "delegated OCSP responder"
		}
	}
	if !parsed.NamesResponder(signer) {
		v.err = errors.New("the responderID does not name the signer")
		return v
	}
	if err := certs.CheckSignature(resp.SignatureAlgorithm, resp.TBSResponseData, resp.Signature, signerKey); err != nil {
		v.err = errors.New("the response signature does not verify")
		if errors.Is(err, certs.ErrDSAParametersMissing) {
			v.err = errors.New(reasonNoDSAParameters)
			if signer != issuer {
				v.err = errors.New("the responder's DSA key has no parameters and none are inherited")
			}
		}
		return v
	}
	if resp.ThisUpdate.After(now.Add(MaxClockSkew)) {
		v.err = errors.New("thisUpdate is in the future")
		return v
	}
	v.expires = resp.NextUpdate
	if v.expires.IsZero() {
		v.expires = resp.ThisUpdate.Add(validity)
	}
	v.stale = !now.Before(v.expires)
	return v
}

func hasEKU(c *x509.Certificate, eku x509.ExtKeyUsage, oid asn1.ObjectIdentifier) bool {
	for _, u := range c.ExtKeyUsage {
		if u == eku {
			return true
		}
	}
	for _, u := range c.UnknownExtKeyUsage {
		if u.Equal(oid) {
			return true
		}
	}
	return false
}

// certID is one SingleResponse's CertID.
type certID struct {
	hashOID           asn1.ObjectIdentifier
	nameHash, keyHash []byte
	serial            []byte
}

var hashByOID = map[string]func() hash.Hash{
	"1.3.14.3.2.26":          sha1.New,
	"2.16.840.1.101.3.4.2.1": sha256.New,
	"2.16.840.1.101.3.4.2.2": sha512.New384,
	"2.16.840.1.101.3.4.2.3": sha512.New,
}

// parseCertIDs reads the CertIDs of every SingleResponse of a DER
// ResponseData (RFC 6960 §4.2.1).
func parseCertIDs(tbs []byte) ([]certID, error) {
	bad := errors.New("malformed OCSP ResponseData")
	in := cryptobyte.String(tbs)
	var rd cryptobyte.String
	if !in.ReadASN1(&rd, cbasn1.SEQUENCE) {
		return nil, bad
	}
	if rd.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		rd.SkipASN1(cbasn1.Tag(0).Constructed().ContextSpecific())
	}
	var skip cryptobyte.String
	var tag cbasn1.Tag
	if !rd.ReadAnyASN1(&skip, &tag) { // responderID
		return nil, bad
	}
	if !rd.SkipASN1(cbasn1.GeneralizedTime) {
		return nil, bad
	}
	var responses cryptobyte.String
	if !rd.ReadASN1(&responses, cbasn1.SEQUENCE) {
		return nil, bad
	}
	var out []certID
	for !responses.Empty() {
		var single, id, alg cryptobyte.String
		var c certID
		var serial cryptobyte.String
		if !responses.ReadASN1(&single, cbasn1.SEQUENCE) ||
			!single.ReadASN1(&id, cbasn1.SEQUENCE) ||
			!id.ReadASN1(&alg, cbasn1.SEQUENCE) ||
			!alg.ReadASN1ObjectIdentifier(&c.hashOID) ||
			!id.ReadASN1((*cryptobyte.String)(&c.nameHash), cbasn1.OCTET_STRING) ||
			!id.ReadASN1((*cryptobyte.String)(&c.keyHash), cbasn1.OCTET_STRING) ||
			!id.ReadASN1(&serial, cbasn1.INTEGER) {
			return nil, bad
		}
		c.serial = serial
		out = append(out, c)
	}
	return out, nil
}

// checkCertID requires a SingleResponse whose CertID is cert's: same serial,
// and issuer name and key hashes under its hash algorithm.
func checkCertID(tbs []byte, cert, issuer *x509.Certificate) error {
	ids, err := parseCertIDs(tbs)
	if err != nil {
		return err
	}
	serial := certs.TrimSerial(certs.SerialBytes(cert.SerialNumber))
	keyBits, ok := certs.PublicKeyBits(issuer.RawSubjectPublicKeyInfo)
	if !ok {
		return errors.New("issuer public key does not parse")
	}
	for _, id := range ids {
		if !bytes.Equal(certs.TrimSerial(id.serial), serial) {
			continue
		}
		newHash := hashByOID[id.hashOID.String()]
		if newHash == nil {
			return fmt.Errorf("CertID hash algorithm %v not supported", id.hashOID)
		}
		h := newHash()
		h.Write(issuer.RawSubject)
		nameOK := bytes.Equal(h.Sum(nil), id.nameHash)
		h = newHash()
		h.Write(keyBits)
		keyOK := bytes.Equal(h.Sum(nil), id.keyHash)
		if nameOK && keyOK {
			return nil
		}
		return errors.New("the CertID names another issuer")
	}
	return errors.New("no CertID for the certificate's serial number")
}

// responderUsable checks the delegated responder's own certificate against
// the same issuer with CRLs only (CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT). A
// revoked responder is refused; any other outcome is accepted and noted.
func (ck *check) responderUsable(v *ocspVerdict, where string) bool {
	if ck.req.OCSPSigner {
		// Already checking a responder: never recurse.
		v.note = "delegated OCSP responder (not checked again inside a responder check)"
		return true
	}
	rc := v.responder
	sub := *ck.req
	sub.OCSPSigner, sub.IsRoot = true, false
	r := ck.c.Check(ck.ctx, rc, ck.issuer, &sub)
	for _, l := range r.Retrievals {
		ck.log(l)
	}
	if r.Status == Revoked {
		ck.note("OCSP %s rejected: the delegated responder certificate is revoked", where)
		return false
	}
	v.note = fmt.Sprintf("delegated OCSP responder; its own revocation: %s", r.Status)
	return true
}
