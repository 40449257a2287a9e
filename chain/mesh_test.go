package chain_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// trustedMesh is a PKI in which a trusted path hides among
// cross-certificates: CAs that cross-certify each other (pairs), a trusted
// root that certifies some of them, and a leaf.
type trustedMesh struct {
	root *testpki.CA
	pool []*certs.Certificate
	leaf *certs.Certificate
	want int // elements of the shortest trusted chain
}

// newTrustedMesh builds n CAs. pairs lists which CA certifies which
// (issuer, subject; each CA name has one key, so cross-certificates of a
// CA share its subject and key); the root certifies the CAs in rooted;
// the leaf is issued by CA 0.
func newTrustedMesh(n int, shape string, pairs func(int) [][2]int, rooted []int, want int) *trustedMesh {
	base := meshBase(n, shape, pairs)
	m := &trustedMesh{root: testpki.NewRoot("Mesh Trusted Root", testpki.ECDSA), want: want, leaf: base.leaf}
	m.pool = append(m.pool, base.pool...)
	for _, r := range rooted {
		m.pool = append(m.pool, crossCert(m.root, base.cas[r], r))
	}
	return m
}

func crossCert(issuer, subject *testpki.CA, i int) *certs.Certificate {
	tm := testpki.Template(fmt.Sprintf("Mesh CA %02d", i), true)
	tm.SubjectKeyId = subject.Cert.X.SubjectKeyId
	return issuer.IssueWithKey(tm, subject.Key).Cert
}

type meshCAs struct {
	cas  []*testpki.CA
	pool []*certs.Certificate
	leaf *certs.Certificate
}

// meshBases keeps the generated meshes: the 50-CA full mesh has 2,450
// cross-certificates, signed once for the tests that share it.
var meshBases = map[string]*meshCAs{}

func meshBase(n int, shape string, pairs func(int) [][2]int) *meshCAs {
	id := fmt.Sprint(shape, n)
	if m, ok := meshBases[id]; ok {
		return m
	}
	m := &meshCAs{cas: make([]*testpki.CA, n)}
	for i := range m.cas {
		m.cas[i] = testpki.NewRoot(fmt.Sprintf("Mesh CA %02d", i), testpki.ECDSA)
	}
	for _, p := range pairs(n) {
		m.pool = append(m.pool, crossCert(m.cas[p[0]], m.cas[p[1]], p[1]))
	}
	m.leaf = m.cas[0].NewLeaf("mesh.example.test", testpki.ECDSA).Cert
	meshBases[id] = m
	return m
}

// fullMesh: every CA certifies every other one.
func fullMesh(n int) [][2]int {
	var pairs [][2]int
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				pairs = append(pairs, [2]int{i, j})
			}
		}
	}
	return pairs
}

// bridge: CA n-1 is a bridge CA cross-certified both ways with every other
// CA (the Federal Bridge shape), and CAs 1..n-2 also cross-certify their
// neighbours.
func bridge(n int) [][2]int {
	b := n - 1
	var pairs [][2]int
	for i := 0; i < b; i++ {
		pairs = append(pairs, [2]int{b, i}, [2]int{i, b})
		if i > 0 && i+1 < b {
			pairs = append(pairs, [2]int{i, i + 1}, [2]int{i + 1, i})
		}
	}
	return pairs
}

// A trusted path within the limits is found however many cross-certified
// CAs surround it (issue 15: with 12 CAs the search spent its budget 20
// certificates deep in the mesh and ended partial, CERT_E_CHAINING). The
// chosen chain is the shortest trusted one, through the library's default
// limits, and the search stays bounded.
func TestTrustedPathInCrossSignedMesh(t *testing.T) {
	cases := []struct {
		name  string
		n     int
		long  bool // skipped with -short
		build func(n int) *trustedMesh
	}{
		{"full mesh, root certifies the leaf's CA", 5, false, func(n int) *trustedMesh { return newTrustedMesh(n, "full", fullMesh, []int{0}, 3) }},
		{"full mesh, root certifies the leaf's CA", 12, false, func(n int) *trustedMesh { return newTrustedMesh(n, "full", fullMesh, []int{0}, 3) }},
		{"full mesh, root certifies the leaf's CA", 50, true, func(n int) *trustedMesh { return newTrustedMesh(n, "full", fullMesh, []int{0}, 3) }},
		{"full mesh, root certifies the last CA", 5, false, func(n int) *trustedMesh { return newTrustedMesh(n, "full", fullMesh, []int{n - 1}, 4) }},
		{"full mesh, root certifies the last CA", 12, false, func(n int) *trustedMesh { return newTrustedMesh(n, "full", fullMesh, []int{n - 1}, 4) }},
		{"full mesh, root certifies the last CA", 50, true, func(n int) *trustedMesh { return newTrustedMesh(n, "full", fullMesh, []int{n - 1}, 4) }},
		// leaf -> CA 0 (by bridge) -> bridge (by CA 1) -> CA 1 (by root) -> root
		{"bridge, root certifies a member CA", 5, false, func(n int) *trustedMesh { return newTrustedMesh(n, "bridge", bridge, []int{1}, 5) }},
		{"bridge, root certifies a member CA", 12, false, func(n int) *trustedMesh { return newTrustedMesh(n, "bridge", bridge, []int{1}, 5) }},
		{"bridge, root certifies a member CA", 50, false, func(n int) *trustedMesh { return newTrustedMesh(n, "bridge", bridge, []int{1}, 5) }},
		// leaf -> CA 0 (by bridge) -> bridge (by root) -> root
		{"bridge, root certifies the bridge", 50, false, func(n int) *trustedMesh { return newTrustedMesh(n, "bridge", bridge, []int{n - 1}, 4) }},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d CAs", tc.name, tc.n), func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("thousands of cross-certificates")
			}
			m := tc.build(tc.n)
			e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime),
				Root: chain.NewStore("Root", m.root.Cert), CA: chain.NewStore("CA", m.pool...)})
			start := time.Now()
			cc, err := e.GetChain(context.Background(), m.leaf, chain.Params{Time: testTime})
			took := time.Since(start)
			require.NoError(t, err)
			t.Logf("%d certificates: %v, %d iterations, %d candidates, limits %v", len(m.pool), took, cc.Build.Iterations, len(cc.Candidates), cc.Build.LimitsHit)
			assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus, "%v", cc.TrustStatus.ErrorStatus)
			assert.Len(t, cc.Chains[0].Elements, m.want, "the shortest trusted chain")
			assert.Equal(t, m.root.Cert.SHA256, cc.Root().Cert.SHA256)
			assert.Equal(t, chain.HRESULT(0), chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
			assert.LessOrEqual(t, cc.Build.Iterations, chain.DefaultMaxBuildIterations)
			assert.LessOrEqual(t, len(cc.Candidates), chain.DefaultMaxCandidateChains)
			assert.Less(t, took, 10*time.Second)
		})
	}
}

// Loops are detected by CA (subject name and key), not by certificate: in
// a mesh without a trusted root no candidate chain holds one CA twice,
// however many cross-certificates it has.
func TestMeshLoopsAreDetectedBySubjectAndKey(t *testing.T) {
	pool, leaf := meshPKI(5)
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), CA: chain.NewStore("CA", pool...)})
	cc, err := e.GetChain(context.Background(), leaf, chain.Params{Time: testTime})
	require.NoError(t, err)
	require.NotEmpty(t, cc.Candidates)
	for _, sc := range cc.Candidates {
		seen := map[string]bool{}
		for _, el := range sc.Elements {
			id := string(el.Cert.X.RawSubject) + string(el.Cert.X.RawSubjectPublicKeyInfo)
			assert.False(t, seen[id], "%s appears twice in a %s candidate", el.Cert.X.Subject, sc.End)
			seen[id] = true
		}
		// 5 CAs and a leaf: no chain is longer, and one that ends in a
		// loop says so.
		assert.LessOrEqual(t, len(sc.Elements), 6)
	}
	assert.NotZero(t, cc.TrustStatus.ErrorStatus&(chain.IsPartialChain|chain.IsCyclic))
}
