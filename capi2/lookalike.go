package capi2

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"

	"github.com/winchain/winchain/certs"
)

// Look-alike certificates are generated from an event 90 description when
// the real certificate is not at hand. What they keep and what they cannot
// keep is listed in docs/windows-divergences.md ("CAPI2 replay").

// MaxLookAlikeRSABits is the largest RSA key generated for a look-alike: a
// larger key (4096-bit roots are common) takes seconds to generate and
// changes nothing in chain building above MinRsaPubKeyBitLength (spec §8),
// so it is replaced by a 2048-bit one and the replay says so.
const MaxLookAlikeRSABits = 2048

// rdnOIDs maps the element names event 90 uses for name attributes
// (CertNameToStr X500 keys) to their OIDs.
var rdnOIDs = map[string]asn1.ObjectIdentifier{
	"CN":           {2, 5, 4, 3},
	"SN":           {2, 5, 4, 4},
	"SERIALNUMBER": {2, 5, 4, 5},
	"C":            {2, 5, 4, 6},
	"L":            {2, 5, 4, 7},
	"S":            {2, 5, 4, 8},
	"ST":           {2, 5, 4, 8},
	"STREET":       {2, 5, 4, 9},
	"O":            {2, 5, 4, 10},
	"OU":           {2, 5, 4, 11},
	"T":            {2, 5, 4, 12},
	"PostalCode":   {2, 5, 4, 17},
	"G":            {2, 5, 4, 42},
	"I":            {2, 5, 4, 43},
	"E":            {1, 2, 840, 113549, 1, 9, 1},
	"DC":           {0, 9, 2342, 19200300, 100, 1, 25},
}

// encodeName builds the DER of a name logged most-specific first (the
// reverse of the DER order), one attribute per RDN.
func encodeName(rdns []RDN) ([]byte, []string, error) {
	var seq pkix.RDNSequence
	var unknown []string
	for i := len(rdns) - 1; i >= 0; i-- {
		r := rdns[i]
		oid, ok := rdnOIDs[r.Type]
		if !ok {
			if o, err := parseOID(strings.TrimPrefix(r.Type, "OID.")); err == nil {
				oid, ok = o, true
			}
		}
		if !ok {
			unknown = append(unknown, r.Type)
			continue
		}
		var v any = r.Value
		if r.Type == "E" || r.Type == "DC" {
			v = asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(r.Value)}
		}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}})
	}
	der, err := asn1.Marshal(seq)
	return der, unknown, err
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var oid asn1.ObjectIdentifier
	for _, p := range strings.Split(s, ".") {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != p {
			return nil, fmt.Errorf("not an OID: %q", s)
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return nil, fmt.Errorf("not an OID: %q", s)
	}
	return oid, nil
}

// extKeyUsages maps EKU OIDs to Go's constants; the others are carried as
// UnknownExtKeyUsage.
var extKeyUsages = map[string]x509.ExtKeyUsage{
	"2.5.29.37.0":             x509.ExtKeyUsageAny,
	"1.3.6.1.5.5.7.3.1":       x509.ExtKeyUsageServerAuth,
	"1.3.6.1.5.5.7.3.2":       x509.ExtKeyUsageClientAuth,
	"1.3.6.1.5.5.7.3.3":       x509.ExtKeyUsageCodeSigning,
	"1.3.6.1.5.5.7.3.4":       x509.ExtKeyUsageEmailProtection,
	"1.3.6.1.5.5.7.3.8":       x509.ExtKeyUsageTimeStamping,
	"1.3.6.1.5.5.7.3.9":       x509.ExtKeyUsageOCSPSigning,
	"1.3.6.1.4.1.311.10.3.3":  x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	"2.16.840.1.113730.4.1":   x509.ExtKeyUsageNetscapeServerGatedCrypto,
	"1.3.6.1.4.1.311.2.1.22":  x509.ExtKeyUsageMicrosoftCommercialCodeSigning,
	"1.3.6.1.4.1.311.61.1.1":  x509.ExtKeyUsageMicrosoftKernelCodeSigning,
	"1.3.6.1.5.5.7.3.5":       x509.ExtKeyUsageIPSECEndSystem,
	"1.3.6.1.5.5.7.3.6":       x509.ExtKeyUsageIPSECTunnel,
	"1.3.6.1.5.5.7.3.7":       x509.ExtKeyUsageIPSECUser,
	"1.3.6.1.4.1.311.10.3.12": -1, // document signing: no Go constant
}

// lookAlike is a generated certificate with its key.
type lookAlike struct {
	cert *certs.Certificate
	key  crypto.Signer
}

// urlSet are the URLs the log shows being fetched for a certificate, put
// in the look-alike's CDP and AIA extensions.
type urlSet struct {
	crl, ocsp, issuers []string
}

// newKey returns a fresh key of the logged algorithm and size (RSA capped
// at MaxLookAlikeRSABits), with a note when it differs.
func newKey(a Algorithm) (crypto.Signer, string, error) {
	switch {
	case a.OID == "1.2.840.10045.2.1" || strings.EqualFold(a.Key, "ECC") || strings.EqualFold(a.Key, "ECDSA"):
		curve := elliptic.P256()
		switch a.Bits {
		case 384:
			curve = elliptic.P384()
		case 521:
			curve = elliptic.P521()
		}
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		return k, "", err
	case a.OID == "" || a.OID == "1.2.840.113549.1.1.1" || strings.EqualFold(a.Key, "RSA"):
		bits, note := a.Bits, ""
		if bits == 0 {
			bits, note = MaxLookAlikeRSABits, fmt.Sprintf("key size not logged: a %d-bit RSA key", MaxLookAlikeRSABits)
		}
		if bits > MaxLookAlikeRSABits {
			note = fmt.Sprintf("a %d-bit RSA key instead of %d bits", MaxLookAlikeRSABits, bits)
			bits = MaxLookAlikeRSABits
		}
		if bits < 512 {
			note, bits = fmt.Sprintf("a 512-bit RSA key instead of %d bits", bits), 512
		}
		k, err := rsa.GenerateKey(rand.Reader, bits)
		return k, note, err
	}
	k, err := rsa.GenerateKey(rand.Reader, MaxLookAlikeRSABits)
	return k, fmt.Sprintf("public key algorithm %s %s replaced by RSA %d", a.Key, a.OID, MaxLookAlikeRSABits), err
}

// signatureAlgorithm picks the logged hash with the issuer's key type.
func signatureAlgorithm(hash string, key crypto.Signer) x509.SignatureAlgorithm {
	h := strings.ToUpper(strings.ReplaceAll(hash, "-", ""))
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		switch h {
		case "SHA1":
			return x509.ECDSAWithSHA1
		case "SHA384":
			return x509.ECDSAWithSHA384
		case "SHA512":
			return x509.ECDSAWithSHA512
		}
		return x509.ECDSAWithSHA256
	}
	switch h {
	case "SHA1":
		return x509.SHA1WithRSA
	case "SHA384":
		return x509.SHA384WithRSA
	case "SHA512":
		return x509.SHA512WithRSA
	}
	return x509.SHA256WithRSA
}

// makeLookAlike generates the certificate c describes, signed by issuer
// (nil: self-signed, or signed by a throw-away key when c is not
// self-issued and its issuer is unknown). notes receives what differs.
func makeLookAlike(c *CertInfo, issuer *lookAlike, urls urlSet, notef func(string, ...any)) (*lookAlike, error) {
	key, keyNote, err := newKey(c.PublicKey)
	if err != nil {
		return nil, err
	}
	who := c.SubjectName
	if who == "" {
		who = NameString(c.Subject)
	}
	if keyNote != "" {
		notef("%s: %s", who, keyNote)
	}
	subject, unknown, err := encodeName(c.Subject)
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		notef("%s: subject attributes %s not rebuilt", who, strings.Join(unknown, ", "))
	}
	issuerName, _, err := encodeName(c.Issuer)
	if err != nil {
		return nil, err
	}
	serial := new(big.Int).SetBytes(parseHexBytes(c.Serial))
	if serial.Sign() == 0 {
		notef("%s: serial number %q replaced by 1", who, c.Serial)
		serial = big.NewInt(1)
	}
	t := &x509.Certificate{
		SerialNumber: serial, RawSubject: subject, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		CRLDistributionPoints: urls.crl, OCSPServer: urls.ocsp, IssuingCertificateURL: urls.issuers,
	}
	if !c.SubjectKeyIDComputed {
		t.SubjectKeyId = c.SubjectKeyID
	}
	t.AuthorityKeyId = c.AuthorityKeyID
	if c.KeyUsage != nil {
		t.KeyUsage = c.KeyUsage.Usage
	}
	for _, u := range c.EKU {
		if e, ok := extKeyUsages[u.OID]; ok && e >= 0 {
			t.ExtKeyUsage = append(t.ExtKeyUsage, e)
		} else if oid, err := parseOID(u.OID); err == nil {
			t.UnknownExtKeyUsage = append(t.UnknownExtKeyUsage, oid)
		}
	}
	if bc := c.BasicConstraints; bc != nil {
		t.BasicConstraintsValid, t.IsCA = true, bc.CA
		if bc.PathLen >= 0 {
			t.MaxPathLen, t.MaxPathLenZero = bc.PathLen, bc.PathLen == 0
		} else {
			t.MaxPathLen = -1
		}
	}
	for _, g := range c.SAN {
		switch g.Kind {
		case "DNSName":
			t.DNSNames = append(t.DNSNames, g.Value)
		case "RFC822Name":
			t.EmailAddresses = append(t.EmailAddresses, g.Value)
		case "IPAddress":
			if ip := net.ParseIP(g.Value); ip != nil {
				t.IPAddresses = append(t.IPAddresses, ip)
			} else {
				notef("%s: SAN IP address %q not rebuilt", who, g.Value)
			}
		case "URL", "URI":
			if u, err := url.Parse(g.Value); err == nil {
				t.URIs = append(t.URIs, u)
			}
		default:
			notef("%s: SAN %s %q not rebuilt", who, g.Kind, g.Value)
		}
	}
	for _, p := range c.Policies {
		if oid, err := parseOID(p); err == nil {
			t.PolicyIdentifiers = append(t.PolicyIdentifiers, oid)
		}
	}
	var others []string
	for _, e := range c.Unmodelled {
		if e != "CRLDistributionPoints" && e != "AuthorityInfoAccess" && e != "SubjectKeyIdentifier" {
			others = append(others, e)
		}
	}
	if len(others) > 0 {
		notef("%s: extensions %s not rebuilt", who, strings.Join(others, ", "))
	}
	parent, signer := t, key
	t.RawIssuer = issuerName
	switch {
	case issuer != nil:
		parent, signer = issuer.cert.X, issuer.key
	case !namesEqualRDN(c.Subject, c.Issuer):
		// The issuer Windows did not find: sign with a key nobody has, as
		// a certificate whose issuer is unknown is signed for the replay.
		other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		signer = other
		parent = &x509.Certificate{RawSubject: issuerName, SubjectKeyId: c.AuthorityKeyID, PublicKey: other.Public()}
	}
	t.SignatureAlgorithm = signatureAlgorithm(c.SignatureAlgorithm.Hash, signer)
	der, err := x509.CreateCertificate(rand.Reader, t, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot generate a look-alike: %w", who, err)
	}
	cert, err := certs.Parse(der)
	if err != nil {
		return nil, err
	}
	return &lookAlike{cert: cert, key: key}, nil
}

func namesEqualRDN(a, b []RDN) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
