package main

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/smallstep/pkcs7"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/scenario"
)

// TestMain lets testscript run the winchain command in-process as the
// "winchain" program of the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"winchain": func() { guardCrashExit(); os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI contract of spec/cli.md as golden scripts
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
			if err := writePKCS7(env.WorkDir); err != nil {
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
