package preflight_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
	"github.com/winchain/winchain/preflight"
)

// The seed story before the swap: the new certificate drops a SAN that
// Outlook profiles require as their principal name. The clients trust the
// root, check revocation (the root's CRL is served) and connect to
// mail.contoso.test.
func ExampleAnalyze() {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(at)
	net := netsim.New(clk)
	root := testpki.NewRoot("Contoso Root CA", testpki.ECDSA)
	net.Serve("http://pki.contoso.test/root.crl", root.CRL(1, at.Add(-time.Hour), at.Add(7*24*time.Hour), time.Time{}))
	leaf := func(sans ...string) *preflight.Chain {
		l := root.NewLeaf("mail.contoso.test", testpki.ECDSA, func(c *x509.Certificate) {
			c.DNSNames = sans
			c.CRLDistributionPoints = []string{"http://pki.contoso.test/root.crl"}
		})
		return &preflight.Chain{Certs: []*certs.Certificate{l.Cert}}
	}
	old := leaf("mail.contoso.test", "autodiscover.contoso.test")
	planned := leaf("mail.contoso.test", "owa.contoso.test")

	r, err := preflight.Analyze(context.Background(), old, planned, preflight.Options{
		At:             at,
		ServerName:     "mail.contoso.test",
		PrincipalNames: []string{"msstd:autodiscover.contoso.test"},
		Evaluator: &preflight.ClientEvaluator{
			Config: client.Config{Network: net, Root: chain.NewStore("Root", root.Cert)},
			Clock:  clk,
			Flags:  chain.RevocationCheckChainExclRoot,
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("new chain:", r.New.Result)
	for _, f := range r.Findings {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s %s %s", f.Severity, f.ID, f.Result)))
	}
	fmt.Println("blocking:", r.Blocking)
	// Output:
	// new chain: trusted
	// blocking principal-name CERT_E_CN_NO_MATCH
	// info key-changed
	// info session-reset
	// blocking: true
}

// A lab kit for a Windows test machine: run.ps1, its manifest and the
// case's files.
func ExampleWriteLab() {
	root := testpki.NewRoot("Contoso Root CA", testpki.ECDSA)
	leaf := root.NewLeaf("mail.contoso.test", testpki.ECDSA)
	dir, err := os.MkdirTemp("", "lab")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	err = preflight.WriteLab(dir, preflight.LabCase{
		Name:  "mail",
		Chain: &preflight.Chain{Certs: []*certs.Certificate{leaf.Cert}},
		Roots: []*certs.Certificate{root.Cert},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			fmt.Println(filepath.ToSlash(rel))
		}
		return nil
	})
	// Output:
	// case/leaf.cer
	// case/root-1.cer
	// lab.json
	// run.ps1
}
