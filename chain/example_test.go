package chain_test

import (
	"context"
	"fmt"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
)

// Build and check a chain the way CertGetCertificateChain and the SSL policy
// of CertVerifyCertificateChainPolicy would on a Windows client whose Root
// store holds the demo root and whose CA store holds the issuing CA.
func Example() {
	roots, _ := chain.LoadStoreFiles("Root", "../testdata/demo/root.pem")
	cas, _ := chain.LoadStoreFiles("CA", "../testdata/demo/inter.pem")
	leafs, _ := certs.LoadFile("../testdata/demo/leaf.pem")
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(at), Root: roots, CA: cas})
	cc, err := e.GetChain(context.Background(), leafs[0], chain.Params{Time: at})
	if err != nil {
		panic(err)
	}
	for i, el := range cc.Chains[0].Elements {
		fmt.Printf("[%d] %s  dwErrorStatus=%x dwInfoStatus=%x\n", i, el.Cert.X.Subject.CommonName,
			uint32(el.TrustStatus.ErrorStatus), uint32(el.TrustStatus.InfoStatus))
	}
	fmt.Println(chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "mail.contoso.test"}).Error)
	fmt.Println(chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "www.contoso.test"}).Error)
	// Output:
	// [0] mail.contoso.test  dwErrorStatus=0 dwInfoStatus=102
	// [1] Contoso Demo Issuing CA  dwErrorStatus=0 dwInfoStatus=102
	// [2] Contoso Demo Root CA  dwErrorStatus=0 dwInfoStatus=10c
	// 0x00000000 (S_OK)
	// 0x800B010F (CERT_E_CN_NO_MATCH)
}

// Without the issuing CA the chain is partial: the bit sits at chain level
// and the BASE policy answers CERT_E_CHAINING for the whole chain.
func ExampleVerifyPolicy_partialChain() {
	roots, _ := chain.LoadStoreFiles("Root", "../testdata/demo/root.pem")
	leafs, _ := certs.LoadFile("../testdata/demo/leaf.pem")
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	cc, _ := chain.NewEngine(chain.Config{Clock: clock.Fixed(at), Root: roots}).GetChain(context.Background(), leafs[0], chain.Params{})
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	fmt.Println(cc.TrustStatus.ErrorStatus)
	fmt.Println(st.Error, st.ChainIndex, st.ElementIndex)
	// Output:
	// CERT_TRUST_IS_PARTIAL_CHAIN
	// 0x800B010A (CERT_E_CHAINING) 0 -1
}
