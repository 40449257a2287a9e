package cache_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

// A client fetches a CRL, hits its memory cache, restarts and hits the disk
// cache, then meets a dead CDP with the offline-URL back-off on.
func ExampleRetriever() {
	clk := clock.NewManual(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	network := netsim.New(clk)
	network.Serve("http://pki.example.test/inter.crl", []byte("a CRL"))
	network.Handle("http://pki.example.test/root.crl", netsim.Response{Fail: netsim.FailTimeout})

	dir, _ := os.MkdirTemp("", "cryptnet")
	defer os.RemoveAll(dir)
	start := func() *cache.Retriever {
		r, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: network, DiskDir: dir, Offline: cache.OfflineSeed8h})
		if err != nil {
			panic(err)
		}
		return r
	}
	ctx := context.Background()
	opts := cache.Options{OfflineCheck: true}

	app := start()
	for i := 0; i < 2; i++ {
		res, _ := app.Retrieve(ctx, "http://pki.example.test/inter.crl", cache.KindCRL, opts)
		fmt.Println(res.From, res.OK)
	}
	app = start() // app restart: the memory cache is gone
	res, _ := app.Retrieve(ctx, "http://pki.example.test/inter.crl", cache.KindCRL, opts)
	fmt.Println(res.From, res.OK)

	res, err := app.Retrieve(ctx, "http://pki.example.test/root.crl", cache.KindCRL, opts)
	fmt.Println(res.From, cache.ReasonOf(err), "blocked", res.Blocked, "retry after", res.RetryAfter.Format(time.Kitchen))
	res, err = app.Retrieve(ctx, "http://pki.example.test/root.crl", cache.KindCRL, opts)
	fmt.Println(res.From, cache.ReasonOf(err), "blocked", res.Blocked)
	// Output:
	// network true
	// memory true
	// disk true
	// network timeout blocked 15s retry after 9:15AM
	// offline-skip offline blocked 0s
}
