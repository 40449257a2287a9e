package capi2_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/winchain/winchain/capi2"
)

// Read an export operation by operation and print each verdict.
func ExampleNewGrouper() {
	f, err := os.Open("../testdata/capi2/two-processes.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	r, err := capi2.NewReader(f, "two-processes.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	g := capi2.NewGrouper(r)
	for {
		op, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %s\n", op.Process, op.Verdict())
	}
	// Output:
	// OUTLOOK.EXE: revocation offline for mail.contoso.test: fetching http://pki.contoso.test/crl/ContosoIssuingCA01.crl failed (ERROR_WINHTTP_TIMEOUT after 15s)
	// chrome.exe: revoked: mail.contoso.test is revoked (CRL on the network)
}

// Replay an operation through winchain and compare with Windows.
func ExampleOperation_Replay() {
	f, err := os.Open("../testdata/capi2/stale-crl-cache-only.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	r, err := capi2.NewReader(f, "stale-crl-cache-only.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	op, err := capi2.NewGrouper(r).Next()
	if err != nil {
		fmt.Println(err)
		return
	}
	rp, err := op.Replay(context.Background(), capi2.ReplayOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("agree:", rp.Agree, rp.Differences)
	fmt.Println("winchain:", rp.Winchain.TrustStatus.Errors, rp.Winchain.Policy.ErrorName)
	// Output:
	// agree: true []
	// winchain: [CERT_TRUST_REVOCATION_STATUS_UNKNOWN CERT_TRUST_IS_OFFLINE_REVOCATION] CRYPT_E_REVOCATION_OFFLINE
}
