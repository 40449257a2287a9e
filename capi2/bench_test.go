package capi2

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// benchEvents is the size of the benchmark log (the 100,000 events).
const benchEvents = 100000

// benchLog builds a log of at least n events: the stale-CRL operation of
// testdata/capi2 (13 events, the policy check with its own TaskId) repeated
// with fresh TaskIds, chainRefs and record IDs, with two processes'
// operations interleaved.
func benchLog(tb testing.TB, n int) ([]byte, int) {
	src := string(fixture(tb, "stale-crl-cache-only.xml"))
	events := regexp.MustCompile(`(?m)^<Event .*</Event>$`).FindAllString(src, -1)
	guid := regexp.MustCompile(`\{[0-9A-F]{8}-`)
	rec := regexp.MustCompile(`<EventRecordID>\d+</EventRecordID>`)
	var b bytes.Buffer
	b.WriteString("<Events>\n")
	count, id := 0, 0
	for op := 0; count < n; op += 2 {
		for i := range events {
			for k := 0; k < 2; k++ {
				e := guid.ReplaceAllStringFunc(events[i], func(g string) string { return fmt.Sprintf("{%08X-", op+k) })
				id++
				e = rec.ReplaceAllString(e, fmt.Sprintf("<EventRecordID>%d</EventRecordID>", id))
				b.WriteString(e)
				b.WriteByte('\n')
				count++
			}
		}
	}
	b.WriteString("</Events>\n")
	return b.Bytes(), count
}

// BenchmarkReadLog reads a 100,000-event log into operations and renders
// each one's verdict; BenchmarkXMLTokensBaseline is encoding/xml's bare
// token pass over the same bytes, the floor any reader built on it pays.
// Reported: ns/event, the bytes and allocations per run (divide by the
// events for per-event figures), and the peak live heap of the reading
// above the input bytes themselves.
//
//	go test -run '^$' -bench 'ReadLog|XMLTokensBaseline' -benchmem ./capi2
func BenchmarkReadLog(b *testing.B) {
	data, n := benchLog(b, benchEvents)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	// The live heap above what the test itself holds (the log bytes), after
	// a collection at sample points of the first pass: what reading keeps.
	var peak, base uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base = ms.HeapAlloc
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := NewReader(bytes.NewReader(data), "bench.xml")
		if err != nil {
			b.Fatal(err)
		}
		g := NewGrouper(r)
		ops := 0
		for {
			op, err := g.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if !strings.HasPrefix(op.Verdict(), "revocation offline") {
				b.Fatalf("unexpected verdict %q", op.Verdict())
			}
			ops++
			if i == 0 && ops%1000 == 0 {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc-min(base, ms.HeapAlloc))
				b.StartTimer()
			}
		}
		if ops != n/13 {
			b.Fatalf("%d operations, want %d", ops, n/13)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-MB")
	b.ReportMetric(float64(len(data))/(1<<20), "log-MB")
}

func BenchmarkXMLTokensBaseline(b *testing.B) {
	data, n := benchLog(b, benchEvents)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := d.Token(); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
}
