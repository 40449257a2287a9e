package certs

// Signature verification the way CryptoAPI does it (spec §11.3, PKITS notes).
//
// crypto/x509's CheckSignature refuses SHA-1 (unless GODEBUG), DSA, and
// (through crypto/rsa) RSA keys below 1024 bits (unless GODEBUG rsa1024min=0).
// Windows verifies all of them and reports the weak ones separately
// (CERT_TRUST_HAS_WEAK_SIGNATURE). A library must not depend on GODEBUG, so
// RSA is verified here with math/big directly (RFC 8017 §8.2.2 and §9.1.2;
// verification uses only public data, so constant time is not needed), DSA
// with crypto/dsa, ECDSA and Ed25519 with the standard library.

import (
	"bytes"
	"crypto"
	"crypto/dsa" //nolint:staticcheck // Windows still validates DSA chains (PKITS 4.1.4-4.1.6).
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Errors returned by the signature checks; test them with errors.Is.
var (
	// ErrUnsupportedAlgorithm: the signature algorithm or key type cannot
	// be verified (MD2, MD4, unknown OIDs, an unknown or missing key).
	ErrUnsupportedAlgorithm = errors.New("certs: unsupported signature algorithm")
	// ErrBadSignature: the signature does not verify (or is malformed).
	ErrBadSignature = errors.New("certs: signature verification failed")
	// ErrKeyMismatch: the key type does not fit the signature algorithm
	// (an RSA signature with an ECDSA key, …).
	ErrKeyMismatch = errors.New("certs: public key does not match the signature algorithm")
	// ErrInvalidKey: the key cannot be used (an RSA modulus below 512
	// bits or above 16384, DSA parameters that are not a valid group).
	ErrInvalidKey = errors.New("certs: unusable public key")
	// ErrDSAParametersMissing: a DSA key without p, q, g and no inherited
	// parameters to complete it (RFC 3279 §2.3.2).
	ErrDSAParametersMissing = errors.New("certs: DSA key without parameters and none inherited")
)

// The registry value MinRsaPubKeyBitLength (spec §8, ChainEngine\Config):
// RSA issuer keys shorter than it make a signature weak
// (CERT_TRUST_HAS_WEAK_SIGNATURE). This is the one home of its default;
// chain.Config, client.Registry and preflight take it from here.
const (
	// DefaultMinRSAPubKeyBitLength is Windows' default (1023 bits, spec
	// §8), used where the value is 0 (not set).
	DefaultMinRSAPubKeyBitLength = 1023
	// MinRSAPubKeyBitLengthDisabled (0xFFFFFFFF, spec §8) turns the RSA
	// key-size check off; MD2/MD5 stay weak.
	MinRSAPubKeyBitLengthDisabled = 0xFFFFFFFF
)

// Bounds on keys this package will compute with. Windows' own floor is 512
// bits for RSA; the ceilings only keep hostile input from costing seconds of
// CPU (CNG's limits are 16384-bit RSA and 3072/256-bit DSA, FIPS 186-4).
const (
	minRSABits  = 512
	maxRSABits  = 16384
	maxDSAPBits = 4096
	maxDSAQBits = 512
)

// CheckSignature verifies sig over signed with pub, for alg. It accepts what Windows accepts and crypto/x509 refuses: SHA-1 signatures (no GODEBUG), DSA (crypto/dsa), RSA keys of any size >= 512. MD5-RSA verifies but is weak; MD2/MD4 cannot be verified (ErrUnsupportedAlgorithm).
//
// RSA-PSS expects a salt as long as the hash (as x509 encodes it) but, like
// rsa.PSSSaltLengthAuto, accepts any salt length the encoding shows.
func CheckSignature(alg x509.SignatureAlgorithm, signed, sig []byte, pub crypto.PublicKey) error {
	h, keyAlg, pss, ok := signatureHash(alg)
	if !ok {
		return fmt.Errorf("%w: %v", ErrUnsupportedAlgorithm, alg)
	}
	if pub == nil {
		return fmt.Errorf("%w: no public key", ErrUnsupportedAlgorithm)
	}
	var digest []byte
	if h != 0 {
		hh := newHash(h)
		hh.Write(signed)
		digest = hh.Sum(nil)
	}
	switch keyAlg {
	case x509.RSA:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %v signature, %T key", ErrKeyMismatch, alg, pub)
		}
		if pss {
			return verifyRSAPSS(k, h, digest, sig)
		}
		return verifyRSAPKCS1v15(k, h, digest, sig)
	case x509.ECDSA:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %v signature, %T key", ErrKeyMismatch, alg, pub)
		}
		if k == nil || k.Curve == nil || k.X == nil || k.Y == nil {
			return fmt.Errorf("%w: empty ECDSA key", ErrInvalidKey)
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return ErrBadSignature
		}
		return nil
	case x509.Ed25519:
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %v signature, %T key", ErrKeyMismatch, alg, pub)
		}
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: Ed25519 key of %d bytes", ErrInvalidKey, len(k))
		}
		if !ed25519.Verify(k, signed, sig) {
			return ErrBadSignature
		}
		return nil
	case x509.DSA:
		k, ok := pub.(*dsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %v signature, %T key", ErrKeyMismatch, alg, pub)
		}
		return verifyDSA(k, digest, sig)
	}
	return fmt.Errorf("%w: %v", ErrUnsupportedAlgorithm, alg)
}

// signatureHash returns the hash and key type of alg. ok is false for what
// cannot be verified: MD2 (and MD4, which x509 maps to Unknown) — Windows
// too refuses them unless EnableWeakSignatureFlags says otherwise (spec §8).
func signatureHash(alg x509.SignatureAlgorithm) (h crypto.Hash, key x509.PublicKeyAlgorithm, pss, ok bool) {
	switch alg {
	case x509.MD5WithRSA:
		return crypto.MD5, x509.RSA, false, true
	case x509.SHA1WithRSA:
		return crypto.SHA1, x509.RSA, false, true
	case x509.SHA256WithRSA:
		return crypto.SHA256, x509.RSA, false, true
	case x509.SHA384WithRSA:
		return crypto.SHA384, x509.RSA, false, true
	case x509.SHA512WithRSA:
		return crypto.SHA512, x509.RSA, false, true
	case x509.SHA256WithRSAPSS:
		return crypto.SHA256, x509.RSA, true, true
	case x509.SHA384WithRSAPSS:
		return crypto.SHA384, x509.RSA, true, true
	case x509.SHA512WithRSAPSS:
		return crypto.SHA512, x509.RSA, true, true
	case x509.DSAWithSHA1:
		return crypto.SHA1, x509.DSA, false, true
	case x509.DSAWithSHA256:
		return crypto.SHA256, x509.DSA, false, true
	case x509.ECDSAWithSHA1:
		return crypto.SHA1, x509.ECDSA, false, true
	case x509.ECDSAWithSHA256:
		return crypto.SHA256, x509.ECDSA, false, true
	case x509.ECDSAWithSHA384:
		return crypto.SHA384, x509.ECDSA, false, true
	case x509.ECDSAWithSHA512:
		return crypto.SHA512, x509.ECDSA, false, true
	case x509.PureEd25519:
		return 0, x509.Ed25519, false, true
	}
	return 0, 0, false, false
}

// newHash avoids crypto.Hash.New so that the hash packages are linked in
// explicitly (crypto.MD5 is otherwise unavailable).
func newHash(h crypto.Hash) hash.Hash {
	switch h {
	case crypto.MD5:
		return md5.New()
	case crypto.SHA1:
		return sha1.New()
	case crypto.SHA256:
		return sha256.New()
	case crypto.SHA384:
		return sha512.New384()
	default:
		return sha512.New()
	}
}

// digestInfoPrefixes are the DER DigestInfo headers of RFC 8017 §9.2 note 1.
// Each hash also has a form without the NULL parameters, which RFC 8017 §9.2
// note 2 allows verifiers to accept and which old CryptoAPI signers emitted.
var digestInfoPrefixes = map[crypto.Hash][][]byte{
	crypto.MD5: {
		{0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10},
		{0x30, 0x1e, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x04, 0x10},
	},
	crypto.SHA1: {
		{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
		{0x30, 0x1f, 0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x04, 0x14},
	},
	crypto.SHA256: {
		{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
		{0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20},
	},
	crypto.SHA384: {
		{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
		{0x30, 0x3f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x04, 0x30},
	},
	crypto.SHA512: {
		{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
		{0x30, 0x4f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x04, 0x40},
	},
}

// rsaPublicOp checks the key and returns the k-octet encoded message
// s^e mod n (RFC 8017 §5.2.2 RSAVP1 and I2OSP).
func rsaPublicOp(k *rsa.PublicKey, sig []byte) ([]byte, error) {
	if k == nil || k.N == nil || k.N.Sign() <= 0 || k.E < 2 {
		return nil, fmt.Errorf("%w: malformed RSA key", ErrInvalidKey)
	}
	bits := k.N.BitLen()
	if bits < minRSABits || bits > maxRSABits {
		return nil, fmt.Errorf("%w: %d-bit RSA key", ErrInvalidKey, bits)
	}
	size := (bits + 7) / 8
	// RFC 8017 §8.2.2 step 1 wants exactly k octets; a signature that
	// lost its leading zero octets is the same integer, so it is
	// accepted (seen from old CAs), a longer one is not.
	if len(sig) == 0 || len(sig) > size {
		return nil, fmt.Errorf("%w: signature length %d for a %d-byte modulus", ErrBadSignature, len(sig), size)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(k.N) >= 0 {
		return nil, fmt.Errorf("%w: signature representative out of range", ErrBadSignature)
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(k.E)), k.N)
	return m.FillBytes(make([]byte, size)), nil
}

// verifyRSAPKCS1v15 is RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2) with a full
// comparison against the re-encoded EMSA-PKCS1-v1_5 message.
func verifyRSAPKCS1v15(k *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	// Fast path: crypto/rsa (constant-time, assembly) accepts the common
	// case — a key of 1024 bits or more, DigestInfo with NULL, a full-length
	// signature. Anything it refuses is checked again by the lenient path
	// below, so the result is the same, only faster.
	if k != nil && k.N != nil && k.N.BitLen() >= 1024 && h != 0 && h.Available() && h != crypto.MD5 {
		if rsa.VerifyPKCS1v15(k, h, digest, sig) == nil {
			return nil
		}
	}
	em, err := rsaPublicOp(k, sig)
	if err != nil {
		return err
	}
	for _, prefix := range digestInfoPrefixes[h] {
		tLen := len(prefix) + len(digest)
		if len(em) < tLen+11 {
			continue
		}
		want := make([]byte, len(em))
		want[1] = 0x01
		for i := 2; i < len(em)-tLen-1; i++ {
			want[i] = 0xff
		}
		copy(want[len(em)-tLen:], prefix)
		copy(want[len(em)-len(digest):], digest)
		if bytes.Equal(em, want) {
			return nil
		}
	}
	return ErrBadSignature
}

// verifyRSAPSS is RSASSA-PSS-VERIFY (RFC 8017 §9.1.2, §8.1.2) with MGF1 over
// the message hash (RFC 4055 §3.1 as profiled by crypto/x509). The salt
// length is recovered from the encoding.
func verifyRSAPSS(k *rsa.PublicKey, h crypto.Hash, mHash, sig []byte) error {
	em, err := rsaPublicOp(k, sig)
	if err != nil {
		return err
	}
	emBits := k.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	// With emBits a multiple of 8 the k-octet message has one leading
	// zero octet that is not part of EM.
	if len(em) > emLen {
		if em[0] != 0 {
			return ErrBadSignature
		}
		em = em[len(em)-emLen:]
	}
	hLen := h.Size()
	if emLen < hLen+2 || em[emLen-1] != 0xbc {
		return ErrBadSignature
	}
	maskedDB := em[:emLen-hLen-1]
	hh := em[emLen-hLen-1 : emLen-1]
	topBits := uint(8*emLen - emBits)
	if maskedDB[0]&^(0xff>>topBits) != 0 {
		return ErrBadSignature
	}
	db := mgf1(h, hh, len(maskedDB))
	for i := range db {
		db[i] ^= maskedDB[i]
	}
	db[0] &= 0xff >> topBits
	i := 0
	for i < len(db) && db[i] == 0 {
		i++
	}
	if i == len(db) || db[i] != 0x01 {
		return ErrBadSignature
	}
	salt := db[i+1:]
	m := newHash(h)
	m.Write(make([]byte, 8))
	m.Write(mHash)
	m.Write(salt)
	if !bytes.Equal(m.Sum(nil), hh) {
		return ErrBadSignature
	}
	return nil
}

// mgf1 is MGF1 (RFC 8017 §B.2.1).
func mgf1(h crypto.Hash, seed []byte, n int) []byte {
	out := make([]byte, 0, n+h.Size())
	var ctr [4]byte
	for c := uint32(0); len(out) < n; c++ {
		ctr[0], ctr[1], ctr[2], ctr[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
		hh := newHash(h)
		hh.Write(seed)
		hh.Write(ctr[:])
		out = hh.Sum(out)
	}
	return out[:n]
}

// verifyDSA checks Dss-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
// (RFC 3279 §2.2.2). The digest is truncated to the length of q (FIPS 186-4
// §4.6), which crypto/dsa leaves to the caller.
func verifyDSA(k *dsa.PublicKey, digest, sig []byte) error {
	if k == nil || k.Y == nil {
		return fmt.Errorf("%w: empty DSA key", ErrInvalidKey)
	}
	if k.P == nil || k.Q == nil || k.G == nil {
		return ErrDSAParametersMissing
	}
	p, q, g := k.P, k.Q, k.G
	if p.Sign() <= 0 || q.Sign() <= 0 || g.Sign() <= 0 || k.Y.Sign() <= 0 ||
		p.BitLen() > maxDSAPBits || q.BitLen() > maxDSAQBits || q.BitLen()%8 != 0 {
		return fmt.Errorf("%w: DSA parameters (|p|=%d, |q|=%d)", ErrInvalidKey, p.BitLen(), q.BitLen())
	}
	in := cryptobyte.String(sig)
	var seq cryptobyte.String
	r, s := new(big.Int), new(big.Int)
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(s) || !seq.Empty() {
		return fmt.Errorf("%w: malformed DSA signature", ErrBadSignature)
	}
	if n := q.BitLen() / 8; len(digest) > n {
		digest = digest[:n]
	}
	if !dsa.Verify(k, digest, r, s) {
		return ErrBadSignature
	}
	return nil
}

// CheckSignatureFrom verifies c's signature with issuer's key. For a DSA issuer key without parameters, pass inherited (the parameters from further up the chain; nil if none).
func (c *Certificate) CheckSignatureFrom(issuer *Certificate, inherited *dsa.Parameters) error {
	if c == nil || c.X == nil {
		return fmt.Errorf("%w: no certificate", ErrUnsupportedAlgorithm)
	}
	pub, err := SigningKey(issuer, inherited)
	if err != nil {
		return err
	}
	return CheckSignature(c.X.SignatureAlgorithm, c.X.RawTBSCertificate, c.X.Signature, pub)
}

// SigningKey returns issuer's public key as a verifier of what it signed
// (certificates, CRLs, OCSP responses): a DSA key without parameters gets
// inherited, the parameters of the key above it (RFC 3279 §2.3.2, PKITS
// 4.1.5); without them the error is [ErrDSAParametersMissing]. The issuer
// certificate is shared, so an inheriting key is a copy.
func SigningKey(issuer *Certificate, inherited *dsa.Parameters) (crypto.PublicKey, error) {
	if issuer == nil || issuer.X == nil {
		return nil, fmt.Errorf("%w: no certificate", ErrUnsupportedAlgorithm)
	}
	pub := issuer.X.PublicKey
	if k, ok := pub.(*dsa.PublicKey); ok && k != nil && k.P == nil {
		if inherited == nil || inherited.P == nil || inherited.Q == nil || inherited.G == nil {
			return nil, ErrDSAParametersMissing
		}
		pub = &dsa.PublicKey{Parameters: *inherited, Y: k.Y}
	}
	return pub, nil
}

// DSAParameters returns the DSA domain parameters of c's key, for a key
// below it that inherits them, or nil when c's key is not DSA or has none.
func DSAParameters(c *Certificate) *dsa.Parameters {
	if c == nil || c.X == nil {
		return nil
	}
	if k, ok := c.X.PublicKey.(*dsa.PublicKey); ok && k != nil && k.P != nil {
		return &k.Parameters
	}
	return nil
}

// CheckCRLSignature verifies crl's signature with issuerKey directly.
// crypto/x509's RevocationList.CheckSignatureFrom refuses CRL signers that
// are not CA certificates and SHA-1 signatures, both of which Windows
// accepts (PKITS 4.4.19-4.4.21, 4.5.6-4.5.8, 4.14.28-4.14.30); the caller
// decides which key may sign.
func CheckCRLSignature(crl *CRL, issuerKey crypto.PublicKey) error {
	if crl == nil {
		return fmt.Errorf("%w: no CRL", ErrUnsupportedAlgorithm)
	}
	return CheckSignature(crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature, issuerKey)
}

// IsWeakSignature is Windows' weak-signature rule, the
// CERT_TRUST_HAS_WEAK_SIGNATURE cases (spec §1.2, §8): an MD2 or MD5
// signature, or an RSA issuer key (pub) shorter than minBits, the registry
// value MinRsaPubKeyBitLength. minBits 0 means
// DefaultMinRSAPubKeyBitLength; MinRSAPubKeyBitLengthDisabled turns the key
// check off. A nil or non-RSA pub judges the algorithm alone.
//
// MD4 has no x509.SignatureAlgorithm (crypto/x509 maps it to
// UnknownSignatureAlgorithm), so it cannot be told apart here; it never
// verifies either (ErrUnsupportedAlgorithm).
func IsWeakSignature(alg x509.SignatureAlgorithm, pub crypto.PublicKey, minBits uint32) bool {
	switch alg {
	case x509.MD2WithRSA, x509.MD5WithRSA:
		return true
	}
	if minBits == 0 {
		minBits = DefaultMinRSAPubKeyBitLength
	}
	if minBits == MinRSAPubKeyBitLengthDisabled {
		return false
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok || k == nil || k.N == nil {
		return false
	}
	n := k.N.BitLen()
	return n > 0 && uint32(n) < minBits
}
