package chain_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
)

const fuzzPKITS = "../testdata/pkits"

// Limits small enough that one fuzz execution stays fast; the properties
// hold for any limits.
const (
	fuzzMaxIterations = 60
	fuzzMaxDepth      = 8
	fuzzMaxCandidates = 8
)

// pkitsPathSeeds returns, for a sample of the PKITS tests, the test's
// certificates as one fuzz input in the FuzzGetChain format (end
// certificate first, the trust anchor selected for the Root store).
func pkitsPathSeeds(tb testing.TB) [][]byte {
	raw, err := os.ReadFile(filepath.Join(fuzzPKITS, "tests.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var tests []struct {
		ID    string   `json:"id"`
		Certs []string `json:"certs"`
	}
	if err := json.Unmarshal(raw, &tests); err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for i, tc := range tests {
		if i%6 != 0 && !strings.HasPrefix(tc.ID, "4.13.") { // a sample, plus every name constraints test
			continue
		}
		var ders [][]byte
		ok := true
		for j := len(tc.Certs) - 1; j >= 0; j-- { // end certificate first
			b, err := os.ReadFile(filepath.Join(fuzzPKITS, "certs", tc.Certs[j]))
			if err != nil {
				ok = false
				break
			}
			ders = append(ders, b)
		}
		if !ok || len(ders) < 2 || len(ders) > 9 {
			continue
		}
		sel := byte(1) << (len(ders) - 2) // the anchor (last) goes to Root
		out = append(out, append([]byte{sel, 0}, bytes.Join(ders, nil)...))
	}
	return out
}

// splitDER cuts data into consecutive DER elements (at most 24): the
// certificate pool of one FuzzGetChain execution.
func splitDER(data []byte) [][]byte {
	s := cryptobyte.String(data)
	var out [][]byte
	for len(out) < 24 && !s.Empty() {
		var el cryptobyte.String
		if !s.ReadAnyASN1Element(&el, nil) {
			break
		}
		out = append(out, el)
	}
	return out
}

// FuzzGetChain builds chains over arbitrary certificate sets: the input is
// a selector byte (bit i: element i+1 goes to the Root store instead of the
// CA store), a flags byte, and DER elements; element 0 is the certificate to
// validate. Properties: GetChain and VerifyPolicy never panic; GetChain
// never fails on a parsed certificate; the search stays within the
// configured limits (iterations, depth, candidate chains) and says so in
// Build.LimitsHit when it is cut short; Chains[0] starts with the end
// certificate and is Candidates[0].
//
// Seeds: PKITS paths (every name constraints test and a sample of the
// rest), and the 3-CA mesh.
func FuzzGetChain(f *testing.F) {
	for _, s := range pkitsPathSeeds(f) {
		f.Add(s)
	}
	pool, leaf := meshPKI(3)
	ders := [][]byte{leaf.X.Raw}
	for _, c := range pool {
		ders = append(ders, c.X.Raw)
	}
	f.Add(append([]byte{0, 0x80}, bytes.Join(ders, nil)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		sel, flagBits := data[0], data[1]
		var leaf *certs.Certificate
		root, ca := chain.NewStore("Root"), chain.NewStore("CA")
		for i, der := range splitDER(data[2:]) {
			c, err := certs.Parse(der)
			if err != nil {
				continue
			}
			switch {
			case leaf == nil:
				leaf = c
			case i >= 1 && i <= 8 && sel&(1<<(i-1)) != 0:
				root.Add(c)
			default:
				ca.Add(c)
			}
		}
		if leaf == nil {
			return
		}
		var flags chain.Flags
		if flagBits&0x80 != 0 {
			flags |= chain.ReturnLowerQualityContexts
		}
		if flagBits&0x40 != 0 {
			flags |= chain.DisablePass1QualityFiltering
		}
		e := chain.NewEngine(chain.Config{
			Clock:              clock.Fixed(pkitsTime),
			Root:               root,
			CA:                 ca,
			MaxBuildIterations: fuzzMaxIterations,
			MaxDepth:           fuzzMaxDepth,
			MaxCandidateChains: fuzzMaxCandidates,
		})
		cc, err := e.GetChain(context.Background(), leaf, chain.Params{Time: pkitsTime, Flags: flags})
		if err != nil {
			t.Fatalf("GetChain: %v", err)
		}
		if cc.Build.Iterations > fuzzMaxIterations {
			t.Fatalf("%d iterations > limit %d", cc.Build.Iterations, fuzzMaxIterations)
		}
		if len(cc.Candidates) > fuzzMaxCandidates {
			t.Fatalf("%d candidates > limit %d", len(cc.Candidates), fuzzMaxCandidates)
		}
		if cc.Build.Iterations == fuzzMaxIterations && len(cc.Build.LimitsHit) == 0 {
			t.Fatal("iteration limit reached but not reported")
		}
		if len(cc.Chains) == 0 || len(cc.Chains[0].Elements) == 0 {
			t.Fatal("no chain")
		}
		if !cc.Chains[0].Elements[0].Cert.Equal(leaf) {
			t.Fatal("chain does not start with the end certificate")
		}
		if len(cc.Candidates) > 0 && cc.Candidates[0] != cc.Chains[0] {
			t.Fatal("Chains[0] is not the best candidate")
		}
		for _, sc := range cc.Candidates {
			if len(sc.Elements) > fuzzMaxDepth {
				t.Fatalf("candidate of %d elements > MaxDepth %d", len(sc.Elements), fuzzMaxDepth)
			}
		}
		for _, p := range []chain.Policy{chain.PolicyBase, chain.PolicySSL, chain.PolicyBasicConstraints} {
			chain.VerifyPolicy(cc, p, chain.PolicyPara{ServerName: "a.example.test"})
		}
		_ = cc.TrustStatus.ErrorStatus.String()
	})
}

func pemCRL(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}
