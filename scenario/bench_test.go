package scenario_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/scenario"
)

// The fleet benchmark: the demo's 3,000 clients over 48 h at 5 min (576
// steps), reported per client-step, beside a baseline of one
// x509.Certificate.Verify per client-step on the same chain:
//
//	go test -run='^$' -bench=FleetStep -benchtime=3x ./scenario/
func BenchmarkFleetStep(b *testing.B) {
	const clients, steps = 3000, 576
	for b.Loop() {
		s, err := scenario.Demo()
		if err != nil {
			b.Fatal(err)
		}
		s.Duration = scenario.Duration(48 * time.Hour)
		s.Asserts = nil
		if _, err := scenario.Run(context.Background(), s, scenario.Options{NegativeCache: "seed-8h"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(clients*steps), "ns/client-step")
}

func BenchmarkFleetStepBaseline(b *testing.B) {
	load := func(name string) *x509.Certificate {
		data, err := scenario.DemoFile(name)
		if err != nil {
			b.Fatal(err)
		}
		cs, err := certs.ParseAll(data, name)
		if err != nil {
			b.Fatal(err)
		}
		return cs[0].X
	}
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(load("root.pem"))
	inters.AddCert(load("issuing.pem"))
	leaf := load("mail-old.pem")
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), DNSName: "mail.contoso.test"}
	for b.Loop() {
		if _, err := leaf.Verify(opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/client-step")
}

// BenchmarkFleetScale: the fleet scenario of issue 16 (7 days at 5 min,
// 50 partial-fleet events) at 10,000 and 1,000,000 clients; the goal is
// clients=1000000 ≤ 5× clients=10000, under 60 s and 1 GB RSS:
//
//	go test -run='^$' -bench=FleetScale -benchtime=1x ./scenario/
func BenchmarkFleetScale(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			for b.Loop() {
				s := fleetSpec(b, n, 7, 50)
				if _, err := scenario.Run(context.Background(), s, scenario.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
