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

// The fleet benchmark: the demo's 3,000 clients over 48 h at 5 min,
// reported per chain build the run made (ns/build: the whole run's time,
// simulation bookkeeping included, over Report.Evaluations), beside
// BenchmarkFleetStepBaseline, one x509.Certificate.Verify of the same
// chain; BenchmarkFleetBuildWarm (bench_internal_test.go) is one warm build
// with revocation alone:
//
//	go test -run='^$' -bench='FleetStep|FleetBuild' -benchtime=3x ./scenario/
func BenchmarkFleetStep(b *testing.B) {
	builds := 0
	for b.Loop() {
		s, err := scenario.Demo()
		if err != nil {
			b.Fatal(err)
		}
		s.Duration = scenario.Duration(48 * time.Hour)
		s.Asserts = nil
		r, err := scenario.Run(context.Background(), s, scenario.Options{NegativeCache: "seed-8h"})
		if err != nil {
			b.Fatal(err)
		}
		builds += r.Evaluations
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(builds), "ns/build")
	b.ReportMetric(float64(builds)/float64(b.N), "builds/run")
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
}

// BenchmarkFleetScale: the fleet scenario of issue 16 (fleetSpec: 7 days
// at 5 min, 50 partial-fleet events) at 10,000 and 1,000,000 clients; the
// goal is clients=1000000 ≤ 5× clients=10000, under 60 s and 1 GB RSS.
// Besides ns/op (wall time, which a loaded machine inflates) it reports
// the process CPU time per run, the peak RSS of the process so far, the
// client states held at most, and for 1,000,000 the ratio of both times to
// the 10,000 run in the same process:
//
//	go test -run='^$' -bench=FleetScale -benchtime=1x -timeout=30m ./scenario/
func BenchmarkFleetScale(b *testing.B) {
	var wall10k, cpu10k float64
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			var states int
			cpu0 := cpuSeconds()
			for b.Loop() {
				s := fleetSpec(b, n, 7, 50)
				r, err := scenario.Run(context.Background(), s, scenario.Options{})
				if err != nil {
					b.Fatal(err)
				}
				states = r.MaxStates
			}
			wall := b.Elapsed().Seconds() / float64(b.N)
			cpu := (cpuSeconds() - cpu0) / float64(b.N)
			b.ReportMetric(cpu, "cpu-s/op")
			b.ReportMetric(float64(states), "states")
			b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
			if n == 10_000 {
				wall10k, cpu10k = wall, cpu
			} else if wall10k > 0 {
				b.ReportMetric(wall/wall10k, "wall-x-10k")
				b.ReportMetric(cpu/cpu10k, "cpu-x-10k")
			}
		})
	}
}
