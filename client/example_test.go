package client_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
)

// One Windows client checks a certificate with revocation over a simulated
// network, then again once the CDP hangs and its cached CRL has expired.
func Example() {
	root, leaf, crl := examplePKI() // a root, a leaf it issued with a CDP, its CRL
	clk := clock.NewManual(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	network := netsim.New(clk)
	network.Serve("http://pki.example.test/root.crl", crl)
	c, err := client.New(client.Config{Clock: clk, Network: network, Root: chain.NewStore("Root", root)})
	if err != nil {
		log.Fatal(err)
	}
	opts := client.VerifyOptions{Params: chain.Params{Flags: chain.RevocationCheckChainExclRoot}}
	res, _ := c.Verify(context.Background(), leaf, opts)
	fmt.Println(res.Chain.TrustStatus.ErrorStatus, res.Policy.Error)

	network.Handle("http://pki.example.test/root.crl", netsim.Response{Fail: netsim.FailTimeout})
	clk.Advance(48 * time.Hour) // the cached CRL has expired and the CDP hangs
	res, _ = c.Verify(context.Background(), leaf, opts)
	fmt.Println(res.Policy.Error)
	// Output:
	// CERT_TRUST_NO_ERROR 0x00000000 (S_OK)
	// 0x80092013 (CRYPT_E_REVOCATION_OFFLINE)
}

// examplePKI makes a root CA, a leaf it issued whose CDP is
// http://pki.example.test/root.crl, and that CRL, valid for a day from
// 2026-11-24T00:00Z.
func examplePKI() (root, leaf *certs.Certificate, crl []byte) {
	ca := testpki.NewRoot("Example Root", testpki.ECDSA)
	l := ca.NewLeaf("mail.example.test", testpki.ECDSA, func(t *x509.Certificate) {
		t.CRLDistributionPoints = []string{"http://pki.example.test/root.crl"}
	})
	this := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	return ca.Cert, l.Cert, ca.CRL(1, this, this.Add(24*time.Hour), time.Time{})
}

// The seed-8h negative-cache model keeps offline-URL records in the cache
// folder: a reboot does not clear them, `certutil -urlcache * delete`
// does.
func ExampleClient_DeleteURLCache() {
	root, leaf, _ := examplePKI()
	clk := clock.NewManual(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	network := netsim.New(clk) // serves nothing: the CDP is unreachable
	dir, _ := os.MkdirTemp("", "cryptnet")
	defer os.RemoveAll(dir)
	c, err := client.New(client.Config{Clock: clk, Network: network, Root: chain.NewStore("Root", root),
		CacheDir: dir, NegativeCache: cache.OfflineSeed8h})
	if err != nil {
		log.Fatal(err)
	}
	opts := client.VerifyOptions{Params: chain.Params{Flags: chain.RevocationCheckChainExclRoot}}
	from := func() string {
		res, _ := c.Verify(context.Background(), leaf, opts)
		return res.Chain.Chains[0].Elements[0].Revocation.From
	}
	fmt.Println("first:", from())
	fmt.Println("again:", from())
	c.Reboot()
	fmt.Println("after reboot:", from())
	del, _ := c.DeleteURLCache(client.SelectAll)
	fmt.Println("deleted records:", len(del.Offline))
	fmt.Println("after delete:", from())
	// Output:
	// first: network
	// again: offline-skip
	// after reboot: offline-skip
	// deleted records: 1
	// after delete: network
}
