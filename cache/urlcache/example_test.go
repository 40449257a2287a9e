package urlcache_test

import (
	"fmt"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

// A folder held in memory, as a fleet simulation keeps one per client, with
// the layout of a CryptnetUrlCache folder on disk.
func ExampleOpenFS() {
	mem := urlcache.NewMemFS()
	f, err := urlcache.OpenFS(mem, urlcache.Options{})
	if err != nil {
		panic(err)
	}
	const url = "http://pki.example.test/issuing.crl"
	body := []byte("a CRL")
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	if err := f.Put("", urlcache.NewMetaData(url, len(body), at, `"v1"`), body); err != nil {
		panic(err)
	}
	e, err := f.Get(url)
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Name, e.Meta.ETag, string(e.Body))
	files, _ := mem.ReadDir(urlcache.MetaDataDir)
	fmt.Println(len(files), "MetaData file")
	// Output:
	// A8EA8D1C5B183F2434FD6850387A5EDE "v1" a CRL
	// 1 MetaData file
}
