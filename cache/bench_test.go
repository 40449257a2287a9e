package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
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
	p := filepath.Join(dir, "Content", urlcache.URLName(aiaURL))
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		if _, err := os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiskPut is one journaled Put of a 64 KiB CRL: three files, each
// written to a temporary file, fsynced and renamed, under the folder lock.
func BenchmarkDiskPut(b *testing.B) {
	d, err := urlcache.Open(b.TempDir(), urlcache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		if err := d.Put("", urlcache.NewMetaData(aiaURL, 0, t0, ""), benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiskPutParallel runs Puts of distinct URLs from GOMAXPROCS
// goroutines: the folder lock serializes them.
func BenchmarkDiskPutParallel(b *testing.B) {
	d, err := urlcache.Open(b.TempDir(), urlcache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetBytes(int64(len(benchPayload)))
	b.RunParallel(func(pb *testing.PB) {
		u := fmt.Sprintf("http://bench.example.test/%d.crl", next.Add(1))
		for pb.Next() {
			if err := d.Put("", urlcache.NewMetaData(u, 0, t0, ""), benchPayload); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkWriteFileSyncBaseline is the stdlib floor for one durable file
// replacement: os.CreateTemp, Write, Sync, Close, os.Rename. A Put does
// three of these.
func BenchmarkWriteFileSyncBaseline(b *testing.B) {
	dir := b.TempDir()
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		f, err := os.CreateTemp(dir, "tmp")
		if err != nil {
			b.Fatal(err)
		}
		_, err = f.Write(benchPayload)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), filepath.Join(dir, "Content"))
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
