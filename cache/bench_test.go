package cache_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

// benchPayload is a CRL-sized object (64 KiB), the same for every benchmark.
var benchPayload = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func benchRetriever(b *testing.B, mem bool) (*cache.Retriever, string) {
	clk := clock.NewManual(t0)
	n := netsim.New(clk)
	n.Serve(aiaURL, benchPayload)
	dir := b.TempDir()
	r, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: n, DiskDir: dir, DisableMemoryCache: !mem})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Retrieve(context.Background(), aiaURL, cache.KindCRL, cache.Options{}); err != nil {
		b.Fatal(err)
	}
	return r, dir
}

func BenchmarkRetrieveMemoryHit(b *testing.B) {
	r, _ := benchRetriever(b, true)
	ctx := context.Background()
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		res, _ := r.Retrieve(ctx, aiaURL, cache.KindCRL, cache.Options{})
		if res.From != cache.FromMemory {
			b.Fatal(res.From)
		}
	}
}

func BenchmarkRetrieveDiskHit(b *testing.B) {
	r, _ := benchRetriever(b, false)
	ctx := context.Background()
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		res, _ := r.Retrieve(ctx, aiaURL, cache.KindCRL, cache.Options{})
		if res.From != cache.FromDisk {
			b.Fatal(res.From)
		}
	}
}

// BenchmarkReadFileBaseline is os.ReadFile of the same Content file: the
// floor a disk hit (which also reads and parses MetaData) is compared with.
func BenchmarkReadFileBaseline(b *testing.B) {
	_, dir := benchRetriever(b, false)
	p := filepath.Join(dir, "Content", cache.URLName(aiaURL))
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		if _, err := os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	}
}
