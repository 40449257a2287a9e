package revocation

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
)

var (
	crlOnly  = pointers{crl: true}
	ocspOnly = pointers{ocsp: true}
	both     = pointers{crl: true, ocsp: true}
	none     = pointers{}
)

// TestCheck is the outcome table of spec §3.5 for one certificate, with a
// real loopback responder as CDP and OCSP server.
func TestCheck(t *testing.T) {
	type want struct {
		status   Status
		source   string
		from     string
		extended bool
		detail   string // substring of Result.Detail
	}
	cases := []struct {
		name  string
		leaf  pointers
		cfg   func(*Config)
		setup func(w *world) *Request
		want  want
		check func(t *testing.T, w *world, r *Result)
	}{
		{
			name: "OCSP good → good, OCSP asked before the CRL (spec §3.2, §3.5, S29)",
			leaf: both,
			setup: func(w *world) *Request {
				w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(24*time.Hour))
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour)})
				return nil
			},
			want: want{status: Good, source: "ocsp", from: "network"},
			check: func(t *testing.T, w *world, r *Result) {
				require.Zero(t, w.rs.hit("/inter.crl"), "the CRL is not fetched when OCSP answers")
				require.False(t, r.HasFreshness, "dwFreshnessTime is for CRL checks only (spec §3.6)")
			},
		},
		{
			name: "listed in CRL → revoked (CRYPT_E_REVOKED, spec §3.5)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), 1)}})
				return nil
			},
			want: want{status: Revoked, source: "crl", from: "network"},
			check: func(t *testing.T, w *world, r *Result) {
				require.Equal(t, 1, r.Reason)
				require.True(t, r.HasFreshness)
				require.Equal(t, time.Hour, r.FreshnessTime, "dwFreshnessTime = now − thisUpdate (spec §1.5)")
			},
		},
		{
			name: "OCSP revoked → revoked (spec §3.5)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(24*time.Hour), leafSerial(w))
				return nil
			},
			want: want{status: Revoked, source: "ocsp"},
		},
		{
			name: "OCSP responder offline (HTTP 500) → CRL fallback → good (spec §3.2, §11.2 fallback to the other method)",
			leaf: both,
			setup: func(w *world) *Request {
				w.interOCSP(w.inter, t0, t0.Add(time.Hour))
				w.rs.fail("/ocsp/inter", 500)
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour)})
				return nil
			},
			want: want{status: Good, source: "crl", detail: ""},
			check: func(t *testing.T, w *world, r *Result) {
				require.Len(t, r.Retrievals, 2)
				require.Equal(t, cache.KindOCSP, r.Retrievals[0].Kind)
				require.Equal(t, cache.KindCRL, r.Retrievals[1].Kind)
			},
		},
		{
			name: "all URLs unreachable/HTTP error → REVOCATION_STATUS_UNKNOWN|IS_OFFLINE_REVOCATION (spec §3.5)",
			leaf: both,
			setup: func(w *world) *Request {
				w.interOCSP(w.inter, t0, t0.Add(time.Hour))
				w.rs.fail("/ocsp/inter", 404)
				w.rs.fail("/inter.crl", 503)
				return nil
			},
			want: want{status: Offline, detail: "http-status 503"},
		},
		{
			name: "expired CRL inside the extension period → good + HAS_CRL_VALIDITY_EXTENDED (spec §3.3)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-48 * time.Hour), nextUpdate: t0.Add(-2 * time.Hour)})
				return nil
			},
			want: want{status: Good, source: "crl", extended: true},
		},
		{
			name: "expired CRL outside the extension period → UNKNOWN|OFFLINE (spec §3.5 stale, S29 CheckEndEntityWithExpiredRevocation)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-72 * time.Hour), nextUpdate: t0.Add(-13 * time.Hour)})
				return nil
			},
			want: want{status: Offline, detail: "stale"},
		},
		{
			name: "expired CRL inside the period, extension disabled → UNKNOWN|OFFLINE (Config.DisableCRLValidityExtension)",
			leaf: crlOnly,
			cfg:  func(c *Config) { c.DisableCRLValidityExtension = true },
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-48 * time.Hour), nextUpdate: t0.Add(-2 * time.Hour)})
				return nil
			},
			want: want{status: Offline, detail: "stale"},
		},
		{
			name: "expired CRL, URL offline → REVOCATION_STATUS_UNKNOWN|IS_OFFLINE_REVOCATION (spec §3.5, S29)",
			leaf: crlOnly,
			cfg:  func(c *Config) { c.DisableCRLValidityExtension = true },
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour)})
				require.Equal(w.t, Good, w.checkLeaf(nil).Status) // primes the cache
				w.clk.Advance(2 * time.Hour)
				w.rs.fail("/inter.crl", 500)
				return nil
			},
			want: want{status: Offline, detail: "http-status 500"},
		},
		{
			name: "stale CRL still proves revoked, URL offline (spec §11.2 RevokeEndEntityWithExpiredRevocation)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), 0)}})
				require.Equal(w.t, Revoked, w.checkLeaf(nil).Status)
				w.clk.Advance(30 * 24 * time.Hour)
				w.rs.fail("/inter.crl", 500)
				return nil
			},
			want: want{status: Revoked, source: "crl", detail: "stale"},
		},
		{
			name: "CRL signed by another key → UNKNOWN|OFFLINE (spec §3.3, §3.5)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				other := testpki.NewKey(testpki.ECDSA)
				w.rs.set("/inter.crl", signCRL(w.t, w.inter.Cert.X, other, crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour)}))
				return nil
			},
			want: want{status: Offline, detail: "signature"},
		},
		{
			name: "CRL issuer name does not match → UNKNOWN|OFFLINE (S29 CorruptRevocationIssuerName)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				// Same key, issuer name "CN=The Ghost in the Machine".
				ghost := testpki.Template("The Ghost in the Machine", true)
				ghost.SubjectKeyId = w.inter.Cert.X.SubjectKeyId
				w.rs.set("/inter.crl", signCRL(w.t, w.root.IssueWithKey(ghost, w.inter.Key).Cert.X, w.inter.Key, crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour)}))
				return nil
			},
			want: want{status: Offline, detail: "issuer name"},
		},
		{
			name: "delegated OCSP responder issued by the CA with id-kp-OCSPSigning → good (S29 IssuerAuthorityHasDesignatedOcspResponder)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				resp := w.inter.NewLeaf("Test OCSP Responder", testpki.ECDSA, func(c *x509.Certificate) {
					c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
				})
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour))
				return nil
			},
			want: want{status: Good, source: "ocsp", detail: "delegated"},
		},
		{
			name: "delegated responder whose certificate has a negative serial (crypto/x509 refuses it, Windows loads it, spec §11.3) → its good answer is used",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				resp := negativeSerialResponder(w)
				require.Equal(t, -133, int(resp.Cert.X.SerialNumber.Int64()))
				_, err := x509.ParseCertificate(resp.Cert.X.Raw)
				require.Error(t, err, "crypto/x509 must refuse the responder certificate for this case to mean anything")
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour))
				return nil
			},
			want: want{status: Good, source: "ocsp", detail: "delegated"},
		},
		{
			name: "delegated responder whose certificate has a negative serial → its revoked answer is used (CRYPT_E_REVOKED)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				resp := negativeSerialResponder(w)
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour), leafSerial(w))
				return nil
			},
			want: want{status: Revoked, source: "ocsp"},
		},
		{
			name: "a negative-serial responder certificate the CA did not sign → its answer is refused (the lenient load keeps the signature check)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				other := testpki.NewRoot("Unrelated Root", testpki.ECDSA)
				resp := negativeSerialResponder(w)
				// Re-signed by another key under the same issuer name.
				forged := (&testpki.CA{Cert: w.inter.Cert, Key: other.Key}).WithSerial(resp, []byte{0xFF, 0x7B})
				w.interOCSP(forged, t0.Add(-time.Hour), t0.Add(24*time.Hour), leafSerial(w))
				return nil
			},
			want: want{status: Offline, detail: "not signed by the issuing CA"},
		},
		{
			name: "delegated responder revoked on the CA's CRL → its answer is refused, the CRL decides (CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT, spec §1.4, §3.4)",
			leaf: both,
			setup: func(w *world) *Request {
				resp := w.inter.NewLeaf("Revoked OCSP Responder", testpki.ECDSA, func(c *x509.Certificate) {
					c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
					c.CRLDistributionPoints = []string{w.rs.URL("/inter.crl")}
				})
				this, next := fresh(w.clk)
				w.interCRL(crlSpec{thisUpdate: this, nextUpdate: next,
					entries: []x509.RevocationListEntry{revokedEntry(resp.Cert.X.SerialNumber, this, 1)}})
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour))
				return nil
			},
			want: want{status: Good, source: "crl", detail: "responder certificate is revoked"},
		},
		{
			name: "delegated responder whose own certificate points at the same OCSP responder → asked once; its certificate is checked with its CRL only, never through OCSP (no recursion, CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				resp := w.inter.NewLeaf("Self-Referencing OCSP Responder", testpki.ECDSA, func(c *x509.Certificate) {
					c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
					c.OCSPServer = []string{w.rs.URL("/ocsp/inter")}
					c.CRLDistributionPoints = []string{w.rs.URL("/inter.crl")}
				})
				this, next := fresh(w.clk)
				w.interCRL(crlSpec{thisUpdate: this, nextUpdate: next})
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour))
				return nil
			},
			want: want{status: Good, source: "ocsp", detail: "delegated"},
			check: func(t *testing.T, w *world, r *Result) {
				require.Equal(t, 1, w.rs.hit("/ocsp/inter"), "the responder is asked about the leaf only")
				require.Equal(t, 1, w.rs.hit("/inter.crl"), "the responder's certificate is checked once, with its CRL")
			},
		},
		{
			name: "delegated responder with id-pkix-ocsp-nocheck → its own revocation is not checked (spec §3.4)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				resp := w.inter.NewLeaf("NoCheck OCSP Responder", testpki.ECDSA, func(c *x509.Certificate) {
					c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
					c.CRLDistributionPoints = []string{w.rs.URL("/inter.crl")}
					c.ExtraExtensions = []pkix.Extension{{Id: oidOCSPNoCheck, Value: []byte{0x05, 0x00}}}
				})
				this, next := fresh(w.clk)
				w.interCRL(crlSpec{thisUpdate: this, nextUpdate: next,
					entries: []x509.RevocationListEntry{revokedEntry(resp.Cert.X.SerialNumber, this, 1)}})
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour))
				return nil
			},
			want: want{status: Good, source: "ocsp", detail: "id-pkix-ocsp-nocheck"},
		},
		{
			name: "OCSP responder chaining to an unrelated root → UNKNOWN|OFFLINE, revoked answer discarded (S29 RevokeEndEntity_IssuerUnrelatedOcsp)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				other := testpki.NewRoot("Unrelated Root", testpki.ECDSA)
				resp := other.NewLeaf("Test OCSP Responder", testpki.ECDSA, func(c *x509.Certificate) {
					c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
				})
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour), leafSerial(w))
				return nil
			},
			want: want{status: Offline, detail: "did not issue"},
		},
		{
			name: "delegated responder without id-kp-OCSPSigning → UNKNOWN|OFFLINE (spec §3.4)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				resp := w.inter.NewLeaf("Not A Responder", testpki.ECDSA)
				w.interOCSP(resp, t0.Add(-time.Hour), t0.Add(24*time.Hour))
				return nil
			},
			want: want{status: Offline, detail: "OCSPSigning"},
		},
		{
			name: "OCSP unknown → no answer → UNKNOWN|OFFLINE (spec §3.4, Wine model; UNCONFIRMED)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				w.rs.mu.Lock()
				w.rs.ocsp["/ocsp/inter"] = ocspAnswer(w.inter, w.inter, t0.Add(-time.Hour), t0.Add(time.Hour), func(*big.Int) int { return ocsp.Unknown })
				w.rs.mu.Unlock()
				return nil
			},
			want: want{status: Offline, detail: "unknown"},
		},
		{
			name: "expired OCSP good, no CRL → UNKNOWN|OFFLINE (spec §3.5 stale)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				w.interOCSP(w.inter, t0.Add(-48*time.Hour), t0.Add(-time.Hour))
				return nil
			},
			want: want{status: Offline, detail: "expired"},
		},
		{
			name: "expired OCSP revoked still proves revoked (spec §11.2)",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				w.interOCSP(w.inter, t0.Add(-48*time.Hour), t0.Add(-time.Hour), leafSerial(w))
				return nil
			},
			want: want{status: Revoked, source: "ocsp", detail: "stale"},
		},
		{
			name: "OCSP thisUpdate in the future → UNKNOWN|OFFLINE",
			leaf: ocspOnly,
			setup: func(w *world) *Request {
				w.interOCSP(w.inter, t0.Add(time.Hour), t0.Add(24*time.Hour))
				return nil
			},
			want: want{status: Offline, detail: "future"},
		},
		{
			name: "no CDP and no OCSP URL → REVOCATION_STATUS_UNKNOWN alone (CRYPT_E_NO_REVOCATION_CHECK, S46)",
			leaf: none,
			setup: func(w *world) *Request {
				return nil
			},
			want:  want{status: NoCheck},
			check: func(t *testing.T, w *world, r *Result) { require.Empty(t, r.Retrievals) },
		},
		{
			name: "cache-only with nothing cached → UNKNOWN|OFFLINE (spec §3.5 cache-only row)",
			leaf: both,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour)})
				w.interOCSP(w.inter, t0, t0.Add(time.Hour))
				r := w.req()
				r.CacheOnly = true
				return r
			},
			want: want{status: Offline, detail: "not-cached"},
			check: func(t *testing.T, w *world, r *Result) {
				require.Zero(t, w.rs.hit("/inter.crl")+w.rs.hit("/ocsp/inter"), "cache-only never goes to the network")
			},
		},
		{
			name: "cache-only with a cached CRL → same as online (spec §3.5, §11.2 TestRevocation_Offline_Revoked)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), 0)}})
				require.Equal(w.t, Revoked, w.checkLeaf(nil).Status)
				w.rs.srv.Close()
				r := w.req()
				r.CacheOnly = true
				return r
			},
			want: want{status: Revoked, source: "crl", from: "memory"},
		},
		{
			name: "CRL without nextUpdate is accepted (S29 TestRevocationWithNoNextUpdate_NotRevoked)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour)})
				return nil
			},
			want: want{status: Good, source: "crl"},
		},
		{
			name: "CRL without nextUpdate, leaf listed → revoked (S29 TestRevocationWithNoNextUpdate_Revoked)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), 0)}})
				return nil
			},
			want: want{status: Revoked},
		},
		{
			name: "entry dated after pTime does not count; freshness still judged at the machine clock (spec §1.1)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), 0)}})
				return &Request{Time: t0.Add(-3 * time.Hour), Now: t0}
			},
			want: want{status: Good, source: "crl"},
		},
		{
			name: "certificateHold counts as revoked (spec §3.3)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), reasonHold)}})
				return nil
			},
			want:  want{status: Revoked},
			check: func(t *testing.T, w *world, r *Result) { require.Equal(t, reasonHold, r.Reason) },
		},
		{
			name: "delta CRL (Freshest CRL in the base) with removeFromCRL un-revokes a held certificate (spec §3.3)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{number: 10, thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), reasonHold)},
					extra:   []extension{{oid: oidFreshestCRL, value: dpExtValue(w.rs.URL("/inter-delta.crl"))}}})
				w.rs.set("/inter-delta.crl", signCRL(w.t, w.inter.Cert.X, w.inter.Key, crlSpec{number: 11, thisUpdate: t0.Add(-time.Minute), nextUpdate: t0.Add(time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-time.Minute), reasonRemoveFromCRL)},
					extra:   []extension{{oid: certs.OIDDeltaCRLIndicator, critical: true, value: intValue(10)}}}))
				return nil
			},
			want: want{status: Good, source: "crl"},
			check: func(t *testing.T, w *world, r *Result) {
				require.True(t, r.DeltaApplied)
				require.Equal(t, cache.KindDeltaCRL, r.Retrievals[len(r.Retrievals)-1].Kind)
			},
		},
		{
			name: "delta CRL revokes a certificate the base does not list (spec §3.3)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{number: 10, thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour),
					extra: []extension{{oid: oidFreshestCRL, value: dpExtValue(w.rs.URL("/inter-delta.crl"))}}})
				w.rs.set("/inter-delta.crl", signCRL(w.t, w.inter.Cert.X, w.inter.Key, crlSpec{number: 11, thisUpdate: t0.Add(-time.Minute), nextUpdate: t0.Add(time.Hour),
					entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-time.Minute), 1)},
					extra:   []extension{{oid: certs.OIDDeltaCRLIndicator, critical: true, value: intValue(10)}}}))
				return nil
			},
			want: want{status: Revoked},
		},
		{
			name: "Freshest CRL pointer but the delta is unreachable → UNKNOWN|OFFLINE (winchain's choice)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{number: 10, thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour),
					extra: []extension{{oid: oidFreshestCRL, value: dpExtValue(w.rs.URL("/inter-delta.crl"))}}})
				return nil
			},
			want: want{status: Offline, detail: "delta"},
		},
		{
			name: "IDP onlyContainsCACerts does not cover a leaf → UNKNOWN|OFFLINE (RFC 5280 §5.2.5, PKITS 4.14.12)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour),
					extra: []extension{{oid: oidIssuingDistPoint, critical: true, value: idpValue(false, true, false)}}})
				return nil
			},
			want: want{status: Offline, detail: "onlyContainsCACerts"},
		},
		{
			name: "IDP indirectCRL → UNKNOWN|OFFLINE (indirect CRLs unsupported, spec §3.3)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour),
					extra: []extension{{oid: oidIssuingDistPoint, critical: true, value: idpValue(false, false, true)}}})
				return nil
			},
			want: want{status: Offline, detail: "indirect"},
		},
		{
			name: "unknown critical CRL extension → UNKNOWN|OFFLINE (PKITS 4.4.9)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour),
					extra: []extension{{oid: []int{1, 2, 3, 4}, critical: true, value: []byte{5, 0}}}})
				return nil
			},
			want: want{status: Offline, detail: "critical"},
		},
		{
			name: "dwRevocationFreshnessTime forces a refetch of an older cached CRL (spec §1.2, §3.3)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{number: 1, thisUpdate: t0.Add(-2 * time.Hour), nextUpdate: t0.Add(24 * time.Hour)})
				require.Equal(w.t, Good, w.checkLeaf(nil).Status)
				w.interCRL(crlSpec{number: 2, thisUpdate: t0.Add(-time.Minute), nextUpdate: t0.Add(24 * time.Hour)})
				r := w.req()
				r.FreshnessTime = time.Hour
				return r
			},
			want: want{status: Good, source: "crl", from: "network"},
			check: func(t *testing.T, w *world, r *Result) {
				require.Equal(t, 2, w.rs.hit("/inter.crl"))
				require.Equal(t, time.Minute, r.FreshnessTime)
			},
		},
		{
			name: "dwRevocationFreshnessTime not met by any CRL → UNKNOWN|OFFLINE (spec §3.3 'offline or stale')",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				w.interCRL(crlSpec{thisUpdate: t0.Add(-2 * time.Hour), nextUpdate: t0.Add(24 * time.Hour)})
				r := w.req()
				r.FreshnessTime = time.Hour
				return r
			},
			want: want{status: Offline, detail: "freshness"},
		},
		{
			name: "CRL in the CA store is found by issuer before the network (spec §3.2, cli --crl)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				der := signCRL(w.t, w.inter.Cert.X, w.inter.Key, crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour)})
				crl, err := certs.ParseCRL(der)
				require.NoError(w.t, err)
				r := w.req()
				r.StoreCRLs = []*certs.CRL{crl}
				return r
			},
			want:  want{status: Good, source: "crl", from: "store"},
			check: func(t *testing.T, w *world, r *Result) { require.Zero(t, w.rs.hit("/inter.crl")) },
		},
		{
			name: "issuer keyUsage without cRLSign → its CRL is rejected (PKITS 4.7.4, S36)",
			leaf: crlOnly,
			setup: func(w *world) *Request {
				inter := w.root.NewIntermediate("No CRL Sign CA", testpki.ECDSA, func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageCertSign })
				w.inter = inter
				w.leaf = inter.NewLeaf("leaf2.example.test", testpki.ECDSA, withPointers(w.rs, crlOnly, "/inter.crl", ""))
				w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour)})
				return nil
			},
			want: want{status: Offline, detail: "cRLSign"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &world{t: t, clk: clock.NewManual(t0), rs: newResponder(t)}
			if tc.cfg != nil {
				tc.cfg(&w.cfg)
			}
			w.root = testpki.NewRoot("Test Root", testpki.ECDSA)
			w.inter = w.root.NewIntermediate("Test Issuing CA", testpki.ECDSA)
			w.leaf = w.inter.NewLeaf("leaf.example.test", testpki.ECDSA, withPointers(w.rs, tc.leaf, "/inter.crl", "/ocsp/inter"))
			w.restart()
			req := tc.setup(w)
			r := w.checkLeaf(req)
			require.Equal(t, tc.want.status, r.Status, "detail: %s", r.Detail)
			if tc.want.source != "" {
				require.Equal(t, tc.want.source, r.Source)
			}
			if tc.want.from != "" {
				require.Equal(t, tc.want.from, r.From)
			}
			require.Equal(t, tc.want.extended, r.ValidityExtended)
			if tc.want.detail != "" {
				require.Contains(t, r.Detail, tc.want.detail)
			}
			if tc.check != nil {
				tc.check(t, w, r)
			}
		})
	}
}

// TestPrimedDiskCacheSurvivesReboot: a CRL and an OCSP response fetched
// once stay on disk; after the server dies and the machine reboots (a new
// Retriever and Checker on the same folder) they still answer, also in
// cache-only mode (spec §4.1, §9 item 7; S29 offline rows).
func TestPrimedDiskCacheSurvivesReboot(t *testing.T) {
	for _, p := range []pointers{crlOnly, ocspOnly} {
		name := "crl"
		if p.ocsp {
			name = "ocsp"
		}
		t.Run(name, func(t *testing.T) {
			w := &world{t: t, clk: clock.NewManual(t0), rs: newResponder(t), dir: t.TempDir()}
			w.root = testpki.NewRoot("Test Root", testpki.ECDSA)
			w.inter = w.root.NewIntermediate("Test Issuing CA", testpki.ECDSA)
			w.leaf = w.inter.NewLeaf("leaf.example.test", testpki.ECDSA, withPointers(w.rs, p, "/inter.crl", "/ocsp/inter"))
			w.restart()
			w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour), entries: []x509.RevocationListEntry{revokedEntry(leafSerial(w), t0.Add(-2*time.Hour), 0)}})
			w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(24*time.Hour), leafSerial(w))
			r := w.checkLeaf(nil)
			require.Equal(t, Revoked, r.Status)
			require.Equal(t, "network", r.From)

			w.rs.srv.Close()
			w.clk.Advance(time.Hour)
			w.restart()
			r = w.checkLeaf(nil)
			require.Equal(t, Revoked, r.Status, r.Detail)
			require.Equal(t, "disk", r.From)

			w.restart()
			req := w.req()
			req.CacheOnly = true
			r = w.checkLeaf(req)
			require.Equal(t, Revoked, r.Status, r.Detail)
			require.Equal(t, "disk", r.From)
		})
	}
}

// TestSwitchToCRLCount: once more than CryptnetCachedOcspSwitchToCrlCount
// OCSP responses are cached for an issuer, the CRL is fetched first (spec
// §3.2 "magic number"); 0xFFFFFFFF means CRL always first, and
// CryptnetMaxCachedOcspPerCrlCount = 0xFFFFFFFF disables OCSP after a
// failed CRL.
func TestSwitchToCRLCount(t *testing.T) {
	t.Run("after 3 cached responses (switch count 2) the CRL goes first", func(t *testing.T) {
		w := &world{t: t, clk: clock.NewManual(t0), rs: newResponder(t)}
		w.cfg.CachedOcspSwitchToCrlCount = 2
		w.root = testpki.NewRoot("Test Root", testpki.ECDSA)
		w.inter = w.root.NewIntermediate("Test Issuing CA", testpki.ECDSA)
		w.restart()
		w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour)})
		w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(24*time.Hour))
		var kinds []cache.Kind
		for i := 0; i < 5; i++ {
			w.leaf = w.inter.NewLeaf("leaf.example.test", testpki.ECDSA, withPointers(w.rs, both, "/inter.crl", "/ocsp/inter"))
			r := w.checkLeaf(nil)
			require.Equal(t, Good, r.Status)
			if len(r.Retrievals) == 0 {
				kinds = append(kinds, "")
				continue
			}
			kinds = append(kinds, r.Retrievals[0].Kind)
		}
		// 1st-3rd: OCSP first (count 0, 1, 2 ≤ 2); then the count is 3.
		// 4th: the issuer's CRL is fetched and decides, and afterwards it
		// is held in memory (a valid CRL for the issuer is used first).
		require.Equal(t, []cache.Kind{cache.KindOCSP, cache.KindOCSP, cache.KindOCSP, cache.KindCRL}, kinds[:4])
		require.Equal(t, 3, w.chk.CachedOCSPCount(w.inter.Cert))
	})
	t.Run("0xFFFFFFFF: CRL always first; OCSP after a failed CRL", func(t *testing.T) {
		w := newWorld(t, both, none)
		w.cfg.CachedOcspSwitchToCrlCount = CRLBeforeOCSPEnable
		w.restart()
		w.rs.fail("/inter.crl", 404)
		w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(24*time.Hour))
		r := w.checkLeaf(nil)
		require.Equal(t, Good, r.Status)
		require.Equal(t, []cache.Kind{cache.KindCRL, cache.KindOCSP}, []cache.Kind{r.Retrievals[0].Kind, r.Retrievals[1].Kind})
	})
	t.Run("CryptnetMaxCachedOcspPerCrlCount 0xFFFFFFFF: no OCSP after the CRL", func(t *testing.T) {
		w := newWorld(t, both, none)
		w.cfg.CachedOcspSwitchToCrlCount = CRLBeforeOCSPEnable
		w.cfg.MaxCachedOcspPerCrlCount = OCSPAfterCRLDisable
		w.restart()
		w.rs.fail("/inter.crl", 404)
		w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(24*time.Hour))
		r := w.checkLeaf(nil)
		require.Equal(t, Offline, r.Status)
		require.Len(t, r.Retrievals, 1)
	})
}

// TestOCSPTransport pins the GET URL form (spec §3.4) and the POST fallback.
func TestOCSPTransport(t *testing.T) {
	req := []byte{0xfb, 0xff, 0xbf, 0x00}
	require.Equal(t, "http://ocsp.test/"+strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString(req)),
		OCSPGetURL("http://ocsp.test", req))
	require.Equal(t, "http://ocsp.test/%2B%2F%2B%2F%2F%2FA%3D", OCSPGetURL("http://ocsp.test/", []byte{0xfb, 0xff, 0xbf, 0xff, 0xf0}))

	t.Run("GET carries the escaped base64 request after a slash", func(t *testing.T) {
		w := newWorld(t, ocspOnly, none)
		w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(time.Hour))
		r := w.checkLeaf(nil)
		require.Equal(t, Good, r.Status)
		u := r.Retrievals[0].URL
		require.True(t, strings.HasPrefix(u, w.rs.URL("/ocsp/inter/")))
		require.NotContains(t, strings.TrimPrefix(u, w.rs.URL("/ocsp/inter/")), "/")
		require.NotContains(t, u, "=")
	})
	t.Run("POST fallback off by default, used when enabled", func(t *testing.T) {
		w := newWorld(t, ocspOnly, none)
		w.interOCSP(w.inter, t0.Add(-time.Hour), t0.Add(time.Hour))
		w.rs.mu.Lock()
		w.rs.getFails = true
		w.rs.mu.Unlock()
		require.Equal(t, Offline, w.checkLeaf(nil).Status)
		require.Zero(t, w.rs.posts)

		w.cfg.OCSPPostFallback = true
		w.restart()
		r := w.checkLeaf(nil)
		require.Equal(t, Good, r.Status, r.Detail)
		require.Equal(t, 1, w.rs.posts)
		require.Equal(t, w.rs.URL("/ocsp/inter"), r.URL)
	})
}

// TestTimeouts runs on the simulated network (netsim), whose latency moves
// the machine clock: the per-URL timeout and the accumulative budget reach
// the retrieval layer, and a timed-out OCSP falls back to the CRL (spec
// §3.7, §11.2 RevocationCheckingTimeout, RevocationCheckingTimeoutFallbackToOther).
func TestTimeouts(t *testing.T) {
	clk := clock.NewManual(t0)
	root := testpki.NewRoot("Test Root", testpki.ECDSA)
	inter := root.NewIntermediate("Test Issuing CA", testpki.ECDSA)
	leaf := inter.NewLeaf("leaf.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.CRLDistributionPoints = []string{"http://pki.test/inter.crl"}
		c.OCSPServer = []string{"http://ocsp.test"}
	})
	crl := signCRL(t, inter.Cert.X, inter.Key, crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(24 * time.Hour)})
	setup := func(ocspDelay, crlDelay time.Duration) *Checker {
		net := netsim.New(clk)
		net.Handle("http://pki.test/inter.crl", netsim.Response{Body: crl, Latency: crlDelay})
		net.AddPrefix("http://ocsp.test/", netsim.Rule{Func: func(req *cache.FetchRequest, now time.Time) netsim.Response {
			return netsim.Response{Status: 200, Latency: ocspDelay, Body: ocspAnswer(inter, inter, t0.Add(-time.Hour), t0.Add(24*time.Hour), statusOf())(nil2req(req))}
		}})
		r, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: net})
		require.NoError(t, err)
		chk, err := NewChecker(Config{Retriever: r})
		require.NoError(t, err)
		return chk
	}
	check := func(chk *Checker, req *Request) *Result {
		req.Time, req.Now = clk.Now(), clk.Now()
		return chk.Check(context.Background(), leaf.Cert, inter.Cert, req)
	}
	t.Run("OCSP slower than the timeout → CRL answers (fallback to the other method)", func(t *testing.T) {
		r := check(setup(8*time.Second, 0), &Request{Timeout: 4 * time.Second})
		require.Equal(t, Good, r.Status, r.Detail)
		require.Equal(t, "crl", r.Source)
		require.Equal(t, 4*time.Second, r.Retrievals[0].Blocked)
	})
	t.Run("both slower than the timeout → UNKNOWN|OFFLINE", func(t *testing.T) {
		r := check(setup(3*time.Second, 3*time.Second), &Request{Timeout: time.Second})
		require.Equal(t, Offline, r.Status)
		require.Contains(t, r.Detail, "timeout")
	})
	t.Run("accumulative budget: halves of what remains", func(t *testing.T) {
		b := cache.NewBudget(20 * time.Second)
		r := check(setup(time.Minute, time.Minute), &Request{Budget: b})
		require.Equal(t, Offline, r.Status)
		require.Equal(t, 10*time.Second, r.Retrievals[0].Timeout)
		require.Equal(t, 5*time.Second, r.Retrievals[1].Timeout)
	})
}

// nil2req rebuilds the OCSP request from a netsim fetch (GET URL suffix).
func nil2req(req *cache.FetchRequest) *ocsp.Request {
	enc := req.URL[strings.LastIndex(req.URL, "/")+1:]
	enc = strings.NewReplacer("%2B", "+", "%2F", "/", "%3D", "=").Replace(enc)
	der, _ := base64.StdEncoding.DecodeString(enc)
	q, _ := ocsp.ParseRequest(der)
	if q == nil {
		return &ocsp.Request{SerialNumber: big.NewInt(0)}
	}
	return q
}

func TestBadInput(t *testing.T) {
	_, err := NewChecker(Config{})
	require.ErrorIs(t, err, ErrNoRetriever)
	w := newWorld(t, none, none)
	r := w.chk.Check(context.Background(), nil, w.inter.Cert, w.req())
	require.ErrorIs(t, r.Err, ErrNilCertificate)
	require.Equal(t, Unknown, r.Status)
}

// negativeSerialResponder issues a delegated OCSP responder under w.inter
// whose serial is -133: crypto/x509 refuses it, Windows loads it (spec §11.3).
func negativeSerialResponder(w *world) *testpki.CA {
	return w.inter.WithSerial(w.inter.NewLeaf("Negative Serial OCSP Responder", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}), []byte{0xFF, 0x7B})
}
