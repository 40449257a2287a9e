package revocation

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPlanIsWhatTheCheckerRetrieves: the URLs PlanFor lists, in its order,
// are the URLs a real check retrieves from the loopback responder (the OCSP
// GET URL byte for byte).
func TestPlanIsWhatTheCheckerRetrieves(t *testing.T) {
	w := newWorld(t, pointers{crl: true, ocsp: true}, pointers{})
	w.rs.fail("/ocsp/inter", 500) // OCSP fails, so the CRL is tried next
	this, next := fresh(w.clk)
	w.interCRL(crlSpec{thisUpdate: this, nextUpdate: next})

	plan, err := PlanFor(w.leaf.Cert, w.inter.Cert)
	require.NoError(t, err)
	require.True(t, plan.OCSPFirst)
	require.Len(t, plan.OCSP, 1)
	require.Len(t, plan.CRL, 1)

	res := w.checkLeaf(nil)
	require.Equal(t, Good, res.Status)
	var got []string
	for _, r := range res.Retrievals {
		got = append(got, r.URL)
	}
	require.Equal(t, []string{plan.OCSP[0].Request, plan.CRL[0].Request}, got)

	// Without the issuer the GET URL cannot be built, and the plan says so.
	plan, err = PlanFor(w.leaf.Cert, nil)
	require.NoError(t, err)
	require.Empty(t, plan.OCSP[0].Request)
	require.Contains(t, plan.Notes, "OCSP GET URLs need the issuer certificate (--issuer)")
	_, err = PlanFor(nil, nil)
	require.ErrorIs(t, err, ErrNilCertificate)
}
