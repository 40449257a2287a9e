package scenario

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

// The cost of one chain build in a fleet run, beside crypto/x509 on the
// same chain, in the same run (issue 16: per-chain-build cost, not per
// client-step):
//
//	go test -run='^$' -bench='FleetBuild' ./scenario/
//
// BenchmarkFleetBuildWarm is one demo client's validation of the demo
// chain (mail-old ← issuing ← root) with revocation (chain-exclude-root:
// the issuing CA's and the root's CRLs), warm: the CRLs are in the memory
// cache and the signatures in the engine cache, as for a client that
// connected before. BenchmarkFleetBuildBaseline is x509.Certificate.Verify
// on the same chain (no revocation: crypto/x509 has none).

func demoClient(b *testing.B) (*client.Client, *pki, time.Time) {
	s, err := Demo()
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.loadPKI()
	if err != nil {
		b.Fatal(err)
	}
	at := s.Start.Add(-time.Minute) // before the demo's outage
	net := netsim.New(clock.Fixed(at))
	if err := s.buildNetwork(p, net); err != nil {
		b.Fatal(err)
	}
	c, err := client.New(client.Config{Clock: clock.Fixed(at), Network: net, Root: chain.NewStore("Root", p.certs["root"])})
	if err != nil {
		b.Fatal(err)
	}
	return c, p, at
}

func BenchmarkFleetBuildWarm(b *testing.B) {
	c, p, at := demoClient(b)
	opts := client.VerifyOptions{
		Params:     chain.Params{Time: at, Additional: chain.NewStore("Additional", p.certs["issuing"]), Flags: chain.RevocationCheckChainExclRoot},
		Policy:     chain.PolicySSL,
		PolicyPara: chain.PolicyPara{ServerName: "mail.contoso.test"},
	}
	ctx := context.Background()
	verify := func() {
		r, err := c.Verify(ctx, p.certs["mail-old"], opts)
		if err != nil || !r.Policy.OK() {
			b.Fatal(err, r.Policy)
		}
		if rv := r.Chain.Chains[0].Elements[0].Revocation; rv == nil || rv.Result != "good" {
			b.Fatalf("no revocation check: %+v", rv)
		}
	}
	verify() // cold: fetches the CRLs, verifies the signatures
	b.ReportAllocs()
	for b.Loop() {
		verify()
	}
}

func BenchmarkFleetBuildBaseline(b *testing.B) {
	_, p, at := demoClient(b)
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(p.certs["root"].X)
	inters.AddCert(p.certs["issuing"].X)
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: at, DNSName: "mail.contoso.test"}
	leaf := p.certs["mail-old"].X
	b.ReportAllocs()
	for b.Loop() {
		if _, err := leaf.Verify(opts); err != nil {
			b.Fatal(err)
		}
	}
}
