package main

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/internal/testpki"
)

// dsa-ocsp-pki DIR writes a PKI whose issuing CA has a DSA key that
// inherits its parameters (RFC 3279 §2.3.2): root.pem (ECDSA) → dsa-ca.pem
// (DSA with p, q, g) → inherited-ca.pem (DSA, no parameters) → good.pem and
// revoked.pem (OCSP at http://ocsp.dsa.test), with OCSP answers for both
// signed by the inheriting CA key (ca-STATUS.json) and by a delegated
// responder whose DSA key inherits too (delegated-STATUS.json), as --net
// files. crypto/x509 signs with no DSA key: testpki.IssueRaw and
// testpki.OCSPResponse do.
func init() {
	scriptCmds["dsa-ocsp-pki"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: dsa-ocsp-pki DIR")
		}
		d := ts.MkAbs(args[0])
		ts.Check(os.MkdirAll(d, 0o755))
		root := testpki.NewRoot("DSA OCSP Test Root", testpki.ECDSA)
		params := testpki.NewDSAParameters()
		caKey := testpki.NewDSAKey(params)
		dsaCA := root.IssueRaw(testpki.Template("DSA CA", true), testpki.DSASPKI(&caKey.PublicKey, false), caKey)
		inhKey := testpki.NewDSAKey(params)
		inhCA := dsaCA.IssueRaw(testpki.Template("DSA Parameters Inherited CA", true), testpki.DSASPKI(&inhKey.PublicKey, true), inhKey)
		rt := testpki.Template("DSA Inherited OCSP Responder", false)
		rt.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		rt.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}, Value: []byte{0x05, 0x00}}} // id-pkix-ocsp-nocheck
		rKey := testpki.NewDSAKey(params)
		responder := inhCA.IssueRaw(rt, testpki.DSASPKI(&rKey.PublicKey, true), rKey)
		files := map[string][]byte{
			"root.pem":         testpki.PEM(root.Cert),
			"dsa-ca.pem":       testpki.PEM(dsaCA.Cert),
			"inherited-ca.pem": testpki.PEM(inhCA.Cert),
		}
		this := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			name   string
			status int
		}{{"good", ocsp.Good}, {"revoked", ocsp.Revoked}} {
			key := testpki.NewKey(testpki.ECDSA)
			spki, err := x509.MarshalPKIXPublicKey(key.Public())
			ts.Check(err)
			lt := testpki.Template(c.name+".example.test", false)
			lt.OCSPServer = []string{"http://ocsp.dsa.test"}
			leaf := inhCA.IssueRaw(lt, spki, key)
			files[c.name+".pem"] = testpki.PEM(leaf.Cert)
			tmpl := ocsp.Response{Status: c.status, SerialNumber: leaf.Cert.X.SerialNumber,
				ThisUpdate: this, NextUpdate: this.Add(7 * 24 * time.Hour), RevokedAt: this.Add(-24 * time.Hour)}
			files["ca-"+c.name+".der"] = testpki.OCSPResponse(inhCA.Cert.X, inhCA.Cert.X, tmpl, inhCA.Key)
			tmpl.Certificate = responder.Cert.X
			files["delegated-"+c.name+".der"] = testpki.OCSPResponse(inhCA.Cert.X, responder.Cert.X, tmpl, responder.Key)
			for _, by := range []string{"ca-", "delegated-"} {
				files[by+c.name+".json"] = []byte(`{"http://ocsp.dsa.test/*": {"file": "` + by + c.name + `.der"}}` + "\n")
			}
		}
		for name, data := range files {
			ts.Check(os.WriteFile(filepath.Join(d, name), data, 0o644))
		}
	}
}
