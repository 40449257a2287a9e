// Tests sign with 512-bit RSA keys to show they verify; crypto/rsa refuses to
// generate them without this setting. It applies to the test binary only —
// the package itself never relies on GODEBUG.
//go:debug rsa1024min=0

package certs

import (
	"crypto"
	"crypto/dsa" //nolint:staticcheck // DSA is under test (PKITS 4.1.4-4.1.6).
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	smallRSAOnce sync.Once
	rsa512       *rsa.PrivateKey
	rsa1024      *rsa.PrivateKey
	smallRSAErr  error
)

func smallRSAKeys(tb testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	tb.Helper()
	smallRSAOnce.Do(func() {
		if rsa512, smallRSAErr = rsa.GenerateKey(rand.Reader, 512); smallRSAErr != nil {
			return
		}
		rsa1024, smallRSAErr = rsa.GenerateKey(rand.Reader, 1024)
	})
	require.NoError(tb, smallRSAErr)
	return rsa512, rsa1024
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i%len(c)] ^= 0x01
	return c
}

func TestCheckSignatureMatrix(t *testing.T) {
	k := getKeys(t)
	r512, r1024 := smallRSAKeys(t)
	ecKeys := map[string]*ecdsa.PrivateKey{}
	for name, curve := range map[string]elliptic.Curve{"P-224": elliptic.P224(), "P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()} {
		key, err := ecdsa.GenerateKey(curve, rand.Reader)
		require.NoError(t, err)
		ecKeys[name] = key
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	type signer struct {
		name string
		priv any
		pub  crypto.PublicKey
		algs []x509.SignatureAlgorithm
		weak bool
	}
	rsaAlgs := []x509.SignatureAlgorithm{x509.MD5WithRSA, x509.SHA1WithRSA, x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA,
		x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS}
	ecAlgs := []x509.SignatureAlgorithm{x509.ECDSAWithSHA1, x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512}
	signers := []signer{
		{"RSA-2048", k.rootRSA, &k.rootRSA.PublicKey, rsaAlgs, false},
		// PSS with a hash-sized salt needs 2*hLen+2 octets: no
		// SHA-512 PSS below 1040 bits, no PSS at all at 512.
		{"RSA-1024", r1024, &r1024.PublicKey, rsaAlgs[:len(rsaAlgs)-1], false},
		{"RSA-512 (weak, spec §8)", r512, &r512.PublicKey, rsaAlgs[:3], true}, // SHA-384/512 DigestInfo does not fit 64 octets
		{"DSA-1024/160", k.dsaCA, &k.dsaCA.PublicKey, []x509.SignatureAlgorithm{x509.DSAWithSHA1, x509.DSAWithSHA256}, false},
		{"Ed25519", edKey, edKey.Public(), []x509.SignatureAlgorithm{x509.PureEd25519}, false},
	}
	for _, name := range []string{"P-224", "P-256", "P-384", "P-521"} {
		signers = append(signers, signer{"ECDSA-" + name, ecKeys[name], &ecKeys[name].PublicKey, ecAlgs, false})
	}
	msg := []byte("to be signed: a TBSCertificate stands in here")
	for _, s := range signers {
		for _, alg := range s.algs {
			t.Run(s.name+"/"+alg.String(), func(t *testing.T) {
				sig := sign(t, msg, alg, s.priv)
				require.NoError(t, CheckSignature(alg, msg, sig, s.pub))
				assert.ErrorIs(t, CheckSignature(alg, flip(msg, 3), sig, s.pub), ErrBadSignature)
				for _, i := range []int{0, len(sig) / 2, len(sig) - 1} {
					assert.ErrorIs(t, CheckSignature(alg, msg, flip(sig, i), s.pub), ErrBadSignature, "bit flipped at %d", i)
				}
				assert.Equal(t, s.weak || alg == x509.MD5WithRSA, IsWeakSignature(alg, s.pub, 0))

				// Agree with the standard library where it is willing.
				if rk, ok := s.pub.(*rsa.PublicKey); ok && rk.N.BitLen() >= 1024 {
					h := hashFor(alg)
					hh := newHash(h)
					hh.Write(msg)
					var stdErr error
					switch alg {
					case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
						stdErr = rsa.VerifyPSS(rk, h, hh.Sum(nil), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
					default:
						stdErr = rsa.VerifyPKCS1v15(rk, h, hh.Sum(nil), sig)
					}
					assert.NoError(t, stdErr)
				}
			})
		}
	}
}

func TestCheckSignatureRSAPSSAnySalt(t *testing.T) {
	k := getKeys(t)
	msg := []byte("pss")
	d := newHash(crypto.SHA256)
	d.Write(msg)
	for _, salt := range []int{rsa.PSSSaltLengthAuto, 0, 20, 32} {
		sig, err := rsa.SignPSS(rand.Reader, k.rootRSA, crypto.SHA256, d.Sum(nil), &rsa.PSSOptions{SaltLength: salt})
		require.NoError(t, err)
		assert.NoError(t, CheckSignature(x509.SHA256WithRSAPSS, msg, sig, &k.rootRSA.PublicKey), "salt %d", salt)
	}
}

func TestCheckSignatureShortRSASignature(t *testing.T) {
	// A signature whose leading zero octets were dropped is the same
	// integer; old CAs emitted them.
	k := getKeys(t)
	msg := []byte("short")
	for i := 0; i < 2000; i++ {
		sig := sign(t, append(msg, byte(i), byte(i>>8)), x509.SHA256WithRSA, k.rootRSA)
		if sig[0] != 0 {
			continue
		}
		assert.NoError(t, CheckSignature(x509.SHA256WithRSA, append(msg, byte(i), byte(i>>8)), sig[1:], &k.rootRSA.PublicKey))
		return
	}
	t.Skip("no signature with a leading zero octet in 2000 tries")
}

func TestCheckSignatureErrors(t *testing.T) {
	k := getKeys(t)
	msg := []byte("m")
	rsaSig := sign(t, msg, x509.SHA256WithRSA, k.rootRSA)
	tiny := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 300), E: 65537}
	for _, tc := range []struct {
		name string
		alg  x509.SignatureAlgorithm
		sig  []byte
		pub  crypto.PublicKey
		want error
	}{
		{"MD2 cannot be verified", x509.MD2WithRSA, rsaSig, &k.rootRSA.PublicKey, ErrUnsupportedAlgorithm},
		{"unknown algorithm", x509.UnknownSignatureAlgorithm, rsaSig, &k.rootRSA.PublicKey, ErrUnsupportedAlgorithm},
		{"nil key", x509.SHA256WithRSA, rsaSig, nil, ErrUnsupportedAlgorithm},
		{"RSA signature, ECDSA key", x509.SHA256WithRSA, rsaSig, &k.leafEC.PublicKey, ErrKeyMismatch},
		{"ECDSA signature, RSA key", x509.ECDSAWithSHA256, rsaSig, &k.rootRSA.PublicKey, ErrKeyMismatch},
		{"DSA signature, Ed25519 key", x509.DSAWithSHA1, rsaSig, ed25519.PublicKey(make([]byte, 32)), ErrKeyMismatch},
		{"RSA key below 512 bits", x509.SHA256WithRSA, rsaSig, tiny, ErrInvalidKey},
		{"RSA key without modulus", x509.SHA256WithRSA, rsaSig, &rsa.PublicKey{E: 3}, ErrInvalidKey},
		{"empty RSA signature", x509.SHA256WithRSA, nil, &k.rootRSA.PublicKey, ErrBadSignature},
		{"RSA signature too long", x509.SHA256WithRSA, append([]byte{1}, rsaSig...), &k.rootRSA.PublicKey, ErrBadSignature},
		{"RSA signature >= n", x509.SHA256WithRSA, k.rootRSA.N.Bytes(), &k.rootRSA.PublicKey, ErrBadSignature},
		{"DSA without parameters", x509.DSAWithSHA1, rsaSig, &dsa.PublicKey{Y: big.NewInt(5)}, ErrDSAParametersMissing},
		{"DSA signature not DER", x509.DSAWithSHA1, []byte{1, 2, 3}, &k.dsaCA.PublicKey, ErrBadSignature},
		{"ECDSA signature garbage", x509.ECDSAWithSHA256, []byte{0x30, 0}, &k.leafEC.PublicKey, ErrBadSignature},
		{"Ed25519 short key", x509.PureEd25519, rsaSig, ed25519.PublicKey{1}, ErrInvalidKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, CheckSignature(tc.alg, msg, tc.sig, tc.pub), tc.want)
		})
	}
	assert.ErrorIs(t, CheckCRLSignature(nil, &k.rootRSA.PublicKey), ErrUnsupportedAlgorithm)
	var nilCert *Certificate
	assert.Error(t, nilCert.CheckSignatureFrom(nil, nil))
}

func TestIsWeakSignature(t *testing.T) {
	k := getKeys(t)
	r512, r1024 := smallRSAKeys(t)
	n1022 := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 1021), E: 3} // 1022 bits
	n1023 := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 1022), E: 3} // 1023 bits
	require.Equal(t, 2048, k.rootRSA.N.BitLen())
	assert.True(t, IsWeakSignature(x509.MD2WithRSA, &k.rootRSA.PublicKey, 0))
	assert.True(t, IsWeakSignature(x509.MD5WithRSA, &k.rootRSA.PublicKey, 0))
	assert.False(t, IsWeakSignature(x509.SHA1WithRSA, &k.rootRSA.PublicKey, 0), "SHA-1 is not weak by default (spec §8)")
	assert.True(t, IsWeakSignature(x509.SHA256WithRSA, &r512.PublicKey, 0))
	assert.True(t, IsWeakSignature(x509.SHA256WithRSA, n1022, 0))
	assert.False(t, IsWeakSignature(x509.SHA256WithRSA, n1023, 0), "MinRsaPubKeyBitLength is inclusive")
	assert.False(t, IsWeakSignature(x509.SHA256WithRSA, &r1024.PublicKey, 0))
	assert.False(t, IsWeakSignature(x509.ECDSAWithSHA256, &k.leafEC.PublicKey, 0))
	assert.False(t, IsWeakSignature(x509.DSAWithSHA1, &k.dsaCA.PublicKey, 0))
	assert.False(t, IsWeakSignature(x509.SHA256WithRSA, nil, 0))
	assert.Equal(t, 1023, DefaultMinRSAPubKeyBitLength)
	assert.Equal(t, IsWeakSignature(x509.SHA256WithRSA, n1022, 0), IsWeakSignature(x509.SHA256WithRSA, n1022, DefaultMinRSAPubKeyBitLength), "0 is the default")

	// A registry MinRsaPubKeyBitLength above the default makes a 2048-bit
	// key weak; the minimum itself is not.
	assert.True(t, IsWeakSignature(x509.SHA256WithRSA, &k.rootRSA.PublicKey, 4096))
	assert.True(t, IsWeakSignature(x509.SHA256WithRSA, &k.rootRSA.PublicKey, 2049))
	assert.False(t, IsWeakSignature(x509.SHA256WithRSA, &k.rootRSA.PublicKey, 2048))
	assert.False(t, IsWeakSignature(x509.ECDSAWithSHA256, &k.leafEC.PublicKey, 4096), "only RSA keys are measured")
	// 0xFFFFFFFF turns the key check off, not the MD5 one.
	assert.False(t, IsWeakSignature(x509.SHA256WithRSA, &r512.PublicKey, MinRSAPubKeyBitLengthDisabled))
	assert.True(t, IsWeakSignature(x509.MD5WithRSA, &k.rootRSA.PublicKey, MinRSAPubKeyBitLengthDisabled))
	assert.Equal(t, uint32(0xFFFFFFFF), uint32(MinRSAPubKeyBitLengthDisabled))
}

// TestCheckSignatureFromSHA1 is the case crypto/x509 refuses without a
// GODEBUG: a SHA-1 RSA certificate.
func TestCheckSignatureFromSHA1(t *testing.T) {
	k := getKeys(t)
	p := getPKI(t)
	e := tbsElements(t, p.leafDER)
	e[tbsSigAlg] = sigAlgID(t, x509.SHA1WithRSA)
	der := resign(t, e, x509.SHA1WithRSA, k.rootRSA)

	x, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	require.Equal(t, x509.SHA1WithRSA, x.SignatureAlgorithm)
	require.Error(t, x.CheckSignatureFrom(p.root), "crypto/x509 refuses SHA-1")

	c, err := Parse(der)
	require.NoError(t, err)
	root, err := Parse(p.rootDER)
	require.NoError(t, err)
	assert.False(t, c.Lenient)
	require.NoError(t, c.CheckSignatureFrom(root, nil))
	assert.False(t, IsWeakSignature(c.X.SignatureAlgorithm, root.X.PublicKey, 0))

	c.X.Signature = flip(c.X.Signature, 10)
	assert.ErrorIs(t, c.CheckSignatureFrom(root, nil), ErrBadSignature)
}

func loadPKITS(t *testing.T, name string) *Certificate {
	t.Helper()
	cs, err := LoadFile(filepath.Join(pkitsDir, name))
	require.NoError(t, err)
	require.Len(t, cs, 1)
	return cs[0]
}

func dsaParamsOf(t *testing.T, c *Certificate) *dsa.Parameters {
	t.Helper()
	k, ok := c.X.PublicKey.(*dsa.PublicKey)
	require.True(t, ok, "%T", c.X.PublicKey)
	require.NotNil(t, k.P)
	return &k.Parameters
}

// TestPKITSDSAChain is PKITS 4.1.4-4.1.6: Go cannot verify DSA at all.
func TestPKITSDSAChain(t *testing.T) {
	anchor := loadPKITS(t, "TrustAnchorRootCertificate.crt")
	dsaCA := loadPKITS(t, "DSACACert.crt")
	ee4 := loadPKITS(t, "ValidDSASignaturesTest4EE.crt")
	inheritedCA := loadPKITS(t, "DSAParametersInheritedCACert.crt")
	ee5 := loadPKITS(t, "ValidDSAParameterInheritanceTest5EE.crt")
	bad6 := loadPKITS(t, "InvalidDSASignatureTest6EE.crt")

	require.NoError(t, dsaCA.CheckSignatureFrom(anchor, nil))
	require.NoError(t, ee4.CheckSignatureFrom(dsaCA, nil))
	assert.Error(t, ee4.X.CheckSignatureFrom(dsaCA.X), "crypto/x509 cannot verify DSA")

	params := dsaParamsOf(t, dsaCA)
	require.NoError(t, inheritedCA.CheckSignatureFrom(dsaCA, nil))
	require.NoError(t, ee5.CheckSignatureFrom(inheritedCA, params))
	assert.ErrorIs(t, ee5.CheckSignatureFrom(inheritedCA, nil), ErrDSAParametersMissing)
	// The shared issuer certificate is not modified by inheritance.
	assert.Nil(t, inheritedCA.X.PublicKey.(*dsa.PublicKey).P)

	assert.ErrorIs(t, bad6.CheckSignatureFrom(dsaCA, nil), ErrBadSignature)

	ee4.X.Signature = flip(ee4.X.Signature, 12)
	assert.ErrorIs(t, ee4.CheckSignatureFrom(dsaCA, nil), ErrBadSignature)
}

// TestDSAInheritanceChain builds RSA root → DSA CA (with parameters) → DSA CA
// without parameters → leaf, each link re-encoded and signed by hand.
func TestDSAInheritanceChain(t *testing.T) {
	k := getKeys(t)
	p := getPKI(t)
	root, err := Parse(p.rootDER)
	require.NoError(t, err)

	caE := tbsElements(t, p.leafDER)
	caE[tbsSPKI] = dsaSPKI(t, &k.dsaCA.PublicKey, true)
	caDER := resign(t, caE, x509.SHA256WithRSA, k.rootRSA)
	ca, err := Parse(caDER)
	require.NoError(t, err)
	assert.False(t, ca.Lenient, "DSA with parameters is fine for crypto/x509")

	inhE := tbsElements(t, p.leafDER)
	inhE[tbsSigAlg] = sigAlgID(t, x509.DSAWithSHA256)
	inhE[tbsIssuer] = caE[tbsSubject]
	inhE[tbsSPKI] = dsaSPKI(t, &k.dsaInher.PublicKey, false)
	inh, err := Parse(resign(t, inhE, x509.DSAWithSHA256, k.dsaCA))
	require.NoError(t, err)
	assert.True(t, inh.Lenient)

	leafE := tbsElements(t, p.leafDER)
	leafE[tbsSigAlg] = sigAlgID(t, x509.DSAWithSHA1)
	leaf, err := Parse(resign(t, leafE, x509.DSAWithSHA1, k.dsaInher))
	require.NoError(t, err)

	require.NoError(t, ca.CheckSignatureFrom(root, nil))
	require.NoError(t, inh.CheckSignatureFrom(ca, nil))
	require.NoError(t, leaf.CheckSignatureFrom(inh, &k.dsaCA.Parameters))
	assert.ErrorIs(t, leaf.CheckSignatureFrom(inh, nil), ErrDSAParametersMissing)
	assert.ErrorIs(t, leaf.CheckSignatureFrom(ca, nil), ErrBadSignature, "wrong issuer key")
}

func TestCheckCRLSignature(t *testing.T) {
	k := getKeys(t)
	p := getPKI(t)
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(7),
		ThisUpdate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NextUpdate: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
	}, p.root, k.rootRSA)
	require.NoError(t, err)
	crl, err := ParseCRL(der)
	require.NoError(t, err)
	require.NoError(t, CheckCRLSignature(crl, p.root.PublicKey))
	assert.ErrorIs(t, CheckCRLSignature(crl, &k.leafRSA.PublicKey), ErrBadSignature)

	// PKITS 4.4.19: the CRL signer is not a CA, which
	// RevocationList.CheckSignatureFrom refuses; the key is right.
	signer := loadPKITS(t, "SeparateCertificateandCRLKeysCRLSigningCert.crt")
	pk := readCRL(t, "SeparateCertificateandCRLKeysCRL.crl")
	xpk, err := x509.ParseRevocationList(pk.Raw)
	require.NoError(t, err)
	assert.Error(t, xpk.CheckSignatureFrom(signer.X))
	require.NoError(t, CheckCRLSignature(pk, signer.X.PublicKey))

	// A DSA-signed CRL (PKITS 4.1.4), and one signed by a key that
	// inherits its DSA parameters (4.1.5).
	require.NoError(t, CheckCRLSignature(readCRL(t, "DSACACRL.crl"), loadPKITS(t, "DSACACert.crt").X.PublicKey))
	inh := loadPKITS(t, "DSAParametersInheritedCACert.crt").X.PublicKey.(*dsa.PublicKey)
	params := dsaParamsOf(t, loadPKITS(t, "DSACACert.crt"))
	inhCRL := readCRL(t, "DSAParametersInheritedCACRL.crl")
	assert.ErrorIs(t, CheckCRLSignature(inhCRL, inh), ErrDSAParametersMissing)
	require.NoError(t, CheckCRLSignature(inhCRL, &dsa.PublicKey{Parameters: *params, Y: inh.Y}))
	inhCert := loadPKITS(t, "DSAParametersInheritedCACert.crt")
	_, err = SigningKey(inhCert, nil)
	assert.ErrorIs(t, err, ErrDSAParametersMissing)
	key, err := SigningKey(inhCert, DSAParameters(loadPKITS(t, "DSACACert.crt")))
	require.NoError(t, err)
	require.NoError(t, CheckCRLSignature(inhCRL, key))
}

func readCRL(t *testing.T, name string) *CRL {
	t.Helper()
	der, err := os.ReadFile(filepath.Join(pkitsDir, "..", "crls", name))
	require.NoError(t, err)
	crl, err := ParseCRL(der)
	require.NoError(t, err)
	return crl
}

func TestSentinelErrorsAreDistinct(t *testing.T) {
	all := []error{ErrUnsupportedAlgorithm, ErrBadSignature, ErrKeyMismatch, ErrInvalidKey, ErrDSAParametersMissing}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b))
		}
	}
}

func BenchmarkCheckSignature(b *testing.B) {
	k := getKeys(b)
	msg := make([]byte, 1000)
	for _, bc := range []struct {
		name string
		alg  x509.SignatureAlgorithm
		priv any
		pub  crypto.PublicKey
	}{
		{"RSA-2048", x509.SHA256WithRSA, k.rootRSA, &k.rootRSA.PublicKey},
		{"ECDSA-P256", x509.ECDSAWithSHA256, k.leafEC, &k.leafEC.PublicKey},
	} {
		sig := sign(b, msg, bc.alg, bc.priv)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := CheckSignature(bc.alg, msg, sig, bc.pub); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
