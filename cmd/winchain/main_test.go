package main

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/smallstep/pkcs7"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/scenario"
)

// TestMain lets testscript run the winchain command in-process as the
// "winchain" program of the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"winchain": func() { guardCrashExit(); os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI contract of docs/cli.md as golden scripts
// (testdata/script/*.txtar): flags, output, exit codes 0/1/2, and stderr
// naming the bad input.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:  "testdata/script",
		Cmds: scriptCmds,
		Setup: func(env *testscript.Env) error {
			// The demo PKI, shared by the scripts.
			for _, f := range []string{"root.pem", "inter.pem", "leaf.pem"} {
				data, err := os.ReadFile("../../testdata/demo/" + f)
				if err != nil {
					return err
				}
				if err := os.WriteFile(env.WorkDir+"/"+f, data, 0o644); err != nil {
					return err
				}
			}
			// Real public certificates and a PKITS CRL, for inspect.
			for src, dst := range map[string]string{
				"../../testdata/inspect/gts-1c3.pem":        "gts-1c3.pem",
				"../../testdata/inspect/gts-root-r1.pem":    "gts-root-r1.pem",
				"../../testdata/pkits/crls/GoodCACRL.crl":   "GoodCACRL.crl",
				"../../testdata/pkits/certs/GoodCACert.crt": "GoodCACert.crt",
			} {
				data, err := os.ReadFile(src)
				if err != nil {
					return err
				}
				if err := os.WriteFile(env.WorkDir+"/"+dst, data, 0o644); err != nil {
					return err
				}
			}
			if err := writePKCS7(env.WorkDir); err != nil {
				return err
			}
			if err := writeOCSPPKI(env.WorkDir); err != nil {
				return err
			}
			if err := writeCAPI2Logs(env.WorkDir); err != nil {
				return err
			}
			return writeRevocationPKI(env.WorkDir)
		},
	})
}

// writePKCS7 writes the demo chain as PKCS#7 certs-only bundles, root
// first as certmgr's export often is: chain.p7b (DER) and chain-pem.p7b
// (PEM "PKCS7").
func writePKCS7(dir string) error {
	var der []byte
	for _, f := range []string{"root.pem", "inter.pem", "leaf.pem"} {
		cs, err := certs.LoadFile(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		der = append(der, cs[0].X.Raw...)
	}
	p7, err := pkcs7.DegenerateCertificate(der)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "chain.p7b"), p7, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "chain-pem.p7b"), pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7}), 0o644); err != nil {
		return err
	}
	// bad-entry.p7b: a third entry that is a SEQUENCE but no certificate.
	bad, err := pkcs7.DegenerateCertificate(append(der[:len(der):len(der)], 0x30, 0x03, 0x02, 0x01, 0x00))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "bad-entry.p7b"), bad, 0o644)
}

// writeRevocationPKI writes the scenario demo's PKI (which has its CA keys)
// and CRLs signed now by those keys, valid around 2026-11-24, into dir:
// contoso/{root,issuing,mail-old,mail-new}.pem, issuing1.crl (mail-new
// revoked), root.crl, and net.json serving them at their CDP URLs.
func writeRevocationPKI(dir string) error {
	d := filepath.Join(dir, "contoso")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	load := func(name string) ([]byte, error) { return scenario.DemoFile(name) }
	for _, f := range []string{"root.pem", "issuing.pem", "mail-old.pem", "mail-new.pem"} {
		data, err := load(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, f), data, 0o644); err != nil {
			return err
		}
	}
	this := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ ca, key, out, revoked string }{
		{"issuing.pem", "issuing.key", "issuing1.crl", "mail-new.pem"},
		{"root.pem", "root.key", "root.crl", ""},
	} {
		caPEM, _ := load(c.ca)
		keyPEM, _ := load(c.key)
		ca, err := certs.ParseAll(caPEM, c.ca)
		if err != nil {
			return err
		}
		key, err := parsePKCS8PEM(keyPEM)
		if err != nil {
			return err
		}
		tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: this.Add(48 * time.Hour)}
		if c.revoked != "" {
			lp, _ := load(c.revoked)
			leaf, err := certs.ParseAll(lp, c.revoked)
			if err != nil {
				return err
			}
			tmpl.RevokedCertificateEntries = []x509.RevocationListEntry{{SerialNumber: leaf[0].X.SerialNumber, RevocationTime: this, ReasonCode: 1}}
		}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca[0].X, key)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, c.out), der, 0o644); err != nil {
			return err
		}
		if c.revoked != "" {
			if err := writeLenientCRLs(d, &testpki.CA{Cert: ca[0], Key: key}, tmpl); err != nil {
				return err
			}
		}
	}
	net := `{
  "http://pki.contoso.test/issuing1.crl": {"file": "issuing1.crl"},
  "http://pki.contoso.test/root.crl": {"file": "root.crl"}
}
`
	if err := os.WriteFile(filepath.Join(d, "net.json"), []byte(net), 0o644); err != nil {
		return err
	}
	down := `{
  "http://pki.contoso.test/issuing1.crl": {"fail": "timeout"},
  "http://pki.contoso.test/root.crl": {"file": "root.crl"}
}
`
	return os.WriteFile(filepath.Join(d, "down.json"), []byte(down), 0o644)
}

// writeLenientCRLs writes the CRL forms of spec §11.3 that crypto/x509
// refuses or that need care, each listing what tmpl lists (mail-new):
// v1.crl (no version field), badaki.crl (malformed AKI), odd-entries.crl
// (a negative and a 40-byte serial, an unknown non-critical entry
// extension), critical-entry.crl (an unknown critical entry extension) and
// critical-ext.crl (an unknown critical CRL extension: loads, but no client
// may use it).
func writeLenientCRLs(dir string, ca *testpki.CA, tmpl *x509.RevocationList) error {
	listed := testpki.RawEntry{Serial: testpki.SerialContents(tmpl.RevokedCertificateEntries[0].SerialNumber), RevokedAt: tmpl.ThisUpdate}
	unknown := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 7}, Value: []byte{0x05, 0x00}}
	long := make([]byte, 40)
	long[0], long[39] = 0x7F, 1
	base := testpki.RawCRL{Number: 2, ThisUpdate: tmpl.ThisUpdate, NextUpdate: tmpl.NextUpdate, AKI: true}
	v1 := base
	v1.V1, v1.Number, v1.AKI = true, 0, false
	badAKI := base
	badAKI.AKI, badAKI.MalformedAKI = false, true
	odd := base
	oddEntry := listed
	oddEntry.Extensions = []pkix.Extension{unknown}
	odd.Entries = []testpki.RawEntry{{Serial: []byte{0xFF, 0x01}, RevokedAt: tmpl.ThisUpdate}, {Serial: long, RevokedAt: tmpl.ThisUpdate}, oddEntry}
	crit := base
	critEntry := listed
	critical := unknown
	critical.Critical = true
	critEntry.Extensions = []pkix.Extension{critical}
	crit.Entries = []testpki.RawEntry{critEntry}
	critExt := base
	critExt.Extensions = []pkix.Extension{critical}
	for name, spec := range map[string]testpki.RawCRL{"v1.crl": v1, "badaki.crl": badAKI, "odd-entries.crl": odd, "critical-entry.crl": crit, "critical-ext.crl": critExt} {
		if len(spec.Entries) == 0 {
			spec.Entries = []testpki.RawEntry{listed}
		}
		der := ca.RawCRL(spec)
		if err := os.WriteFile(filepath.Join(dir, name), der, 0o644); err != nil {
			return err
		}
		if name == "v1.crl" {
			// crls.p7b: the v1 CRL inside a PKCS#7 bundle; crl-only.p7b
			// without the CA certificate (a bundle of CRLs only).
			if err := os.WriteFile(filepath.Join(dir, "crls.p7b"), testpki.PKCS7(ca.Cert.X.Raw, der), 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "crl-only.p7b"), testpki.PKCS7(nil, der), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeOCSPPKI writes ocsp/: a root (root.pem) and two leaves whose AIA names
// the OCSP responder http://ocsp.example.test (good.pem, revoked.pem), the
// responder's answers for each (good.der, revoked.der, signed by the root,
// valid 2026-06-01 to 2026-06-08), and one --net file per answer serving it
// with a prefix rule under the responder URL (good.json, revoked.json); the
// same answers signed by a delegated responder whose certificate, embedded in
// the response, has a negative serial (delegated-good.der/.json,
// delegated-revoked.der/.json).
func writeOCSPPKI(dir string) error {
	d := filepath.Join(dir, "ocsp")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	root := testpki.NewRoot("OCSP Test Root", testpki.ECDSA)
	this := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	files := map[string][]byte{"root.pem": testpki.PEM(root.Cert)}
	// A delegated responder whose certificate has a negative serial
	// (crypto/x509 refuses it; Windows loads it, spec §11.3), with
	// id-pkix-ocsp-nocheck so its own revocation is not looked up.
	responder := root.WithSerial(root.NewLeaf("OCSP Test Responder", testpki.ECDSA, func(t *x509.Certificate) {
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		t.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}, Value: []byte{0x05, 0x00}}}
	}), []byte{0xFF, 0x7B})
	for _, c := range []struct {
		name   string
		status int
	}{{"good", ocsp.Good}, {"revoked", ocsp.Revoked}} {
		leaf := root.NewLeaf(c.name+".example.test", testpki.ECDSA, func(t *x509.Certificate) {
			t.OCSPServer = []string{"http://ocsp.example.test"}
		})
		resp, err := ocsp.CreateResponse(root.Cert.X, root.Cert.X, ocsp.Response{
			Status: c.status, SerialNumber: leaf.Cert.X.SerialNumber,
			ThisUpdate: this, NextUpdate: this.Add(7 * 24 * time.Hour), RevokedAt: this.Add(-24 * time.Hour),
		}, root.Key)
		if err != nil {
			return err
		}
		files[c.name+".pem"] = testpki.PEM(leaf.Cert)
		files[c.name+".der"] = resp
		files[c.name+".json"] = []byte(`{"http://ocsp.example.test/*": {"file": "` + c.name + `.der"}}` + "\n")
		delegated, err := ocsp.CreateResponse(root.Cert.X, responder.Cert.X, ocsp.Response{
			Status: c.status, SerialNumber: leaf.Cert.X.SerialNumber, Certificate: responder.Cert.X,
			ThisUpdate: this, NextUpdate: this.Add(7 * 24 * time.Hour), RevokedAt: this.Add(-24 * time.Hour),
		}, responder.Key)
		if err != nil {
			return err
		}
		files["delegated-"+c.name+".der"] = delegated
		files["delegated-"+c.name+".json"] = []byte(`{"http://ocsp.example.test/*": {"file": "delegated-` + c.name + `.der"}}` + "\n")
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func parsePKCS8PEM(data []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, os.ErrInvalid
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	return k.(crypto.Signer), nil
}
