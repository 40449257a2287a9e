// Package inspect dumps the objects a Windows PKI admin meets —
// certificates, CRLs, OCSP responses, PKCS#7 bundles and CryptnetUrlCache
// entries — for a person, like `certutil -dump`, `openssl x509 -text` or
// `step certificate inspect`, and adds what only winchain knows: the URLs in
// the order Windows retrieves them, the exact OCSP GET URL Cryptnet would
// request, the CryptnetUrlCache file name of each URL, the Windows key
// identifier, and whether crypto/x509 would refuse an object Windows loads.
//
// Certificates are printed by github.com/smallstep/certinfo (the
// OpenSSL-like dump); everything else is winchain's. Each fact comes from
// the package that owns it: loading from certs, the retrieval order and the
// OCSP request from revocation, file names and the MetaData record from
// cache, PKCS#7 decoding from aia, CRL parsing from chain.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package inspect

import (
	"crypto/dsa" //nolint:staticcheck // DSA-signed responses are checked (RFC 3279 §2.3.2).
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/smallstep/certinfo"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/revocation"
)

// Kinds of [Object].
const (
	KindCertificate = "certificate"
	KindCRL         = "crl"
	KindOCSP        = "ocsp"
	KindPKCS7       = "pkcs7"
	KindCacheEntry  = "cache-entry"
)

// Options says what to add to the dump. The zero value dumps each object
// on its own.
type Options struct {
	// Issuer is the issuer of the inspected certificates (or the CA of a
	// CRL or OCSP response). With it, the OCSP GET URLs (which hash the
	// issuer's name and key) are computed and CRL and OCSP signatures are
	// checked. nil: neither.
	Issuer *certs.Certificate
	// Serial selects the revocation entry shown for a CRL (and checks an
	// OCSP response's serial). nil: none.
	Serial *big.Int
}

// Object is one inspected object. Fields that do not apply to its Kind are
// empty (and left out of the JSON, docs/cli.md `inspect`).
type Object struct {
	// File names the input; Index is the object's place in it (1-based)
	// when the file holds several.
	File  string `json:"file"`
	Index int    `json:"index,omitempty"`
	Kind  string `json:"kind"`

	// Certificate fields. Serial is uppercase hex as Windows prints it;
	// SHA1 is the thumbprint ("Cert Hash(sha1)"); KeyID is
	// CERT_KEY_IDENTIFIER_PROP_ID (the subjectKeyIdentifier, or the SHA-1
	// of the public key bits without one).
	Subject   string `json:"subject,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	Serial    string `json:"serial,omitempty"`
	SHA1      string `json:"sha1,omitempty"`
	KeyID     string `json:"keyId,omitempty"`
	NotBefore string `json:"notBefore,omitempty"`
	NotAfter  string `json:"notAfter,omitempty"`
	// URLs are the certificate's URLs as its extensions list them;
	// Retrievals lists them in the order Windows tries them.
	URLs       *URLs       `json:"urls,omitempty"`
	Retrievals []Retrieval `json:"retrievals,omitempty"`
	// CacheNames maps each URL Cryptnet would retrieve (for OCSP, the GET
	// URL) to its CryptnetUrlCache file name.
	CacheNames map[string]string `json:"cacheNames,omitempty"`
	// OCSPGetURL is the GET URL for the first OCSP responder (needs
	// Options.Issuer).
	OCSPGetURL string `json:"ocspGetUrl,omitempty"`
	// X509Refuses is crypto/x509's error for an object it refuses and
	// Windows (and winchain's lenient layer) loads; empty when it loads.
	X509Refuses string `json:"x509Refuses"`
	// Tolerated lists what the lenient layer accepted to load it.
	Tolerated []string `json:"tolerated,omitempty"`
	// Text is the certinfo dump of a certificate.
	Text string `json:"text,omitempty"`

	// CRL and OCSP fields. Number is the CRL number in hex; Entries the
	// number of revoked entries; Entry the entry of Options.Serial (nil
	// when it is not listed or no serial was asked).
	ThisUpdate string     `json:"thisUpdate,omitempty"`
	NextUpdate string     `json:"nextUpdate,omitempty"`
	Number     string     `json:"number,omitempty"`
	Entries    *int       `json:"entries,omitempty"`
	Entry      *CRLEntry  `json:"entry,omitempty"`
	OCSP       *OCSPInfo  `json:"ocsp,omitempty"`
	Signature  string     `json:"signature,omitempty"`
	Objects    []*Object  `json:"objects,omitempty"`
	Skipped    int        `json:"skipped,omitempty"`
	CacheEntry *EntryInfo `json:"cacheEntry,omitempty"`

	// Notes say in words what could not be shown or was skipped.
	Notes []string `json:"notes,omitempty"`
}

// URLs are a certificate's URLs, as its extensions list them.
type URLs struct {
	CDP  []string `json:"cdp"`
	AIA  []string `json:"aia"`
	OCSP []string `json:"ocsp"`
}

// Retrieval is one URL Windows would retrieve for a certificate.
type Retrieval struct {
	// Kind is aia, ocsp, crl or delta-crl (the cache.Kind values).
	Kind string `json:"kind"`
	// URL is the URL as the certificate names it; Request is the URL
	// actually fetched (the OCSP GET URL; empty when it needs the issuer).
	URL     string `json:"url"`
	Request string `json:"request,omitempty"`
	// CacheName is the CryptnetUrlCache file name of Request.
	CacheName string `json:"cacheName,omitempty"`
	// When says when Windows makes this retrieval.
	When string `json:"when"`
}

// CRLEntry is the revocation entry of one serial number.
type CRLEntry struct {
	Serial     string `json:"serial"`
	Revoked    string `json:"revoked"`
	Reason     string `json:"reason,omitempty"`
	ReasonCode *int   `json:"reasonCode,omitempty"`
}

// OCSPInfo is what an OCSP response says.
type OCSPInfo struct {
	// Status is good, revoked or unknown.
	Status     string `json:"status"`
	Serial     string `json:"serial"`
	ProducedAt string `json:"producedAt"`
	RevokedAt  string `json:"revokedAt,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// Responder is the responderID: a name, or "key " and the key hash.
	Responder string `json:"responder"`
	// ResponderCertificate is the subject of the delegated responder
	// certificate embedded in the response, if any.
	ResponderCertificate string `json:"responderCertificate,omitempty"`
}

// EntryInfo is what a CryptnetUrlCache MetaData record says.
type EntryInfo struct {
	URL string `json:"url"`
	// Name is the entry's file name; ExpectedName the URLName of URL (a
	// mismatch means Windows would never find the entry by its URL).
	Name         string `json:"name"`
	ExpectedName string `json:"expectedName"`
	LastDownload string `json:"lastDownload,omitempty"`
	ETag         string `json:"etag,omitempty"`
	// ContentSize is the size the record gives; ContentBytes the size of
	// the Content file.
	ContentSize  uint32 `json:"contentSize"`
	ContentBytes int    `json:"contentBytes"`
	// Expires is when Cryptnet stops using the object (cache.ObjectExpiry).
	Expires string `json:"expires,omitempty"`
}

// ErrUnknownKind is wrapped by the error for bytes that are not a
// certificate, CRL, OCSP response or PKCS#7 bundle.
var ErrUnknownKind = errors.New("not a certificate, CRL, OCSP response or PKCS#7 bundle")

// Inspect dumps every object in data (DER, or PEM with any number of
// blocks). name labels the objects and errors.
func Inspect(data []byte, name string, opts Options) ([]*Object, error) {
	switch kind := cache.ContentKind(data); kind {
	case cache.ContentCert:
		cs, err := certs.ParseAll(data, name)
		if err != nil {
			return nil, err
		}
		out := make([]*Object, 0, len(cs))
		for i, c := range cs {
			o := Certificate(c, name, opts)
			if len(cs) > 1 {
				o.Index = i + 1
			}
			out = append(out, o)
		}
		return out, nil
	case cache.ContentCRL:
		crls, err := certs.ParseCRLs(data, name)
		if err != nil {
			return nil, err
		}
		out := make([]*Object, 0, len(crls))
		for i, c := range crls {
			o := crlObject(c, name, opts)
			if len(crls) > 1 {
				o.Index = i + 1
			}
			out = append(out, o)
		}
		return out, nil
	case cache.ContentOCSP:
		o, err := ocspObject(data, name, opts)
		if err != nil {
			return nil, err
		}
		return []*Object{o}, nil
	case cache.ContentPKCS7:
		o, err := pkcs7Object(data, name, opts)
		if err != nil {
			return nil, err
		}
		return []*Object{o}, nil
	case cache.ContentCAB:
		return nil, &certs.ParseError{Input: name, Kind: "object", Err: errors.New("a Microsoft CAB (an authroot.stl download): not inspected")}
	}
	return nil, &certs.ParseError{Input: name, Kind: "object", Err: ErrUnknownKind}
}

// Certificate dumps one loaded certificate.
func Certificate(c *certs.Certificate, name string, opts Options) *Object {
	x := c.X
	o := &Object{
		File: name, Kind: KindCertificate,
		Subject: c.Subject(), Issuer: c.Issuer(), Serial: c.SerialHex(), SHA1: c.Thumbprint(),
		KeyID:     strings.ToUpper(hex.EncodeToString(c.KeyID)),
		NotBefore: rfc3339(x.NotBefore), NotAfter: rfc3339(x.NotAfter),
		URLs: &URLs{CDP: nonNil(x.CRLDistributionPoints), AIA: nonNil(x.IssuingCertificateURL), OCSP: nonNil(x.OCSPServer)},
	}
	if c.Lenient && len(c.Warnings) > 0 {
		o.X509Refuses = strings.TrimPrefix(c.Warnings[0], "crypto/x509: ")
		o.Tolerated = c.Warnings[1:]
	}
	o.retrievals(c, opts.Issuer)
	text, err := certinfoText(c)
	if err != nil {
		o.Notes = append(o.Notes, "certinfo cannot print this certificate: "+err.Error())
	}
	o.Text = text
	return o
}

// certinfoText runs certinfo, which was written for certificates that
// crypto/x509 parsed: one the lenient layer loaded may lack what it expects,
// so a panic becomes an error.
func certinfoText(c *certs.Certificate) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%v", r)
		}
	}()
	return certinfo.CertificateText(c.X)
}

// retrievals fills Retrievals, CacheNames and OCSPGetURL: AIA caIssuers
// while building the chain (only for an issuer in no local store, spec
// §1.8), then revocation in revocation.PlanFor's order.
func (o *Object) retrievals(c *certs.Certificate, issuer *certs.Certificate) {
	add := func(kind cache.Kind, url, request, when string) {
		r := Retrieval{Kind: string(kind), URL: url, Request: request, When: when}
		if request != "" {
			r.CacheName = urlcache.URLName(request)
			if o.CacheNames == nil {
				o.CacheNames = map[string]string{}
			}
			o.CacheNames[request] = r.CacheName
		}
		o.Retrievals = append(o.Retrievals, r)
	}
	for _, u := range c.X.IssuingCertificateURL {
		add(cache.KindAIA, u, u, "chain building, when the issuer is in no local store")
	}
	plan, err := revocation.PlanFor(c, issuer)
	if err != nil {
		o.Notes = append(o.Notes, err.Error())
		return
	}
	ocspWhen := "revocation, first: while at most CryptnetCachedOcspSwitchToCrlCount (50) OCSP responses of this issuer are cached"
	crlWhen := "revocation, when no OCSP responder gave a usable answer"
	if !plan.OCSPFirst {
		ocspWhen, crlWhen = "revocation, after the CRLs", "revocation, first"
	}
	ocsps := func() {
		for _, u := range plan.OCSP {
			add(cache.KindOCSP, u.URL, u.Request, ocspWhen)
			if o.OCSPGetURL == "" {
				o.OCSPGetURL = u.Request
			}
		}
	}
	if plan.OCSPFirst {
		ocsps()
	}
	for _, u := range plan.CRL {
		add(cache.KindCRL, u.URL, u.Request, crlWhen)
	}
	for _, u := range plan.DeltaCRL {
		add(cache.KindDeltaCRL, u.URL, u.Request, "revocation, after a base CRL that is not enough by itself")
	}
	if !plan.OCSPFirst {
		ocsps()
	}
	o.Notes = append(o.Notes, plan.Notes...)
}

func crlObject(c *certs.CRL, name string, opts Options) *Object {
	n := c.Len()
	o := &Object{File: name, Kind: KindCRL, Issuer: c.Issuer.String(),
		ThisUpdate: rfc3339(c.ThisUpdate), NextUpdate: rfc3339(c.NextUpdate), Entries: &n,
		Tolerated: c.Warnings}
	if _, err := x509.ParseRevocationList(c.Raw); err != nil {
		o.X509Refuses = strings.TrimPrefix(err.Error(), "x509: ")
	}
	sum := sha1.Sum(c.Raw)
	o.SHA1 = strings.ToUpper(hex.EncodeToString(sum[:]))
	if c.Number != nil {
		o.Number = strings.ToUpper(c.Number.Text(16))
	}
	if c.IsDelta {
		o.Notes = append(o.Notes, "a delta CRL")
	}
	if c.NextUpdate.IsZero() {
		o.Notes = append(o.Notes, "no nextUpdate: Windows accepts such a CRL (spec §3.3)")
	}
	if opts.Serial != nil {
		if e, ok := c.LookupSerial(opts.Serial); ok {
			o.Entry = &CRLEntry{Serial: strings.ToUpper(hex.EncodeToString(e.SerialNumber)), Revoked: rfc3339(e.RevocationTime)}
			if e.ReasonCode != certs.NoReason {
				code := e.ReasonCode
				o.Entry.Reason, o.Entry.ReasonCode = revocation.ReasonName(code), &code
			}
		} else {
			o.Notes = append(o.Notes, fmt.Sprintf("serial %s is not on this CRL", serialHex(opts.Serial)))
		}
	}
	if opts.Issuer != nil {
		if err := certs.CheckCRLSignature(c, opts.Issuer.X.PublicKey); err != nil {
			o.Signature = "does not verify with the issuer's key: " + err.Error()
		} else {
			o.Signature = "verifies with the issuer's key"
		}
	}
	return o
}

// ocspSignature checks the response's signature as the revocation checker
// does, with certs.CheckSignature (DSA and SHA-1 included, which
// x/crypto/ocsp's CheckSignatureFrom refuses): signed by the issuer, or by
// a responder certificate the issuer signed. It returns "" when it
// verifies, else why not. Unlike the checker, inspect has no chain to
// inherit DSA parameters from.
func ocspSignature(parsed *certs.OCSPResponse, issuer, responder *certs.Certificate) string {
	resp := parsed.Response
	key, err := certs.SigningKey(issuer, nil)
	if err != nil {
		return "the issuer's key cannot verify on its own: " + err.Error()
	}
	direct := certs.CheckSignature(resp.SignatureAlgorithm, resp.TBSResponseData, resp.Signature, key)
	if direct == nil {
		return ""
	}
	if responder != nil {
		rc := responder.X
		rkey := rc.PublicKey
		if k, ok := rkey.(*dsa.PublicKey); ok && k.P == nil {
			if ik, ok := key.(*dsa.PublicKey); ok {
				rkey = &dsa.PublicKey{Parameters: ik.Parameters, Y: k.Y} // RFC 3279 §2.3.2
			}
		}
		if certs.CheckSignature(rc.SignatureAlgorithm, rc.RawTBSCertificate, rc.Signature, key) == nil &&
			certs.CheckSignature(resp.SignatureAlgorithm, resp.TBSResponseData, resp.Signature, rkey) == nil {
			return ""
		}
	}
	return "bad OCSP signature: " + direct.Error()
}

func ocspObject(data []byte, name string, opts Options) (*Object, error) {
	var issuer *x509.Certificate
	if opts.Issuer != nil {
		issuer = opts.Issuer.X
	}
	// certs.ParseOCSPResponse loads the responder certificates with
	// certs.Parse, as Windows and the revocation checker do: crypto/x509
	// refuses some that Windows loads (a negative serial).
	parsed, err := certs.ParseOCSPResponse(data, nil)
	var se ocsp.ResponseError
	switch {
	case errors.As(err, &se):
		return &Object{File: name, Kind: KindOCSP, OCSP: &OCSPInfo{Status: "error: " + se.Status.String()},
			Notes: []string{"the responder answered with an error status, not a response"}}, nil
	case err != nil:
		return nil, &certs.ParseError{Input: name, Kind: "OCSP response", Err: err}
	}
	resp := parsed.Response
	responder, responderErr := parsed.Responder()
	sigErr := ""
	if issuer != nil {
		sigErr = ocspSignature(parsed, opts.Issuer, responder)
	}
	info := &OCSPInfo{Serial: serialHex(resp.SerialNumber), ProducedAt: rfc3339(resp.ProducedAt)}
	var notes []string
	switch {
	case responder != nil:
		info.ResponderCertificate = responder.Subject()
		if responder.Lenient {
			notes = append(notes, "the responder certificate is one crypto/x509 refuses ("+strings.Join(responder.Warnings, "; ")+"); Windows loads it")
		}
	case responderErr != nil:
		notes = append(notes, "the responder certificate does not load: "+responderErr.Error())
	}
	switch resp.Status {
	case ocsp.Good:
		info.Status = "good"
	case ocsp.Revoked:
		info.Status = "revoked"
		info.RevokedAt = rfc3339(resp.RevokedAt)
		info.Reason = revocation.ReasonName(resp.RevocationReason)
	default:
		info.Status = "unknown"
	}
	switch {
	case len(resp.RawResponderName) > 0:
		if rdn, err := certs.ParseName(resp.RawResponderName); err == nil {
			var n pkix.Name
			n.FillFromRDNSequence(&rdn)
			info.Responder = n.String()
		}
	case len(resp.ResponderKeyHash) > 0:
		info.Responder = "key " + strings.ToUpper(hex.EncodeToString(resp.ResponderKeyHash))
	}
	o := &Object{File: name, Kind: KindOCSP, ThisUpdate: rfc3339(resp.ThisUpdate), NextUpdate: rfc3339(resp.NextUpdate), OCSP: info, Notes: notes}
	if resp.NextUpdate.IsZero() {
		o.Notes = append(o.Notes, "no nextUpdate: Windows uses it for OcspValiditySeconds (12 h) after thisUpdate (spec §3.4)")
	}
	if opts.Serial != nil && resp.SerialNumber != nil && resp.SerialNumber.Cmp(opts.Serial) != 0 {
		o.Notes = append(o.Notes, fmt.Sprintf("the response is for serial %s, not %s", info.Serial, serialHex(opts.Serial)))
	}
	if issuer != nil {
		if sigErr != "" {
			o.Signature = "does not verify with the issuer or a responder certificate it issued: " + sigErr
		} else {
			o.Signature = "verifies (signed by the issuer, or by a responder certificate it issued)"
		}
	}
	return o, nil
}

func pkcs7Object(data []byte, name string, opts Options) (*Object, error) {
	d, err := certs.DecodeObject(data, name, 0)
	if err != nil {
		return nil, err
	}
	o := &Object{File: name, Kind: KindPKCS7, Skipped: d.Skipped}
	for i, c := range d.Certificates {
		co := Certificate(c, name, opts)
		co.Index = i + 1
		o.Objects = append(o.Objects, co)
	}
	if d.Skipped > 0 {
		o.Notes = append(o.Notes, fmt.Sprintf("%d entries are not certificates that load; Windows ignores them", d.Skipped))
	}
	return o, nil
}

// CacheEntry dumps a CryptnetUrlCache entry: the MetaData record (file
// name metaName) and the Content it describes.
func CacheEntry(metaName string, meta []byte, contentName string, content []byte, opts Options) (*Object, error) {
	md, err := urlcache.ParseMetaData(metaName, meta)
	if err != nil {
		return nil, err
	}
	base := metaName
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	ei := &EntryInfo{URL: md.URL, Name: base, ExpectedName: urlcache.URLName(md.URL),
		LastDownload: rfc3339(md.LastDownload), ETag: md.ETag, ContentSize: md.ContentSize, ContentBytes: len(content)}
	if exp := cache.ObjectExpiry("", content, md.LastDownload, 0); !exp.IsZero() {
		ei.Expires = rfc3339(exp)
	}
	o := &Object{File: metaName, Kind: KindCacheEntry, CacheEntry: ei}
	// An OCSP entry may carry a group prefix ("PREFIX_NAME", spec §4.3).
	if n := base[strings.LastIndexByte(base, '_')+1:]; !strings.EqualFold(n, ei.ExpectedName) {
		o.Notes = append(o.Notes, "the file name is not the URLName of the record's URL: Windows would not find this entry by its URL")
	}
	if int(md.ContentSize) != len(content) {
		o.Notes = append(o.Notes, fmt.Sprintf("the record gives %d bytes, the Content file holds %d: a torn entry, which Windows ignores", md.ContentSize, len(content)))
	}
	objs, err := Inspect(content, contentName, opts)
	if err != nil {
		o.Notes = append(o.Notes, "content: "+err.Error())
	}
	o.Objects = objs
	return o, nil
}

// ParseSerial reads a serial number given as hex, with or without colons,
// spaces or a 0x prefix ("0A:1B", "0x0a1b").
func ParseSerial(s string) (*big.Int, error) {
	h := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	h = strings.TrimPrefix(strings.TrimPrefix(h, "0x"), "0X")
	n, ok := new(big.Int).SetString(h, 16)
	if h == "" || !ok {
		return nil, fmt.Errorf("serial %q: not a hex number (example: 0A1B or 0a:1b)", s)
	}
	return n, nil
}

func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	b := n.Bytes()
	if len(b) == 0 {
		return "00"
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
