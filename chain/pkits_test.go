package chain_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
)

type pkitsTest struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Section string   `json:"section"`
	Certs   []string `json:"certs"`
	CRLs    []string `json:"crls"`
	Expect  string   `json:"expect"`
	Note    string   `json:"note"`
}

// pkitsTime is when the source suite validates every test (README of
// testdata/pkits).
var pkitsTime = time.Date(2011, 4, 15, 0, 0, 0, 0, time.UTC)

// pkitsDivergences lists the PKITS tests whose Windows result differs from
// the RFC 5280 expectation, or that need a feature this run switches off.
// Each row is also in docs/windows-divergences.md. The test fails if a
// listed test stops diverging, so the list stays true.
var pkitsDivergences = map[string]string{
	// Revocation is off in the chain-engine run (sections 4.4, 4.14, 4.15
	// run with revocation in package revocation).
	"4.5.2": "EE revoked on the CA's CRL: revocation is off in this run",
	"4.5.5": "EE revoked on the CA's CRL: revocation is off in this run",
	"4.5.7": "EE revoked on the CA's CRL: revocation is off in this run",
	"4.7.4": "CA keyUsage lacks cRLSign, so its CRL cannot be used: revocation is off in this run",
	"4.7.5": "CA keyUsage lacks cRLSign, so its CRL cannot be used: revocation is off in this run",
	// Windows finds the issuer by AKI key identifier and does not compare
	// the issuer name with the CA's subject (CERT_TRUST_HAS_KEY_MATCH_ISSUER,
	// spec §1.8), so a name that does not chain is no error.
	"4.3.1": "issuer found by AKI key identifier; Windows does not require name chaining",
	"4.3.2": "issuer found by AKI key identifier; Windows does not require name chaining",
}

// pkitsSections are the sections the chain engine answers on its own.
var pkitsSections = []string{"4.1", "4.2", "4.3", "4.5", "4.6", "4.7", "4.13"}

func loadPKITS(t *testing.T) []pkitsTest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "pkits", "tests.json"))
	require.NoError(t, err)
	var tests []pkitsTest
	require.NoError(t, json.Unmarshal(data, &tests))
	return tests
}

func loadPKITSCert(t *testing.T, name string) *certs.Certificate {
	t.Helper()
	cs, err := certs.LoadFile(filepath.Join("..", "testdata", "pkits", "certs", name))
	require.NoError(t, err, name)
	return cs[0]
}

// runPKITS validates one PKITS test the way the suite asks: certs[0] is the
// trust anchor, the last certificate the target, the rest an unordered
// additional store.
func runPKITS(t *testing.T, tc pkitsTest) (*chain.ChainContext, chain.PolicyStatus) {
	t.Helper()
	root := loadPKITSCert(t, tc.Certs[0])
	extra := chain.NewStore("Additional")
	for _, n := range tc.Certs[1 : len(tc.Certs)-1] {
		extra.Add(loadPKITSCert(t, n))
	}
	leaf := loadPKITSCert(t, tc.Certs[len(tc.Certs)-1])
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(pkitsTime), Root: chain.NewStore("Root", root)})
	cc, err := e.GetChain(context.Background(), leaf, chain.Params{Time: pkitsTime, Additional: extra})
	require.NoError(t, err)
	return cc, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
}

func TestPKITSChainSections(t *testing.T) {
	checkPKITS(t, pkitsSections, pkitsDivergences, runPKITS)
}

// checkPKITS runs every PKITS test of the sections through run and compares
// the BASE policy verdict with the PKITS expectation; a test listed in
// divergences must disagree (so the list stays true).
func checkPKITS(t *testing.T, sections []string, divergences map[string]string,
	run func(*testing.T, pkitsTest) (*chain.ChainContext, chain.PolicyStatus)) {
	for _, tc := range loadPKITS(t) {
		sec := strings.Join(strings.SplitN(tc.ID, ".", 3)[:2], ".")
		if !contains(sections, sec) {
			continue
		}
		t.Run(tc.ID+" "+tc.Name, func(t *testing.T) {
			cc, st := run(t, tc)
			got := "valid"
			if !st.OK() {
				got = "invalid"
			}
			if why, diverges := divergences[tc.ID]; diverges {
				require.NotEqual(t, tc.Expect, got, "listed as a divergence (%s) but now agrees: remove it from the list", why)
				return
			}
			require.Equal(t, tc.Expect, got, "policy %v; chain %v; %v; note: %s", st.Error, cc.TrustStatus, detail(cc), tc.Note)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
