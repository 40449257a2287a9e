package capi2

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/netsim"
	"github.com/winchain/winchain/revocation"
)

// placement is one object the log shows Windows using or refusing, with
// where it was found.
type placement struct {
	url, fileRef, location string
	kind                   string // crl or ocsp
	lastSync               time.Time
	wire                   bool // served by the network (event 53 retrieved it)
}

// placeRevocation puts every CRL and OCSP response of the log where
// Windows found it: in the URL cache with its lastSync time (events 50/51,
// and the memory cache, see the divergence notes), on the network when
// event 53 retrieved it, and makes the network fail as event 53 says it
// failed.
func (rb *rebuild) placeRevocation() error {
	for _, e := range rb.op.Events {
		// Failed issuer fetches (AIA) happen outside the revocation checks.
		if e.ID == EventWire && !e.Result.OK() && e.Retrieval.Kind() == "aia" {
			rb.fail(e)
		}
	}
	for i := range rb.els {
		for _, p := range rb.placementsFor(i) {
			if err := rb.place(i, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (rb *rebuild) placementsFor(i int) []placement {
	el := rb.els[i]
	window := rb.op.eventsFor(el.Cert.FileRef)
	own := len(window) != len(rb.op.Events)
	var out []placement
	sync := map[string]time.Time{}
	wireOK := map[string]bool{}
	if own {
		for _, e := range window {
			r := e.Retrieval
			switch {
			case r == nil:
			case e.ID == EventCache && e.Result.OK():
				if r.Cache != nil {
					sync[r.URL] = r.Cache.LastSync
				}
				for _, o := range r.Retrieved {
					out = append(out, placement{url: r.URL, fileRef: o.FileRef, kind: orKind(o.Kind, r.Kind()), location: "UrlCache"})
				}
			case e.ID == EventWire && e.Result.OK():
				wireOK[r.URL] = true
				for _, o := range r.Retrieved {
					out = append(out, placement{url: r.URL, fileRef: o.FileRef, kind: orKind(o.Kind, r.Kind()), wire: true})
				}
			case e.ID == EventWire:
				rb.fail(e)
			}
		}
		for _, e := range window {
			var o *ObjectRef
			switch {
			case e.Rejected != nil:
				o = e.Rejected.Object
			case e.ID == EventRevocation:
				o = e.Revocation.Object
			}
			if o != nil && o.FileRef != "" {
				out = append(out, placement{url: o.URL, fileRef: o.FileRef, kind: o.Kind, location: o.Location, wire: wireOK[o.URL]})
			}
		}
	}
	if r := el.Revocation; r != nil && r.Object != nil && r.Object.FileRef != "" {
		out = append(out, placement{fileRef: r.Object.FileRef, kind: r.Object.Kind, location: r.Object.Location})
	}
	for k := range out {
		if out[k].url == "" {
			out[k].url = rb.defaultURL(i, out[k].kind)
		}
		out[k].lastSync = sync[out[k].url]
	}
	return out
}

func orKind(a, b string) string {
	if a == "crl" || a == "ocsp" {
		return a
	}
	return b
}

// defaultURL is the URL a certificate's CRL or OCSP response is looked up
// at: the look-alike's (or real certificate's) first one.
func (rb *rebuild) defaultURL(i int, kind string) string {
	x := rb.certs[i].X
	if kind == "ocsp" {
		if len(x.OCSPServer) > 0 {
			return x.OCSPServer[0]
		}
		return ""
	}
	if len(x.CRLDistributionPoints) > 0 {
		return x.CRLDistributionPoints[0]
	}
	return ""
}

// fail makes the network fail for a URL as event 53 says it did:
// ERROR_WINHTTP_TIMEOUT as a timeout, anything else as unreachable.
func (rb *rebuild) fail(e *Event) {
	r := e.Retrieval
	code := r.ActionError
	if !code.Set || code.OK() {
		code = e.Result
	}
	f := netsim.FailOffline
	if code.Value == WinHTTPTimeout || code.Value == 0x80072EE2 {
		f = netsim.FailTimeout
	}
	rule := netsim.Rule{Response: netsim.Response{Fail: f}}
	if r.Kind() == "ocsp" {
		rb.network.AddPrefix(ocspBase(r.URL), rule)
	} else {
		rb.network.Add(r.URL, rule)
	}
}

// place generates (or takes the real) object and puts it at its URL.
func (rb *rebuild) place(i int, p placement) error {
	key := p.url + "|" + p.fileRef
	if p.url == "" || rb.placed[key] {
		return nil
	}
	rb.placed[key] = true
	der, getURL, err := rb.object(i, p)
	if err != nil || der == nil {
		return err
	}
	switch {
	case p.wire:
		if p.kind == "ocsp" {
			rb.network.AddPrefix(ocspBase(p.url), netsim.Rule{Response: netsim.Response{Body: der}})
		} else {
			rb.network.Serve(p.url, der)
		}
	default:
		sync := p.lastSync
		if sync.IsZero() {
			sync = rb.thisUpdate(p)
		}
		if sync.IsZero() || !sync.Before(rb.when) {
			sync = rb.when.Add(-time.Minute)
		}
		u := p.url
		if getURL != "" {
			u = getURL
		}
		if strings.EqualFold(p.location, "TvoCache") {
			// In the process memory: fetched by this process before the
			// operation (served only until then), which, as a download on
			// Windows does, also writes the URL cache.
			rb.network.Schedule(u, sync, rb.when, netsim.Response{Body: der})
			kind := cache.KindCRL
			if p.kind == "ocsp" {
				kind = cache.KindOCSP
			}
			rb.warm = append(rb.warm, warmFetch{url: u, kind: kind, at: sync})
			rb.notef("%s: Windows had its %s in memory (TvoCache); the replay fetches it into memory at %s, before the operation", rb.els[i].Cert.Subject, kindWords(p.kind), stamp(sync))
			return nil
		}
		if err := rb.folder.Put(urlcache.URLName(u), urlcache.NewMetaData(u, len(der), sync, ""), der); err != nil {
			return err
		}
	}
	return nil
}

// warmFetch is an object Windows had in its memory cache, fetched by the
// replay's process before the operation.
type warmFetch struct {
	url  string
	kind cache.Kind
	at   time.Time
}

// warmUp fetches the memory-cache objects into c's process at their times,
// then sets the clock back to the operation's.
func (rb *rebuild) warmUp(ctx context.Context, c *client.Client) error {
	for _, w := range rb.warm {
		rb.clock.Set(w.at)
		res, err := c.Retriever().Retrieve(ctx, w.url, w.kind, cache.Options{WireOnly: true})
		if err != nil {
			return err
		}
		if !res.OK {
			rb.notef("%s could not be put in memory: %v", w.url, res.Err)
		}
	}
	rb.clock.Set(rb.when)
	return nil
}

func (rb *rebuild) thisUpdate(p placement) time.Time {
	if c := rb.objs.CRLs[p.fileRef]; c != nil {
		return c.ThisUpdate
	}
	if o := rb.objs.OCSP[p.fileRef]; o != nil && len(o.Responses) > 0 {
		return o.Responses[0].ThisUpdate
	}
	return time.Time{}
}

// issuerOf returns the index of element i's issuer in the chain.
func (rb *rebuild) issuerOf(i int) int {
	if i+1 < len(rb.els) {
		return i + 1
	}
	return i
}

// object returns the DER of the object p names and, for an OCSP response,
// the GET URL the revocation check will look it up at.
func (rb *rebuild) object(i int, p placement) ([]byte, string, error) {
	who := rb.els[i].Cert.Subject
	iss := rb.issuerOf(i)
	var getURL string
	if p.kind == "ocsp" {
		req, err := revocation.OCSPRequest(rb.certs[i], rb.certs[iss])
		if err != nil {
			rb.notef("%s: no OCSP request can be built (%v): its OCSP response is not placed", who, err)
			return nil, "", nil
		}
		getURL = revocation.OCSPGetURL(ocspBase(p.url), req)
	}
	if rb.real {
		th := thumbprintOf(p.fileRef)
		var der []byte
		if p.kind == "ocsp" {
			der = rb.realObjects().OCSP[th]
		} else {
			der = rb.realObjects().CRLs[th]
		}
		if der == nil {
			rb.notef("%s: %s %s is not in --certs: not placed", who, kindWords(p.kind), p.fileRef)
		}
		return der, getURL, nil
	}
	signer := rb.keys[iss]
	issuer := rb.certs[iss].X
	revoked := rb.els[i].Revocation != nil && rb.els[i].Revocation.Result.Value == uint32(chain.CRYPT_E_REVOKED)
	if p.kind == "ocsp" {
		info := rb.objs.OCSP[p.fileRef]
		if info == nil || len(info.Responses) == 0 {
			rb.notef("%s: OCSP response %s has no event 90 description: not placed", who, p.fileRef)
			return nil, "", nil
		}
		if len(info.DelegatedSigner) > 0 {
			rb.notef("%s: Windows' OCSP response was signed by a delegated responder (%s) the log only names; the replay's is signed by the CA", who, NameString(info.DelegatedSigner))
		}
		s := info.Responses[0]
		t := ocsp.Response{Status: s.CertStatus, SerialNumber: rb.certs[i].X.SerialNumber, ThisUpdate: s.ThisUpdate, NextUpdate: s.NextUpdate, IssuerHash: crypto.SHA1}
		if s.CertStatus == ocsp.Revoked {
			t.RevokedAt = s.RevocationTime
			if t.RevokedAt.IsZero() {
				t.RevokedAt = s.ThisUpdate
			}
		}
		der, err := ocsp.CreateResponse(issuer, issuer, t, signer)
		if err != nil {
			return nil, "", fmt.Errorf("%s: cannot generate an OCSP response: %w", who, err)
		}
		return der, getURL, nil
	}
	info := rb.objs.CRLs[p.fileRef]
	if info == nil {
		rb.notef("%s: CRL %s has no event 90 description: not placed", who, p.fileRef)
		return nil, "", nil
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		rb.notef("%s: its issuer has no cRLSign key usage: the CRL is not placed", who)
		return nil, "", nil
	}
	num := new(big.Int).SetBytes(parseHexBytes(info.Number))
	t := &x509.RevocationList{Number: num, ThisUpdate: info.ThisUpdate, NextUpdate: info.NextUpdate}
	if revoked && p.fileRef == rb.elementObject(i) {
		t.RevokedCertificateEntries = []x509.RevocationListEntry{{SerialNumber: rb.certs[i].X.SerialNumber, RevocationTime: info.ThisUpdate}}
		rb.notef("%s: revocation time unknown to the log: the look-alike CRL says %s (its thisUpdate)", who, stamp(info.ThisUpdate))
	}
	issuerCopy := *issuer
	if issuerCopy.KeyUsage == 0 {
		issuerCopy.KeyUsage = x509.KeyUsageCRLSign // Go refuses to sign without it; the certificate is unchanged
	}
	der, err := x509.CreateRevocationList(rand.Reader, t, &issuerCopy, signer)
	if err != nil {
		return nil, "", fmt.Errorf("%s: cannot generate a look-alike CRL: %w", who, err)
	}
	return der, getURL, nil
}

// elementObject is the fileRef of the object element i's RevocationInfo
// (or its event 41) names.
func (rb *rebuild) elementObject(i int) string {
	if r := rb.els[i].Revocation; r != nil && r.Object != nil {
		return r.Object.FileRef
	}
	for _, e := range rb.op.eventsFor(rb.els[i].Cert.FileRef) {
		if e.ID == EventRevocation && e.Revocation.Object != nil {
			return e.Revocation.Object.FileRef
		}
	}
	return ""
}

func (rb *rebuild) realObjects() *RealObjects { return rb.realObjs }

// revocationHRESULT maps winchain's revocation result to the
// RevocationResult Windows logs.
func revocationHRESULT(r *chain.RevocationInfo) (uint32, bool) {
	if r == nil {
		return 0, false
	}
	switch revocation.Status(r.Result) {
	case revocation.Good:
		return 0, true
	case revocation.Revoked:
		return uint32(chain.CRYPT_E_REVOKED), true
	case revocation.Offline, revocation.Unknown:
		return uint32(chain.CRYPT_E_REVOCATION_OFFLINE), true
	case revocation.NoCheck:
		return uint32(chain.CRYPT_E_NO_REVOCATION_CHECK), true
	}
	return 0, false
}

// outcomeOf renders winchain's result in the shape of Windows'.
func outcomeOf(res *client.Result) *Outcome {
	cc := res.Chain
	t := cc.TrustStatus.JSON()
	o := &Outcome{TrustStatus: &t, Elements: []ElementJSON{}, Result: fmt.Sprintf("0x%08X", uint32(chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error))}
	if len(cc.Chains) > 0 {
		for _, el := range cc.Chains[0].Elements {
			name := el.Cert.X.Subject.CommonName
			if name == "" {
				name = el.Cert.Subject()
			}
			j := ElementJSON{Subject: name, SHA1: el.Cert.Thumbprint(), TrustStatus: el.TrustStatus.JSON()}
			if code, ok := revocationHRESULT(el.Revocation); ok {
				j.Revocation = &RevocationInfo{Result: fmt.Sprintf("0x%08X", code), Source: el.Revocation.Source, Location: el.Revocation.From}
			}
			o.Elements = append(o.Elements, j)
		}
	}
	p := res.Policy
	o.Policy = &PolicyJSON{Name: strings.ToUpper(strings.TrimPrefix(p.Policy.String(), "CERT_CHAIN_POLICY_")), Error: fmt.Sprintf("0x%08X", uint32(p.Error)),
		ErrorName: p.Error.Name(), ChainIndex: p.ChainIndex, ElementIndex: p.ElementIndex}
	return o
}

// compare lists where winchain's outcome differs from Windows': chain
// length, the chain and element status words, each element's revocation
// result, the thumbprints (real certificates only) and the policy result.
func compare(w, c *Outcome, real bool) []string {
	d := []string{}
	diff := func(what, a, b string) {
		if a != b {
			d = append(d, fmt.Sprintf("%s: windows %s, winchain %s", what, a, b))
		}
	}
	if w.TrustStatus != nil && c.TrustStatus != nil {
		diff("chain errorStatus", w.TrustStatus.ErrorStatus, c.TrustStatus.ErrorStatus)
		diff("chain infoStatus", w.TrustStatus.InfoStatus, c.TrustStatus.InfoStatus)
	}
	if len(w.Elements) != len(c.Elements) {
		d = append(d, fmt.Sprintf("chain length: windows %d elements, winchain %d", len(w.Elements), len(c.Elements)))
	}
	for i := 0; i < len(w.Elements) && i < len(c.Elements); i++ {
		we, ce := w.Elements[i], c.Elements[i]
		if real {
			diff(fmt.Sprintf("element %d sha1", i), we.SHA1, ce.SHA1)
		}
		diff(fmt.Sprintf("element %d errorStatus", i), we.TrustStatus.ErrorStatus, ce.TrustStatus.ErrorStatus)
		diff(fmt.Sprintf("element %d infoStatus", i), we.TrustStatus.InfoStatus, ce.TrustStatus.InfoStatus)
		if we.Revocation == nil {
			continue
		}
		got := "none"
		if ce.Revocation != nil {
			got = ce.Revocation.Result
		}
		if we.Revocation.Result == "0x00000000" && we.Revocation.Source == "" && (got == "none" || got == "0x80092012") {
			continue // no check made (a self-signed root): Windows logs 0
		}
		diff(fmt.Sprintf("element %d revocation", i), we.Revocation.Result, got)
	}
	if w.Policy != nil && c.Policy != nil {
		diff("policy error", w.Policy.Error, c.Policy.Error)
		if w.Policy.Error != "0x00000000" && w.Policy.Error == c.Policy.Error {
			diff("policy element", fmt.Sprintf("%d/%d", w.Policy.ChainIndex, w.Policy.ElementIndex),
				fmt.Sprintf("%d/%d", c.Policy.ChainIndex, c.Policy.ElementIndex))
		}
	}
	return d
}
