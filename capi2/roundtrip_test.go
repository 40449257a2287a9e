package capi2

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
	"github.com/winchain/winchain/revocation"
)

// The round trip: winchain produces a chain result on a real PKI,
// writeCAPI2 writes it as the CAPI2 events Windows would log for it (spec
// §7.3), and the replay of that log must agree with it — with look-alike
// certificates, and with the real ones from --certs.

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&#34;")
}

func sha1Ref(der []byte, ext string) string { return thumb(der) + ext }

// logWriter accumulates events of one operation.
type logWriter struct {
	b       strings.Builder
	rec     int
	seq     int
	task    string
	now     time.Time
	process string
}

func (w *logWriter) event(id, level int, elem, body, result string) {
	w.rec++
	w.seq++
	if result != "" {
		result = fmt.Sprintf(`<Result value="%s" />`, result)
	}
	fmt.Fprintf(&w.b, `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-CAPI2" Guid="{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}" /><EventID>%d</EventID><Version>0</Version><Level>%d</Level><TimeCreated SystemTime="%s" /><EventRecordID>%d</EventRecordID><Execution ProcessID="3100" ThreadID="3104" /><Channel>Microsoft-Windows-CAPI2/Operational</Channel><Computer>RT-1</Computer></System><UserData><%s>%s<EventAuxInfo ProcessName="%s" /><CorrelationAuxInfo TaskId="%s" SeqNumber="%d" />%s</%s></UserData></Event>`+"\n",
		id, level, w.now.Add(time.Duration(w.rec)*time.Millisecond).Format("2006-01-02T15:04:05.0000000Z"), w.rec, elem, body, w.process, w.task, w.seq, result, elem)
}

func hexv(v uint32) string { return fmt.Sprintf("%X", v) }

func certRefXML(tag string, c *certs.Certificate) string {
	return fmt.Sprintf(`<%s fileRef="%s.cer" subjectName="%s" />`, tag, c.Thumbprint(), esc(c.X.Subject.CommonName))
}

func statusXML(t chain.TrustStatus) string {
	attrs := func(names []string) string {
		var s string
		for _, n := range names {
			if !strings.HasPrefix(n, "0x") {
				s += fmt.Sprintf(` %s="true"`, n)
			}
		}
		return s
	}
	return fmt.Sprintf(`<TrustStatus><ErrorStatus value="%s"%s /><InfoStatus value="%s"%s /></TrustStatus>`,
		hexv(uint32(t.ErrorStatus)), attrs(t.ErrorStatus.Names()), hexv(uint32(t.InfoStatus)), attrs(t.InfoStatus.Names()))
}

var rdnTypes = map[string]string{"2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "S"}

// nameXML writes a name most-specific first, as event 90 does.
func nameXML(tag string, raw []byte) string {
	seq, err := certs.ParseName(raw)
	if err != nil {
		panic(err)
	}
	var s string
	for i := len(seq) - 1; i >= 0; i-- {
		for _, a := range seq[i] {
			s += fmt.Sprintf("<%[1]s>%s</%[1]s>", rdnTypes[a.Type.String()], esc(fmt.Sprint(a.Value)))
		}
	}
	return "<" + tag + ">" + s + "</" + tag + ">"
}

func keyXML(c *certs.Certificate) string {
	switch k := c.X.PublicKey.(type) {
	case *ecdsa.PublicKey:
		return fmt.Sprintf(`<PublicKeyAlgorithm oid="1.2.840.10045.2.1" publicKeyName="ECC" publicKeyLength="%d" />`, k.Curve.Params().BitSize)
	case *rsa.PublicKey:
		return fmt.Sprintf(`<PublicKeyAlgorithm oid="1.2.840.113549.1.1.1" publicKeyName="RSA" publicKeyLength="%d" />`, k.N.BitLen())
	}
	return ""
}

func hashName(a x509.SignatureAlgorithm) string {
	s := a.String() // "ECDSA-SHA256", "SHA256-RSA"
	for _, h := range []string{"SHA1", "SHA256", "SHA384", "SHA512"} {
		if strings.Contains(s, h) {
			return h
		}
	}
	return ""
}

func cert90(c *certs.Certificate) string {
	x := c.X
	var ext string
	if len(x.AuthorityKeyId) > 0 {
		ext += fmt.Sprintf(`<AuthorityKeyIdentifier><KeyID hash="%X" /></AuthorityKeyIdentifier>`, x.AuthorityKeyId)
	}
	if x.KeyUsage != 0 {
		ext += `<KeyUsage critical="true" value="0"`
		for _, b := range keyUsageBits {
			if x.KeyUsage&b.bit != 0 {
				ext += fmt.Sprintf(` %s="true"`, b.name)
			}
		}
		ext += " />"
	}
	if len(x.ExtKeyUsage) > 0 {
		ext += "<ExtendedKeyUsage>"
		for _, u := range x.ExtKeyUsage {
			for oid, e := range extKeyUsages {
				if e == u {
					ext += fmt.Sprintf(`<Usage oid="%s" />`, oid)
				}
			}
		}
		ext += "</ExtendedKeyUsage>"
	}
	if x.BasicConstraintsValid {
		pl := ""
		if x.MaxPathLen > 0 || x.MaxPathLenZero {
			pl = fmt.Sprintf(` pathLenConstraint="%d"`, x.MaxPathLen)
		}
		ext += fmt.Sprintf(`<BasicConstraints critical="true" cA="%t"%s />`, x.IsCA, pl)
	}
	if len(x.DNSNames) > 0 {
		ext += "<SubjectAltName>"
		for _, d := range x.DNSNames {
			ext += "<DNSName>" + esc(d) + "</DNSName>"
		}
		ext += "</SubjectAltName>"
	}
	ski := fmt.Sprintf(`<SubjectKeyID computed="false" hash="%X" />`, x.SubjectKeyId)
	return fmt.Sprintf(`<Certificate fileRef="%s.cer" subjectName="%s">%s%s<SignatureAlgorithm oid="%s" hashName="%s" />%s%s<SerialNumber>%X</SerialNumber><NotBefore>%s</NotBefore><NotAfter>%s</NotAfter><Extensions>%s</Extensions></Certificate>`,
		c.Thumbprint(), esc(x.Subject.CommonName), nameXML("Subject", x.RawSubject), ski, x.SignatureAlgorithm, hashName(x.SignatureAlgorithm), keyXML(c),
		nameXML("Issuer", x.RawIssuer), x.SerialNumber.Bytes(), x.NotBefore.UTC().Format(time.RFC3339), x.NotAfter.UTC().Format(time.RFC3339), ext)
}

func crl90(der []byte) string {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf(`<CertificateRevocationList fileRef="%s" issuerName="%s">%s<ThisUpdate>%s</ThisUpdate><NextUpdate>%s</NextUpdate><Extensions><AuthorityKeyIdentifier><KeyID hash="%X" /></AuthorityKeyIdentifier><CRLNumber>%X</CRLNumber></Extensions></CertificateRevocationList>`,
		sha1Ref(der, ".crl"), esc(crl.Issuer.CommonName), nameXML("Issuer", crl.RawIssuer), crl.ThisUpdate.UTC().Format(time.RFC3339), crl.NextUpdate.UTC().Format(time.RFC3339), crl.AuthorityKeyId, crl.Number.Bytes())
}

func ocsp90(der []byte, issuer *certs.Certificate) string {
	r, err := ocsp.ParseResponse(der, issuer.X)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf(`<OCSPResponse fileRef="%s" issuerName="%s"><Status value="0">OCSP_SUCCESSFUL_RESPONSE</Status><ProducedAt>%s</ProducedAt><Response><SerialNumber>%X</SerialNumber><CertStatus value="%d" /><ThisUpdate>%s</ThisUpdate><NextUpdate>%s</NextUpdate></Response></OCSPResponse>`,
		sha1Ref(der, ".bin"), esc(issuer.X.Subject.CommonName), r.ProducedAt.UTC().Format(time.RFC3339), r.SerialNumber.Bytes(), r.Status,
		r.ThisUpdate.UTC().Format(time.RFC3339), r.NextUpdate.UTC().Format(time.RFC3339))
}

var chainFlagNames = map[chain.Flags]string{
	chain.RevocationCheckEndCert: "CERT_CHAIN_REVOCATION_CHECK_END_CERT", chain.RevocationCheckChain: "CERT_CHAIN_REVOCATION_CHECK_CHAIN",
	chain.RevocationCheckChainExclRoot: "CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT", chain.RevocationCheckCacheOnly: "CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY",
}

func flagsXML(f chain.Flags) string {
	s := fmt.Sprintf(`<Flags value="%s"`, hexv(uint32(f)))
	for bit, n := range chainFlagNames {
		if f&bit != 0 {
			s += fmt.Sprintf(` %s="true"`, n)
		}
	}
	return s + " />"
}

// location is the event location word for where winchain found an object.
func location(from string) string {
	switch from {
	case "memory":
		return "TvoCache"
	case "disk":
		return "UrlCache"
	}
	return "Wire"
}

// writeCAPI2 writes res as the events Windows logs for one
// CertGetCertificateChain + CertVerifyCertificateChainPolicy (spec §7.3):
// 10; per checked element 40, the cache lookups (50/51), network fetches
// (52/53) and refusals (42) of its revocation URLs, 41; 90; 11; then 30
// under its own TaskId, linked by chainRef.
//
// bodies holds the CRLs and OCSP responses by URL (from every call of the
// process): an object served from the memory cache is not in res's
// retrieval log.
func writeCAPI2(t *testing.T, res *client.Result, vo client.VerifyOptions, additional []*certs.Certificate, now time.Time, bodies map[string][]byte) []byte {
	t.Helper()
	w := &logWriter{task: "{6A1E0C2D-7B3F-4A59-8C1D-2E3F4A5B6C7D}", now: now, process: "roundtrip.exe"}
	w.b.WriteString("<Events>\n")
	cc := res.Chain
	els := cc.Chains[0].Elements
	w.event(10, 4, "CertGetCertificateChainStart", "", "")
	for _, r := range cc.Retrievals {
		// Issuer fetches (AIA) come first, while the chain is built.
		if r.Kind != cache.KindAIA || r.From != cache.FromNetwork {
			continue
		}
		url := fmt.Sprintf(`<URL scheme="http">%s</URL><Object type="CONTEXT_OID_CAPI2_ANY" />`, esc(r.URL))
		w.event(52, 4, "CryptRetrieveObjectByUrlWireStart", url+`<Timeout>PT15S</Timeout>`, "")
		if !r.OK {
			w.event(53, 2, "CryptRetrieveObjectByUrlWire", url+`<Timeout>PT15S</Timeout><Action name="Call_WinHttpSendRequest"><Error value="2EFD" /></Action>`, "2EFD")
			continue
		}
		w.event(53, 4, "CryptRetrieveObjectByUrlWire", url+fmt.Sprintf(`<Timeout>PT15S</Timeout><RetrievedObjects><Certificate fileRef="%s" /></RetrievedObjects>`, sha1Ref(r.Body, ".cer")), "0")
	}
	cacheOnly := vo.Params.Flags&chain.RevocationCheckCacheOnly != 0
	revFlags := `<Flags value="0" />`
	if cacheOnly {
		revFlags = `<Flags value="2" CERT_VERIFY_CACHE_ONLY_BASED_REVOCATION="true" />`
	}
	var objects string
	seenObj := map[string]bool{}
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z")
	for i, el := range els {
		rev := el.Revocation
		if rev == nil || rev.Result == string(revocation.NotChecked) || rev.Result == string(revocation.NoCheck) {
			continue
		}
		issuer := els[min(i+1, len(els)-1)].Cert
		head := certRefXML("Certificate", el.Cert) + certRefXML("IssuerCertificate", issuer) + revFlags +
			fmt.Sprintf(`<AdditionalParameters timeToUse="%s" currentTime="%s" urlRetrievalTimeout="PT15S" />`, ts, ts)
		w.event(40, 4, "CertVerifyRevocationStart", head, "")
		for _, r := range cc.Retrievals {
			if !belongsTo(r, el.Cert) {
				continue
			}
			otype, ext := "CONTEXT_OID_CRL", ".crl"
			if r.Kind == cache.KindOCSP {
				otype, ext = "CONTEXT_OID_OCSP_RESP", ".bin"
			}
			url := fmt.Sprintf(`<URL scheme="http">%s</URL><Object type="%s" />`, esc(r.URL), otype)
			switch {
			case r.From == cache.FromNone:
				continue // not a lookup (the wire attempt a cache-only call refuses)
			case r.From == cache.FromDisk:
				flags := `<Flags value="0" />`
				if cacheOnly {
					flags = `<Flags value="1" CRYPT_CACHE_ONLY_RETRIEVAL="true" />`
				}
				w.event(50, 4, "CryptRetrieveObjectByUrlCacheStart", url+flags, "")
				if !r.OK {
					w.event(51, 2, "CryptRetrieveObjectByUrlCache", url+flags, "80092004")
					continue
				}
				ref := sha1Ref(r.Body, ext)
				w.event(51, 4, "CryptRetrieveObjectByUrlCache", url+flags+fmt.Sprintf(`<CacheInfo lastSyncTime="%s" /><RetrievedObjects><CertificateRevocationList fileRef="%s" /></RetrievedObjects>`,
					r.LastDownload.UTC().Format(time.RFC3339), ref), "0")
				if crl, err := x509.ParseRevocationList(r.Body); err == nil && !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(now) {
					w.event(42, 2, "CertRejectedRevocationInfo", certRefXML("SubjectCertificate", el.Cert)+certRefXML("IssuerCertificate", issuer)+
						fmt.Sprintf(`<CertificateRevocationList location="UrlCache" url="%s" fileRef="%s" /><Action name="CheckTimeValidity" />`, esc(r.URL), ref), "80092013")
				}
			case r.From == cache.FromNetwork:
				w.event(52, 4, "CryptRetrieveObjectByUrlWireStart", url+`<Timeout>PT15S</Timeout>`, "")
				if !r.OK {
					code := "2EFD"
					if r.Blocked >= r.Timeout && r.Timeout > 0 {
						code = "2EE2"
					}
					w.event(53, 2, "CryptRetrieveObjectByUrlWire", url+fmt.Sprintf(`<Timeout>PT15S</Timeout><Action name="Call_WinHttpReceiveResponse"><Error value="%s" /></Action>`, code), code)
					continue
				}
				w.event(53, 4, "CryptRetrieveObjectByUrlWire", url+fmt.Sprintf(`<Timeout>PT15S</Timeout><RetrievedObjects><Object fileRef="%s" /></RetrievedObjects>`, sha1Ref(r.Body, ext)), "0")
			}
			if r.OK && !seenObj[thumb(r.Body)] {
				seenObj[thumb(r.Body)] = true
				if r.Kind == cache.KindOCSP {
					objects += ocsp90(r.Body, issuer)
				} else {
					objects += crl90(r.Body)
				}
			}
		}
		code := fmt.Sprintf("%X", mustCode(rev))
		obj := ""
		if rev.Result == string(revocation.Good) || rev.Result == string(revocation.Revoked) {
			url := rev.URL
			if url == "" && rev.Source == "crl" && len(el.Cert.X.CRLDistributionPoints) > 0 {
				url = el.Cert.X.CRLDistributionPoints[0] // a memory hit names no URL
			}
			body := bodies[url]
			tag, ext := "CertificateRevocationList", ".crl"
			if rev.Source == "ocsp" {
				tag, ext = "OCSPResponse", ".bin"
			}
			obj = fmt.Sprintf(`<%s location="%s" url="%s" fileRef="%s" />`, tag, location(rev.From), esc(url), sha1Ref(body, ext))
			if !seenObj[thumb(body)] {
				seenObj[thumb(body)] = true
				if rev.Source == "ocsp" {
					objects += ocsp90(body, issuer)
				} else {
					objects += crl90(body)
				}
			}
		}
		level := 4
		if code != "0" {
			level = 2
		}
		w.event(41, level, "CertVerifyRevocation", head+fmt.Sprintf(`<RevocationStatus index="0" error="%s" reason="%d" />`, code, rev.Reason)+obj, code)
		els[i].Detail = append(els[i].Detail[:len(els[i].Detail):len(els[i].Detail)], "obj:"+obj)
	}
	for _, el := range els {
		objects += cert90(el.Cert)
	}
	w.event(90, 4, "X509Objects", objects, "")
	body := certRefXML("Certificate", els[0].Cert) + "<AdditionalStore>"
	for _, a := range additional {
		body += certRefXML("Certificate", a)
	}
	body += "</AdditionalStore>"
	if len(vo.Params.Usage) > 0 {
		body += "<ExtendedKeyUsage>"
		for _, u := range vo.Params.Usage {
			body += fmt.Sprintf(`<Usage oid="%s" />`, u)
		}
		body += "</ExtendedKeyUsage>"
	}
	ref := "{1F2E3D4C-5B6A-4798-8A9B-0C1D2E3F4A5B}"
	body += flagsXML(vo.Params.Flags) + `<ChainEngineInfo context="user" />` + fmt.Sprintf(`<CertificateChain chainRef="%s">`, ref) + statusXML(cc.TrustStatus)
	for _, el := range els {
		body += "<ChainElement>" + certRefXML("Certificate", el.Cert) + keyXML(el.Cert) + statusXML(el.TrustStatus)
		if rev := el.Revocation; rev != nil && rev.Result != string(revocation.NotChecked) {
			obj := ""
			for _, d := range el.Detail {
				if o, ok := strings.CutPrefix(d, "obj:"); ok {
					obj = o
				}
			}
			body += fmt.Sprintf(`<RevocationInfo><RevocationResult value="%X" />%s</RevocationInfo>`, mustCode(rev), obj)
		}
		body += "</ChainElement>"
	}
	body += "</CertificateChain>"
	base := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	w.event(11, 4, "CertGetCertificateChain", body, hexv(uint32(base.Error)))
	w.task, w.seq = "{2B3C4D5E-6F70-4182-93A4-B5C6D7E8F901}", 0
	pol := res.Policy
	ptype := "CERT_CHAIN_POLICY_BASE"
	if vo.Policy == chain.PolicySSL {
		ptype = "CERT_CHAIN_POLICY_SSL"
	}
	w.event(30, 4, "CertVerifyCertificateChainPolicy", fmt.Sprintf(`<Policy type="%s" />`, ptype)+certRefXML("Certificate", els[0].Cert)+
		fmt.Sprintf(`<CertificateChain chainRef="%s" /><Flags value="0" /><SSLAdditionalPolicyInfo authType="server" serverName="%s" /><Status chainIndex="%d" elementIndex="%d" />`,
			ref, esc(vo.PolicyPara.ServerName), pol.ChainIndex, pol.ElementIndex), hexv(uint32(pol.Error)))
	w.b.WriteString("</Events>\n")
	return []byte(w.b.String())
}

func mustCode(r *chain.RevocationInfo) uint32 {
	c, _ := revocationHRESULT(r)
	return c
}

// bodiesOf collects the objects of the calls' retrieval logs by URL.
func bodiesOf(results ...*client.Result) map[string][]byte {
	m := map[string][]byte{}
	for _, res := range results {
		for _, r := range res.Chain.Retrievals {
			if r.OK && len(r.Body) > 0 {
				m[r.URL] = r.Body
			}
		}
	}
	return m
}

// belongsTo reports whether a retrieval is one of the certificate's
// revocation URLs.
func belongsTo(r *cache.Result, c *certs.Certificate) bool {
	for _, u := range c.X.CRLDistributionPoints {
		if r.URL == u {
			return true
		}
	}
	for _, u := range c.X.OCSPServer {
		if strings.HasPrefix(r.URL, strings.TrimSuffix(u, "/")+"/") && r.Kind == cache.KindOCSP {
			return true
		}
	}
	return false
}

// rtPKI is a root → issuing CA → leaf PKI with CRL (and OCSP) URLs.
type rtPKI struct {
	root, inter, leaf *testpki.CA
}

const (
	rtRootCRL  = "http://pki.rt.test/root.crl"
	rtInterCRL = "http://pki.rt.test/inter.crl"
	rtOCSP     = "http://ocsp.rt.test/"
	rtInterCRT = "http://pki.rt.test/inter.crt"
)

func newRTPKI(ocspLeaf bool) *rtPKI {
	root := testpki.NewRoot("RT Root CA", testpki.ECDSA)
	inter := root.NewIntermediate("RT Issuing CA", testpki.ECDSA, func(t *x509.Certificate) { t.CRLDistributionPoints = []string{rtRootCRL} })
	leaf := inter.NewLeaf("www.rt.test", testpki.ECDSA, func(t *x509.Certificate) {
		if ocspLeaf {
			t.OCSPServer = []string{rtOCSP}
		} else {
			t.CRLDistributionPoints = []string{rtInterCRL}
		}
	})
	return &rtPKI{root: root, inter: inter, leaf: leaf}
}

func TestRoundTrip(t *testing.T) {
	now := testpki.Epoch.AddDate(0, 10, 0)
	fresh := func(ca *testpki.CA, revoked ...*big.Int) []byte {
		return ca.CRL(7, now.Add(-24*time.Hour), now.Add(6*24*time.Hour), now.Add(-48*time.Hour), revoked...)
	}
	putDisk := func(t *testing.T, f *urlcache.Folder, url string, der []byte, at time.Time) {
		require.NoError(t, f.Put(urlcache.URLName(url), urlcache.NewMetaData(url, len(der), at, ""), der))
	}
	type env struct {
		pki  *rtPKI
		net  *netsim.Network
		disk *urlcache.Folder
		root bool
		noCA bool
		// twice: verify once, move the clock past the network's answers,
		// and log the second call (served from the memory cache).
		twice bool
		at    time.Time // the machine clock and pTime, when not now
		vo    client.VerifyOptions
	}
	cases := []struct {
		name    string
		ocsp    bool
		setup   func(t *testing.T, e *env)
		want    chain.ErrorStatus
		verdict string
	}{
		{"good, CRLs from the network", false, func(t *testing.T, e *env) {
			e.net.Serve(rtRootCRL, fresh(e.pki.root))
			e.net.Serve(rtInterCRL, fresh(e.pki.inter))
		}, 0, "trusted: the chain to RT Root CA is valid; revocation good (CRL on the network)"},
		{"stale CRL in the URL cache, cache-only", false, func(t *testing.T, e *env) {
			putDisk(t, e.disk, rtRootCRL, fresh(e.pki.root), now.Add(-time.Hour))
			putDisk(t, e.disk, rtInterCRL, e.pki.inter.CRL(3, now.Add(-20*24*time.Hour), now.Add(-13*24*time.Hour), time.Time{}), now.Add(-20*24*time.Hour))
			e.vo.Params.Flags |= chain.RevocationCheckCacheOnly
		}, chain.RevocationStatusUnknown | chain.IsOfflineRevocation, "revocation offline for www.rt.test: the CRL in the URL cache was stale (nextUpdate 2026-10-19 00:00 UTC) and the call was cache-only"},
		{"network timeout", false, func(t *testing.T, e *env) {
			putDisk(t, e.disk, rtRootCRL, fresh(e.pki.root), now.Add(-time.Hour))
			e.net.Handle(rtInterCRL, netsim.Response{Fail: netsim.FailTimeout})
		}, chain.RevocationStatusUnknown | chain.IsOfflineRevocation, "revocation offline for www.rt.test: fetching http://pki.rt.test/inter.crl failed (ERROR_WINHTTP_TIMEOUT after 15s)"},
		{"revoked leaf", false, func(t *testing.T, e *env) {
			e.net.Serve(rtRootCRL, fresh(e.pki.root))
			e.net.Serve(rtInterCRL, fresh(e.pki.inter, e.pki.leaf.X().SerialNumber))
		}, chain.IsRevoked, "revoked: www.rt.test is revoked (CRL on the network)"},
		{"untrusted root", false, func(t *testing.T, e *env) {
			e.root = false
			e.vo.Params.Flags = 0
		}, chain.IsUntrustedRoot, "untrusted root: the chain ends at RT Root CA, which this client does not trust"},
		{"partial chain: the issuing CA is nowhere", false, func(t *testing.T, e *env) {
			e.vo.Params.Flags = 0
			e.noCA = true
		}, chain.IsPartialChain, "incomplete chain: no issuer was found for www.rt.test"},
		// Event 11 does not log pTime: the machine's clock (the events'
		// time) is past the leaf's notAfter, as for a caller passing NULL.
		{"expired leaf", false, func(t *testing.T, e *env) {
			e.vo.Params.Flags = 0
			e.at = testpki.Epoch.AddDate(11, 0, 0)
		}, chain.IsNotTimeValid, "not time valid: www.rt.test is expired or not yet valid (valid 2026-01-01 00:00 UTC to 2036-01-01 00:00 UTC)"},
		{"CRLs in memory from an earlier call of the process", false, func(t *testing.T, e *env) {
			e.net.Schedule(rtRootCRL, time.Time{}, now.Add(time.Second), netsim.Response{Body: fresh(e.pki.root)})
			e.net.Schedule(rtInterCRL, time.Time{}, now.Add(time.Second), netsim.Response{Body: fresh(e.pki.inter)})
			e.twice = true
		}, 0, "trusted: the chain to RT Root CA is valid; revocation good (CRL in memory)"},
		{"issuing CA fetched through AIA", false, func(t *testing.T, e *env) {
			e.vo.Params.Flags = 0
			e.noCA = true
			e.pki.leaf = e.pki.inter.NewLeaf("www.rt.test", testpki.ECDSA, func(t *x509.Certificate) {
				t.IssuingCertificateURL = []string{rtInterCRT}
			})
			e.net.Serve(rtInterCRT, e.pki.inter.X().Raw)
		}, 0, "trusted: the chain to RT Root CA is valid"},
		{"OCSP good from the network", true, func(t *testing.T, e *env) {
			e.net.Serve(rtRootCRL, fresh(e.pki.root))
			resp, err := ocsp.CreateResponse(e.pki.inter.X(), e.pki.inter.X(), ocsp.Response{Status: ocsp.Good, SerialNumber: e.pki.leaf.X().SerialNumber,
				ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}, e.pki.inter.Key)
			require.NoError(t, err)
			e.net.AddPrefix(rtOCSP, netsim.Rule{Response: netsim.Response{Body: resp}})
		}, 0, "trusted: the chain to RT Root CA is valid; revocation good (OCSP response on the network, CRL on the network)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewManual(now)
			folder, err := urlcache.OpenFS(urlcache.NewMemFS(), urlcache.Options{})
			require.NoError(t, err)
			e := &env{pki: newRTPKI(tc.ocsp), net: netsim.New(clk), disk: folder, root: true,
				vo: client.VerifyOptions{Policy: chain.PolicySSL, PolicyPara: chain.PolicyPara{ServerName: "www.rt.test"},
					Params: chain.Params{Time: now, Flags: chain.RevocationCheckChainExclRoot}}}
			tc.setup(t, e)
			if !e.at.IsZero() {
				clk.Set(e.at)
				e.vo.Params.Time = e.at
			}
			cfg := client.Config{Clock: clk, Network: e.net, CacheFolder: folder, Root: chain.NewStore("Root"), CA: chain.NewStore("CA")}
			if !e.noCA {
				cfg.CA.Add(e.pki.inter.Cert)
			}
			if e.root {
				cfg.Root.Add(e.pki.root.Cert)
			} else {
				cfg.CA.Add(e.pki.root.Cert) // found, not trusted
			}
			c, err := client.New(cfg)
			require.NoError(t, err)
			res, err := c.Verify(context.Background(), e.pki.leaf.Cert, e.vo)
			require.NoError(t, err)
			bodies := bodiesOf(res)
			if e.twice {
				clk.Advance(time.Minute)
				e.vo.Params.Time = clk.Now()
				res, err = c.Verify(context.Background(), e.pki.leaf.Cert, e.vo)
				require.NoError(t, err)
				require.Equal(t, "memory", res.Chain.Chains[0].Elements[0].Revocation.From)
				for u, b := range bodiesOf(res) {
					bodies[u] = b
				}
			}
			require.Equal(t, tc.want, res.Chain.TrustStatus.ErrorStatus, "the scenario's own result")

			log := writeCAPI2(t, res, e.vo, nil, clk.Now(), bodies)
			ops, _ := readAll(t, log)
			require.Len(t, ops, 1)
			op := ops[0]
			assert.Equal(t, tc.verdict, op.Verdict())
			if os.Getenv("RT_DEBUG") != "" {
				_ = op.WriteTimeline(os.Stdout)
			}

			rp, err := op.Replay(context.Background(), ReplayOptions{})
			require.NoError(t, err)
			require.NotNil(t, rp.Winchain, "replayed: %v", rp.Notes)
			assert.True(t, rp.Agree, "look-alike replay differs: %v\nnotes: %v\nlog:\n%s", rp.Differences, rp.Notes, log)
			assertAIA(t, op, rp)
			for i, el := range rp.Winchain.Elements {
				if w := op.windowsOutcome().Elements[i].Revocation; w != nil && w.Location == "TvoCache" {
					assert.Equal(t, "memory", el.Revocation.Location, "element %d: Windows' memory-cache object is in the replay's memory", i)
				}
			}

			real := &RealObjects{Certs: map[string]*certs.Certificate{}, CRLs: map[string][]byte{}, OCSP: map[string][]byte{}}
			for _, ca := range []*testpki.CA{e.pki.root, e.pki.inter, e.pki.leaf} {
				real.Certs[ca.Cert.Thumbprint()] = ca.Cert
			}
			for u, b := range bodies {
				if strings.HasPrefix(u, rtOCSP) {
					real.OCSP[thumb(b)] = b
				} else {
					real.CRLs[thumb(b)] = b
				}
			}
			rp, err = op.Replay(context.Background(), ReplayOptions{Real: real})
			require.NoError(t, err)
			require.NotNil(t, rp.Winchain)
			assert.True(t, rp.Agree, "real-certificate replay differs: %v (notes %v)", rp.Differences, rp.Notes)
			assert.Equal(t, e.pki.leaf.Cert.Thumbprint(), rp.Winchain.Elements[0].SHA1)
			assertAIA(t, op, rp)
		})
	}
}

// TestReplayDisagrees: a log whose Windows result winchain does not
// reproduce is reported element by element.
func TestReplayDisagrees(t *testing.T) {
	src := string(fixture(t, "stale-crl-cache-only.xml"))
	// The CRL in the URL cache was fresh after all: winchain finds it good,
	// the log still says offline.
	src = strings.ReplaceAll(src, "2026-11-08T06:00:00Z", "2026-12-08T06:00:00Z")
	ops, _ := readAll(t, []byte(src))
	require.Len(t, ops, 1)
	rp, err := ops[0].Replay(context.Background(), ReplayOptions{})
	require.NoError(t, err)
	require.NotNil(t, rp.Winchain)
	assert.False(t, rp.Agree)
	assert.Contains(t, rp.Differences, "chain errorStatus: windows 0x01000040, winchain 0x00000000")
	assert.Contains(t, rp.Differences, "element 0 revocation: windows 0x80092013, winchain 0x00000000")
	assert.Contains(t, rp.Differences, "policy error: windows 0x80092013, winchain 0x00000000")
}

// TestReplayFixtures: the realistic logs of testdata/capi2 replay in
// agreement, and say what they could not rebuild (the network-timeout log
// is replayed by the CLI script; two-processes holds the same operations).
func TestReplayFixtures(t *testing.T) {
	for _, file := range []string{"stale-crl-cache-only.xml", "revoked-leaf.xml", "german-cache-only.xml"} {
		t.Run(file, func(t *testing.T) {
			ops, _ := readAll(t, fixture(t, file))
			for _, op := range ops {
				rp, err := op.Replay(context.Background(), ReplayOptions{})
				require.NoError(t, err)
				require.NotNil(t, rp.Winchain, "%v", rp.Notes)
				assert.True(t, rp.Agree, "%s: %v", op.TaskID, rp.Differences)
			}
		})
	}
	ops, _ := readAll(t, fixture(t, "german-cache-only.xml"))
	rp, err := ops[0].Replay(context.Background(), ReplayOptions{})
	require.NoError(t, err)
	assert.Contains(t, strings.Join(rp.Notes, "\n"), "signed by a delegated responder (CN=Baltimore Cybertrust Validation 2025, O=DigiCert, Inc., C=US) the log only names")

	ops, _ = readAll(t, fixture(t, "kb3212877-policy.xml"))
	rp, err = ops[0].Replay(context.Background(), ReplayOptions{})
	require.NoError(t, err)
	assert.Nil(t, rp.Winchain)
	assert.Equal(t, []string{"not a chain build (no event 11): nothing to replay"}, rp.Notes)

	// Without event 90 a look-alike cannot be made.
	src := regexp90.ReplaceAllString(string(fixture(t, "network-timeout.xml")), "")
	ops, _ = readAll(t, []byte(src))
	rp, err = ops[0].Replay(context.Background(), ReplayOptions{})
	require.NoError(t, err)
	assert.Nil(t, rp.Winchain)
	assert.Contains(t, rp.Notes[0], "has no event 90 description and no file in --certs: not replayed")
}

// TestLoadCertsDir: certificates, CRLs and OCSP responses of a folder are
// found by the SHA-1 of their DER, whatever the file names.
func TestLoadCertsDir(t *testing.T) {
	pki := newRTPKI(false)
	dir := t.TempDir()
	crl := pki.inter.CRL(1, testpki.Epoch, testpki.Epoch.AddDate(0, 0, 7), time.Time{})
	require.NoError(t, os.WriteFile(dir+"/"+pki.leaf.Cert.Thumbprint()+".cer", pki.leaf.X().Raw, 0o644))
	require.NoError(t, os.WriteFile(dir+"/chain.pem", testpki.PEM(pki.inter.Cert, pki.root.Cert), 0o644))
	require.NoError(t, os.WriteFile(dir+"/issuing.crl", crl, 0o644))
	require.NoError(t, os.WriteFile(dir+"/notes.txt", []byte("ignored"), 0o644))
	ro, err := LoadCertsDir(dir)
	require.NoError(t, err)
	assert.Len(t, ro.Certs, 3)
	assert.Contains(t, ro.Certs, pki.root.Cert.Thumbprint())
	assert.Equal(t, crl, ro.CRLs[thumb(crl)])

	require.NoError(t, os.WriteFile(dir+"/bad.cer", []byte("not a certificate"), 0o644))
	_, err = LoadCertsDir(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.cer")
}

// assertAIA: an issuer Windows fetched through AIA is fetched so by the
// replay too, not found in a local store.
func assertAIA(t *testing.T, op *Operation, rp *Replay) {
	t.Helper()
	if len(op.aiaFetches()) == 0 {
		return
	}
	for _, r := range rp.Result.Chain.Retrievals {
		if r.Kind == cache.KindAIA && r.OK && r.From == cache.FromNetwork {
			return
		}
	}
	t.Errorf("the replay did not fetch the issuer through AIA: %v", rp.Result.Chain.Retrievals)
}
