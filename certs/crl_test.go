package certs_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

var crlT0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// TestParseCRLSpec113 loads every CRL form of spec §11.3 that Windows
// accepts; the x509 column records what crypto/x509 says of the same DER,
// so the table shows which rows need the lenient parser.
func TestParseCRLSpec113(t *testing.T) {
	ca := testpki.NewRoot("CRL Forms CA", testpki.ECDSA)
	leafSerial := big.NewInt(4242)
	neg := []byte{0xFF, 0x7E} // -130
	long := make([]byte, 40)  // a 320-bit serial, over RFC 5280's 20 octets
	long[0] = 0x7F
	long[39] = 9
	unknownExt := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: []byte{0x05, 0x00}}
	base := testpki.RawCRL{Number: 5, ThisUpdate: crlT0, NextUpdate: crlT0.Add(24 * time.Hour), AKI: true,
		Entries: []testpki.RawEntry{{Serial: testpki.SerialContents(leafSerial), RevokedAt: crlT0.Add(-time.Hour), Reason: 2}}}
	with := func(mod func(*testpki.RawCRL)) testpki.RawCRL {
		s := base
		s.Entries = append([]testpki.RawEntry(nil), base.Entries...)
		mod(&s)
		return s
	}
	for _, tc := range []struct {
		name    string
		spec    testpki.RawCRL
		x509OK  bool
		version int
		check   func(t *testing.T, c *certs.CRL)
	}{
		{name: "v2 CRL (control)", spec: base, x509OK: true, version: 2},
		{name: "v1 CRL: no version field", spec: with(func(s *testpki.RawCRL) { s.V1 = true; s.Number = 0; s.AKI = false }), version: 1},
		{name: "malformed AKI", spec: with(func(s *testpki.RawCRL) { s.AKI = false; s.MalformedAKI = true }), version: 2,
			check: func(t *testing.T, c *certs.CRL) { require.True(t, c.AKIMalformed) }},
		{name: "negative serial in an entry", spec: with(func(s *testpki.RawCRL) {
			s.Entries = append(s.Entries, testpki.RawEntry{Serial: neg, RevokedAt: crlT0.Add(-time.Hour)})
		}), x509OK: true, version: 2, check: func(t *testing.T, c *certs.CRL) {
			e, ok := c.LookupSerial(big.NewInt(-130))
			require.True(t, ok)
			require.Equal(t, neg, e.SerialNumber)
		}},
		{name: "oversized serial in an entry", spec: with(func(s *testpki.RawCRL) {
			s.Entries = append(s.Entries, testpki.RawEntry{Serial: long, RevokedAt: crlT0.Add(-time.Hour)})
		}), x509OK: true, version: 2, check: func(t *testing.T, c *certs.CRL) {
			_, ok := c.Lookup(long)
			require.True(t, ok)
		}},
		{name: "unknown non-critical entry extension", spec: with(func(s *testpki.RawCRL) {
			s.Entries[0].Extensions = []pkix.Extension{unknownExt}
		}), x509OK: true, version: 2, check: func(t *testing.T, c *certs.CRL) { require.Nil(t, c.UnhandledCriticalEntryExtension) }},
		{name: "unknown critical entry extension (loads; not usable)", spec: with(func(s *testpki.RawCRL) {
			x := unknownExt
			x.Critical = true
			s.Entries[0].Extensions = []pkix.Extension{x}
		}), x509OK: true, version: 2, check: func(t *testing.T, c *certs.CRL) {
			require.Equal(t, unknownExt.Id, c.UnhandledCriticalEntryExtension)
		}},
		{name: "delta CRL", spec: with(func(s *testpki.RawCRL) { s.Number = 6; s.DeltaBase = 5 }), x509OK: true, version: 2,
			check: func(t *testing.T, c *certs.CRL) {
				require.True(t, c.IsDelta)
				require.Equal(t, int64(5), c.BaseNumber.Int64())
			}},
		{name: "no nextUpdate, no entries", spec: testpki.RawCRL{Number: 1, ThisUpdate: crlT0}, x509OK: true, version: 2,
			check: func(t *testing.T, c *certs.CRL) {
				require.True(t, c.NextUpdate.IsZero())
				require.Zero(t, c.Len())
				_, ok := c.LookupSerial(leafSerial)
				require.False(t, ok)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := ca.RawCRL(tc.spec)
			_, xerr := x509.ParseRevocationList(der)
			require.Equal(t, tc.x509OK, xerr == nil, "crypto/x509 says %v", xerr)
			c, err := certs.ParseCRL(der)
			require.NoError(t, err)
			require.Equal(t, tc.version, c.Version)
			require.Equal(t, ca.Cert.X.RawSubject, c.RawIssuer)
			require.Equal(t, crlT0, c.ThisUpdate)
			require.NoError(t, certs.CheckSignature(c.SignatureAlgorithm, c.RawTBSRevocationList, c.Signature, ca.Cert.X.PublicKey))
			if len(tc.spec.Entries) > 0 {
				require.Equal(t, len(tc.spec.Entries), c.Len())
				e, ok := c.LookupSerial(leafSerial)
				require.True(t, ok)
				require.Equal(t, crlT0.Add(-time.Hour), e.RevocationTime)
				require.Equal(t, 1, e.ReasonCode) // keyCompromise
				_, ok = c.LookupSerial(big.NewInt(4243))
				require.False(t, ok)
			}
			this, next, ok := certs.ReadCRLTimes(der)
			require.True(t, ok)
			require.Equal(t, c.ThisUpdate, this)
			require.Equal(t, c.NextUpdate, next)
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// TestParseCRLMatchesX509 compares the lenient parser with crypto/x509 on
// CRLs x509 accepts: same header fields, and every entry found with its
// date and reason.
func TestParseCRLMatchesX509(t *testing.T) {
	ca := testpki.NewRoot("CRL Compare CA", testpki.RSA)
	tmpl := &x509.RevocationList{Number: big.NewInt(77), ThisUpdate: crlT0, NextUpdate: crlT0.Add(7 * 24 * time.Hour)}
	for i := 0; i < 500; i++ {
		e := x509.RevocationListEntry{SerialNumber: big.NewInt(int64(i*7919 + 1)), RevocationTime: crlT0.Add(-time.Duration(i) * time.Minute)}
		if i%3 == 0 {
			e.ReasonCode = i % 10
		}
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, e)
	}
	der, err := x509.CreateRevocationList(nil, tmpl, ca.Cert.X, ca.Key)
	require.NoError(t, err)
	want, err := x509.ParseRevocationList(der)
	require.NoError(t, err)
	got, err := certs.ParseCRL(der)
	require.NoError(t, err)
	require.Equal(t, want.RawTBSRevocationList, got.RawTBSRevocationList)
	require.Equal(t, want.Signature, got.Signature)
	require.Equal(t, want.SignatureAlgorithm, got.SignatureAlgorithm)
	require.Equal(t, want.RawIssuer, got.RawIssuer)
	require.Equal(t, want.Issuer.String(), got.Issuer.String())
	require.Equal(t, want.Number, got.Number)
	require.Equal(t, want.AuthorityKeyId, got.AuthorityKeyID)
	require.Equal(t, want.ThisUpdate, got.ThisUpdate)
	require.Equal(t, want.NextUpdate, got.NextUpdate)
	require.Equal(t, len(want.RevokedCertificateEntries), got.Len())
	for _, e := range want.RevokedCertificateEntries {
		g, ok := got.LookupSerial(e.SerialNumber)
		require.True(t, ok, e.SerialNumber)
		require.Equal(t, e.RevocationTime, g.RevocationTime)
		wantReason := certs.NoReason
		if e.ReasonCode != 0 {
			wantReason = e.ReasonCode
		}
		require.Equal(t, wantReason, g.ReasonCode)
	}
}

// A CRL followed by stray bytes loads, as crypto/x509 loads it, and the
// bytes are named in a warning (found by FuzzObjectExpiry: refusing it left a cached
// CRL without an expiry).
func TestParseCRLTrailingBytes(t *testing.T) {
	ca := testpki.NewRoot("CRL Trailing CA", testpki.ECDSA)
	good := ca.RawCRL(testpki.RawCRL{Number: 1, ThisUpdate: crlT0, NextUpdate: crlT0.Add(time.Hour), Entries: []testpki.RawEntry{{Serial: []byte{1}, RevokedAt: crlT0}}})
	c, err := certs.ParseCRL(append(append([]byte(nil), good...), 0, 0, 0))
	require.NoError(t, err)
	require.Equal(t, []string{"3 bytes of trailing data after the CRL ignored"}, c.Warnings)
	require.Equal(t, good, []byte(c.Raw))
	require.True(t, c.NextUpdate.Equal(crlT0.Add(time.Hour)))
	require.Equal(t, 1, c.Len())
}

func TestParseCRLErrors(t *testing.T) {
	ca := testpki.NewRoot("CRL Errors CA", testpki.ECDSA)
	good := ca.RawCRL(testpki.RawCRL{Number: 1, ThisUpdate: crlT0, Entries: []testpki.RawEntry{{Serial: []byte{1}, RevokedAt: crlT0}}})
	for _, tc := range []struct {
		name, field string
		der         []byte
	}{
		{"empty", "CertificateList", nil},
		{"text", "CertificateList", []byte("hello")},
		{"truncated", "CertificateList", good[:len(good)-3]},
		{"a certificate", "tbsCertList", ca.Cert.X.Raw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := certs.ParseCRL(tc.der)
			var pe *certs.ParseError
			require.True(t, errors.As(err, &pe), "%T %v", err, err)
			require.Equal(t, "CRL", pe.Kind)
			require.Equal(t, tc.field, pe.Field, err.Error())
		})
	}
}

func TestLoadCRLFile(t *testing.T) {
	ca := testpki.NewRoot("CRL File CA", testpki.ECDSA)
	v1 := ca.RawCRL(testpki.RawCRL{V1: true, ThisUpdate: crlT0})
	v2 := ca.RawCRL(testpki.RawCRL{Number: 3, ThisUpdate: crlT0})
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}
	crls, err := certs.LoadCRLFile(write("v1.crl", v1))
	require.NoError(t, err)
	require.Equal(t, 1, crls[0].Version)

	bundle := append(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: v1}), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: v2})...)
	crls, err = certs.LoadCRLFile(write("both.pem", bundle))
	require.NoError(t, err)
	require.Len(t, crls, 2)

	_, err = certs.LoadCRLFile(write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})))
	require.EqualError(t, err, filepath.Join(dir, "key.pem")+": cannot load CRL: no X509 CRL PEM block")
	_, err = certs.LoadCRLFile(dir)
	require.EqualError(t, err, dir+": cannot load CRL: is a directory, not a CRL file")
	_, err = certs.LoadCRLFile(write("bad.crl", v2[:20]))
	require.ErrorContains(t, err, "bad.crl: cannot load CRL: CertificateList: not a DER SEQUENCE")
}

// TestParseCRLsPKCS7: the CRLs of a PKCS#7 bundle (.p7b, DER or PEM
// "PKCS7") load like CRL files, each CRL form of spec §11.3 included.
func TestParseCRLsPKCS7(t *testing.T) {
	ca := testpki.NewRoot("CRL Bundle CA", testpki.ECDSA)
	v1 := ca.RawCRL(testpki.RawCRL{V1: true, ThisUpdate: crlT0, Entries: []testpki.RawEntry{{Serial: []byte{0x05}, RevokedAt: crlT0}}})
	v2 := ca.RawCRL(testpki.RawCRL{Number: 9, ThisUpdate: crlT0})
	bundle := testpki.PKCS7(ca.Cert.X.Raw, v1, v2)
	for name, data := range map[string][]byte{
		"DER": bundle,
		"PEM": pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: bundle}),
	} {
		t.Run(name, func(t *testing.T) {
			crls, err := certs.ParseCRLs(data, "bundle.p7b")
			require.NoError(t, err)
			require.Len(t, crls, 2)
			require.Equal(t, 1, crls[0].Version)
			_, ok := crls[0].Lookup([]byte{0x05})
			require.True(t, ok)
			require.Equal(t, int64(9), crls[1].Number.Int64())
		})
	}
	_, err := certs.ParseCRLs(testpki.PKCS7(ca.Cert.X.Raw), "certs-only.p7b")
	require.EqualError(t, err, "certs-only.p7b: cannot load CRL: the PKCS#7 bundle holds no CRL")
}
