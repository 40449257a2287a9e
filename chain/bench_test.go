package chain_test

import (
	"context"
	"crypto/x509"
	"testing"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// The benchmarks compare the engine with crypto/x509's Verify on the same
// three-certificate chain, in the same run:
//
//	go test -run='^$' -bench='GetChain|X509Verify' ./chain/
//
// Cold: a fresh engine (no cache) per build. Warm: one engine, built once
// before the timer, so signatures come from the engine cache (spec §1.9).
var benchKeys = []struct {
	name string
	kt   testpki.KeyType
}{{"RSA2048", testpki.RSA}, {"ECDSAP256", testpki.ECDSA}}

func benchConfig(k *pki) chain.Config {
	return chain.Config{Clock: clock.Fixed(testTime), Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}
}

func BenchmarkGetChainCold(b *testing.B) {
	for _, kt := range benchKeys {
		b.Run(kt.name, func(b *testing.B) {
			k := newPKI(b, kt.kt)
			cfg := benchConfig(k)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				cc, err := chain.NewEngine(cfg).GetChain(ctx, k.leaf.Cert, chain.Params{Time: testTime})
				if err != nil || cc.TrustStatus.ErrorStatus != 0 {
					b.Fatal(err, cc.TrustStatus)
				}
			}
		})
	}
}

func BenchmarkGetChainWarm(b *testing.B) {
	for _, kt := range benchKeys {
		b.Run(kt.name, func(b *testing.B) {
			k := newPKI(b, kt.kt)
			e := chain.NewEngine(benchConfig(k))
			ctx := context.Background()
			if _, err := e.GetChain(ctx, k.leaf.Cert, chain.Params{Time: testTime}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				cc, err := e.GetChain(ctx, k.leaf.Cert, chain.Params{Time: testTime})
				if err != nil || cc.TrustStatus.ErrorStatus != 0 {
					b.Fatal(err, cc.TrustStatus)
				}
			}
		})
	}
}

func BenchmarkX509VerifyBaseline(b *testing.B) {
	for _, kt := range benchKeys {
		b.Run(kt.name, func(b *testing.B) {
			k := newPKI(b, kt.kt)
			roots := x509.NewCertPool()
			roots.AddCert(k.root.Cert.X)
			inters := x509.NewCertPool()
			inters.AddCert(k.inter.Cert.X)
			opts := x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: testTime}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.leaf.Cert.X.Verify(opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
