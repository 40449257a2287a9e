//go:debug rsa1024min=0

package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winchain/winchain/internal/testpki"
)

// The preflight scripts' commands: preflight-pki writes the proof PKIs,
// tls-serve starts a loopback TLS server for --connect.
func init() {
	scriptCmds["preflight-pki"] = cmdPreflightPKI
	scriptCmds["tls-serve"] = cmdTLSServe
}

// pfSwapAt is the planned swap time of the preflight scripts.
var pfSwapAt = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// cmdPreflightPKI writes, into DIR, a PKI for each preflight proof case:
//
//	root.pem, inter.pem      the clients' root; the issuing CA the server sends
//	old.pem, old.key         the current chain (leaf SAN mail + autodiscover, then inter)
//	new-san.pem              the seed's swap: SAN autodiscover → owa
//	new-aia.pem              a leaf of a new intermediate that only AIA gives
//	new-cdp.pem              a leaf with a new CDP URL
//	new-rsa1024.pem          a leaf with a 1024-bit RSA key
//	new-sha1.pem             a SHA-1 signed leaf (+ its RSA CA)
//	new-rsaca.pem            a SHA-256 leaf of the 2048-bit RSA CA (+ that CA)
//	new-notyet.pem           a leaf valid from 3 minutes before the swap
//	net.json                 CRLs and the new intermediate's AIA served
//	net-timeout.json         the same, with the new CDP URL timing out
//	net-cdp.json             the same, with the new CDP URL serving the issuing CA's CRL
//	net-revoked.json         the same, with the old leaf revoked 30 min after the swap
func cmdPreflightPKI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: preflight-pki DIR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	const (
		host    = "mail.contoso.test"
		rootCRL = "http://pki.contoso.test/root.crl"
		crl1    = "http://pki.contoso.test/issuing1.crl"
		aia1    = "http://pki.contoso.test/issuing1.crt"
		crl2    = "http://pki2.contoso.test/issuing2.crl"
		aia2    = "http://pki2.contoso.test/issuing2.crt"
	)
	root := testpki.NewRoot("Contoso Root CA", testpki.ECDSA)
	ca := func(cn string, kt testpki.KeyType) *testpki.CA {
		return root.NewIntermediate(cn, kt, func(c *x509.Certificate) { c.CRLDistributionPoints = []string{rootCRL} })
	}
	inter, inter2, rsaCA := ca("Contoso Issuing CA 1", testpki.ECDSA), ca("Contoso Issuing CA 2", testpki.ECDSA), ca("Contoso RSA CA", testpki.RSA)
	leafTmpl := func(sans ...string) *x509.Certificate {
		t := testpki.Template(host, false)
		t.DNSNames = append([]string{host}, sans...)
		t.CRLDistributionPoints = []string{crl1}
		t.IssuingCertificateURL = []string{aia1}
		t.NotBefore, t.NotAfter = pfSwapAt.AddDate(0, -6, 0), pfSwapAt.AddDate(1, 0, 0)
		return t
	}
	write := func(name string, data []byte) { ts.Check(os.WriteFile(filepath.Join(dir, name), data, 0o644)) }
	bundle := func(name string, cs ...*testpki.CA) {
		var out []byte
		for _, c := range cs {
			out = append(out, testpki.PEM(c.Cert)...)
		}
		write(name, out)
	}
	old := inter.Issue(leafTmpl("autodiscover.contoso.test"), testpki.ECDSA)
	key, err := x509.MarshalPKCS8PrivateKey(old.Key)
	ts.Check(err)
	write("old.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}))
	bundle("root.pem", root)
	bundle("inter.pem", inter)
	bundle("old.pem", old, inter)
	bundle("new-san.pem", inter.Issue(leafTmpl("owa.contoso.test"), testpki.ECDSA), inter)
	t := leafTmpl("autodiscover.contoso.test")
	t.CRLDistributionPoints, t.IssuingCertificateURL = []string{crl2}, []string{aia2}
	bundle("new-aia.pem", inter2.Issue(t, testpki.ECDSA))
	t = leafTmpl("autodiscover.contoso.test")
	t.CRLDistributionPoints = []string{crl2}
	bundle("new-cdp.pem", inter.Issue(t, testpki.ECDSA), inter)
	k1024, err := rsa.GenerateKey(rand.Reader, 1024)
	ts.Check(err)
	bundle("new-rsa1024.pem", inter.IssueWithKey(leafTmpl("autodiscover.contoso.test"), k1024), inter)
	t = leafTmpl("autodiscover.contoso.test")
	t.SignatureAlgorithm = x509.SHA1WithRSA
	t.CRLDistributionPoints = []string{crl2}
	bundle("new-sha1.pem", rsaCA.Issue(t, testpki.ECDSA), rsaCA)
	t = leafTmpl("autodiscover.contoso.test")
	t.CRLDistributionPoints = []string{crl2}
	bundle("new-rsaca.pem", rsaCA.Issue(t, testpki.ECDSA), rsaCA)
	t = leafTmpl("autodiscover.contoso.test")
	t.NotBefore = pfSwapAt.Add(-3 * time.Minute)
	bundle("new-notyet.pem", inter.Issue(t, testpki.ECDSA), inter)

	crlOf := func(c *testpki.CA, n int64, this time.Time, revoked ...*big.Int) []byte {
		return c.CRL(n, this, this.Add(7*24*time.Hour), this, revoked...)
	}
	day := pfSwapAt.Add(-24 * time.Hour)
	write("root.crl", crlOf(root, 1, day))
	write("issuing1.crl", crlOf(inter, 1, day))
	write("issuing1-revoked.crl", crlOf(inter, 2, pfSwapAt.Add(30*time.Minute), old.Cert.X.SerialNumber))
	write("issuing2.crl", crlOf(inter2, 1, day))
	write("rsa.crl", crlOf(rsaCA, 1, day))
	write("inter2.cer", inter2.Cert.X.Raw)
	base := fmt.Sprintf(`"%s": {"file": "root.crl"}, "%s": {"file": "issuing1.crl"}, "%s": {"file": "inter2.cer"}`, rootCRL, crl1, aia2)
	write("net.json", []byte(fmt.Sprintf(`{%s, "%s": {"file": "issuing2.crl"}}`, base, crl2)))
	write("net-timeout.json", []byte(fmt.Sprintf(`{%s, "%s": {"fail": "timeout"}}`, base, crl2)))
	write("net-cdp.json", []byte(fmt.Sprintf(`{%s, "%s": {"file": "issuing1.crl"}}`, base, crl2)))
	revoked := fmt.Sprintf(`"%s": {"file": "root.crl"}, "%s": {"file": "issuing1.crl", "timeline": [{"from": "%s", "file": "issuing1-revoked.crl"}]}, "%s": {"file": "rsa.crl"}`,
		rootCRL, crl1, pfSwapAt.Add(30*time.Minute).Format(time.RFC3339), crl2)
	write("net-revoked.json", []byte("{"+revoked+"}"))
	write("net-sha1.json", []byte(fmt.Sprintf(`{%s, "%s": {"file": "rsa.crl"}}`, base, crl2)))
}

// cmdTLSServe starts a loopback TLS server presenting CHAIN (PEM bundle)
// with KEY, for the rest of the script, and sets $TLSADDR to its address.
func cmdTLSServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tls-serve CHAIN.pem KEY.pem")
	}
	cert, err := tls.LoadX509KeyPair(ts.MkAbs(args[0]), ts.MkAbs(args[1]))
	ts.Check(err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { ln.Close() })
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = tls.Server(c, cfg).Handshake()
			}()
		}
	}()
	ts.Setenv("TLSADDR", ln.Addr().String())
}
