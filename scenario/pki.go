package scenario

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/netsim"
)

// pki holds the loaded certificates and keys.
type pki struct {
	certs map[string]*certs.Certificate
	keys  map[string]crypto.Signer
	// names maps a certificate's SHA-256 back to its scenario name.
	names map[[32]byte]string
}

func (s *Spec) loadPKI() (*pki, error) {
	p := &pki{certs: map[string]*certs.Certificate{}, keys: map[string]crypto.Signer{}, names: map[[32]byte]string{}}
	names := make([]string, 0, len(s.PKI.Certs))
	for n := range s.PKI.Certs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		file := s.PKI.Certs[n]
		data, err := s.readFile(file)
		if err != nil {
			return nil, &Error{File: file, Field: "pki.certs." + n, Err: err}
		}
		cs, err := certs.ParseAll(data, file)
		if err != nil {
			return nil, &Error{File: file, Field: "pki.certs." + n, Err: err}
		}
		p.certs[n] = cs[0]
		p.names[cs[0].SHA256] = n
	}
	for n, file := range s.PKI.Keys {
		data, err := s.readFile(file)
		if err != nil {
			return nil, &Error{File: file, Field: "pki.keys." + n, Err: err}
		}
		k, err := parseKey(data)
		if err != nil {
			return nil, &Error{File: file, Field: "pki.keys." + n, Err: err}
		}
		p.keys[n] = k
	}
	return p, nil
}

func parseKey(data []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, errors.New("no PEM block: want a PEM private key")
	}
	var k any
	var err error
	switch b.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", b.Type)
	}
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("key cannot sign")
	}
	return s, nil
}

// buildNetwork installs what the scenario's servers publish on the
// simulated network: CRLs re-signed every publish period, OCSP responders,
// AIA certificates, then the outage rules (which win, being added last).
func (s *Spec) buildNetwork(p *pki, net *netsim.Network) error {
	end := s.Start.Add(s.Duration.D())
	for _, c := range s.CRLs {
		issuer, key := p.certs[c.Issuer], p.keys[c.Issuer]
		first := s.Start.Add(c.FirstPublish.D())
		for n, at := 0, first; at.Before(end); n, at = n+1, at.Add(c.PublishEvery.D()) {
			der, err := makeCRL(issuer, key, int64(n+1), at, at.Add(c.Validity.D()), revokedAt(p, c.Revoked, s.Start, at))
			if err != nil {
				return &Error{File: s.errFile(), Field: "crls " + c.URL, Err: err}
			}
			until := at.Add(c.PublishEvery.D())
			from := at
			if n == 0 {
				from = time.Time{} // published before the simulation too
			}
			net.Add(c.URL, netsim.Rule{From: from, Until: until, Response: netsim.Response{Body: der}})
		}
	}
	for _, o := range s.OCSP {
		o := o
		issuer, key := p.certs[o.Issuer], p.keys[o.Issuer]
		prefix := strings.TrimSuffix(o.URL, "/") + "/"
		byserial := map[string]time.Time{} // revoked serials
		for _, r := range o.Revoked {
			byserial[p.certs[r.Cert].X.SerialNumber.String()] = s.Start.Add(r.At.D())
		}
		net.AddPrefix(prefix, netsim.Rule{Func: func(req *cache.FetchRequest, now time.Time) netsim.Response {
			return ocspAnswer(req, prefix, issuer, key, o.Validity.D(), byserial, now)
		}})
		if o.URL != prefix {
			net.AddPrefix(o.URL, netsim.Rule{Func: func(req *cache.FetchRequest, now time.Time) netsim.Response {
				return ocspAnswer(req, o.URL, issuer, key, o.Validity.D(), byserial, now)
			}})
		}
	}
	for _, a := range s.AIA {
		net.Serve(a.URL, p.certs[a.Cert].X.Raw)
	}
	for i, st := range s.Static {
		body, err := s.readFile(st.File)
		if err != nil {
			return &Error{File: st.File, Field: fmt.Sprintf("static[%d].file", i), Err: err}
		}
		net.Serve(st.URL, body)
	}
	for _, r := range s.Network {
		rule := netsim.Rule{Response: netsim.Response{Fail: netsim.Failure(r.Fail), Status: r.Status, Latency: r.Latency.D()}}
		rule.From = s.Start.Add(r.From.D())
		if r.Until != 0 {
			rule.Until = s.Start.Add(r.Until.D())
		}
		if r.URL != "" {
			net.Add(r.URL, rule)
		} else {
			net.AddPrefix(r.Prefix, rule)
		}
	}
	return nil
}

func revokedAt(p *pki, list []RevokedSpec, start, at time.Time) []x509.RevocationListEntry {
	var out []x509.RevocationListEntry
	for _, r := range list {
		when := start.Add(r.At.D())
		if !when.After(at) {
			out = append(out, x509.RevocationListEntry{SerialNumber: p.certs[r.Cert].X.SerialNumber, RevocationTime: when})
		}
	}
	return out
}

func makeCRL(issuer *certs.Certificate, key crypto.Signer, number int64, this, next time.Time, revoked []x509.RevocationListEntry) ([]byte, error) {
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(number), ThisUpdate: this, NextUpdate: next, RevokedCertificateEntries: revoked,
	}, issuer.X, key)
}

// ocspAnswer decodes an OCSP GET request (base64 DER after the responder
// URL, spec §3.4) or a POST body and answers for the CA.
func ocspAnswer(req *cache.FetchRequest, prefix string, issuer *certs.Certificate, key crypto.Signer, validity time.Duration, revoked map[string]time.Time, now time.Time) netsim.Response {
	raw := req.Body
	if req.Method != "POST" {
		enc := strings.TrimPrefix(req.URL, prefix)
		unesc, err := url.PathUnescape(enc)
		if err != nil {
			return netsim.Response{Status: 400}
		}
		if raw, err = base64.StdEncoding.DecodeString(unesc); err != nil {
			return netsim.Response{Status: 400}
		}
	}
	r, err := ocsp.ParseRequest(raw)
	if err != nil {
		return netsim.Response{Status: 400}
	}
	this := now.Truncate(time.Hour)
	tmpl := ocsp.Response{
		SerialNumber: r.SerialNumber,
		Status:       ocsp.Good,
		ThisUpdate:   this,
		NextUpdate:   this.Add(validity),
		IssuerHash:   r.HashAlgorithm,
	}
	if at, ok := revoked[r.SerialNumber.String()]; ok && !at.After(now) {
		tmpl.Status = ocsp.Revoked
		tmpl.RevokedAt = at
	}
	der, err := ocsp.CreateResponse(issuer.X, issuer.X, tmpl, key)
	if err != nil {
		return netsim.Response{Status: 500}
	}
	return netsim.Response{Body: der}
}
