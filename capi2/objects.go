package capi2

import (
	"crypto/x509"
	"strings"
	"time"
)

// Objects is event 90 (X509Objects): a decoded dump of the certificates,
// CRLs and OCSP responses an operation touched, keyed by fileRef. The log
// holds no DER bytes (spec §7.3).
type Objects struct {
	Certificates []*CertInfo
	CRLs         []*CRLInfo
	OCSP         []*OCSPInfo
}

// RDN is one attribute of a Subject or Issuer as logged (<CN>, <O>, <OU>,
// <C>, <L>, <S>, <E> …), in the order of the log: the most specific first,
// the reverse of the DER order.
type RDN struct {
	Type  string
	Value string
}

// NameString prints the name the way Windows displays it ("CN=a, O=b").
func NameString(n []RDN) string {
	parts := make([]string, len(n))
	for i, r := range n {
		parts[i] = r.Type + "=" + r.Value
	}
	return strings.Join(parts, ", ")
}

func rdnsOf(n *node) []RDN {
	if n == nil {
		return nil
	}
	out := make([]RDN, 0, len(n.kids))
	for _, k := range n.elems() {
		out = append(out, RDN{Type: k.name, Value: k.text})
	}
	return out
}

// CertInfo is one Certificate of event 90.
type CertInfo struct {
	FileRef     string
	SHA1        string
	SubjectName string
	Subject     []RDN
	Issuer      []RDN
	// SubjectKeyID is the key identifier Windows used; SubjectKeyIDComputed
	// is computed="true": the certificate has no SubjectKeyIdentifier
	// extension and Windows hashed the key itself.
	SubjectKeyID         []byte
	SubjectKeyIDComputed bool
	SignatureAlgorithm   Algorithm
	PublicKey            Algorithm
	// Serial is SerialNumber as logged (hex, big-endian).
	Serial              string
	NotBefore, NotAfter time.Time
	// AuthorityKeyID is AuthorityKeyIdentifier/KeyID, nil when absent.
	AuthorityKeyID []byte
	// KeyUsage is nil when the certificate has no KeyUsage extension.
	KeyUsage *KeyUsageInfo
	// EKU is the ExtendedKeyUsage extension (HasEKU false: absent).
	EKU    []Usage
	HasEKU bool
	// BasicConstraints is nil when absent.
	BasicConstraints *BasicConstraintsInfo
	// SAN holds SubjectAltName entries.
	SAN []GeneralName
	// Policies are the CertificatePolicies OIDs.
	Policies []string
	// Extensions names every extension element in log order; Unmodelled
	// those the look-alike generator does not rebuild.
	Extensions []string
	Unmodelled []string
	// PropertyEKU is Properties/ExtendedKeyUsage: a store property that
	// restricts the certificate's usages (roots), not an extension.
	PropertyEKU []Usage
}

// KeyUsageInfo is the KeyUsage extension.
type KeyUsageInfo struct {
	Critical bool
	Usage    x509.KeyUsage
}

// BasicConstraintsInfo is the BasicConstraints extension.
type BasicConstraintsInfo struct {
	Critical bool
	CA       bool
	// PathLen is pathLenConstraint, -1 when absent.
	PathLen int
}

// GeneralName is one SubjectAltName entry: Kind is the element name
// (DNSName, RFC822Name, URL, IPAddress, UPN, DirectoryName …).
type GeneralName struct {
	Kind  string
	Value string
}

// CRLInfo is one CertificateRevocationList of event 90.
type CRLInfo struct {
	FileRef, IssuerName string
	Issuer              []RDN
	ThisUpdate          time.Time
	NextUpdate          time.Time
	NextPublish         time.Time
	Number              string
	AuthorityKeyID      []byte
}

// OCSPInfo is one OCSPResponse of event 90.
type OCSPInfo struct {
	FileRef, IssuerName string
	// Status is the responseStatus (0 = OCSP_SUCCESSFUL_RESPONSE).
	Status     int
	ProducedAt time.Time
	Issuer     []RDN
	// DelegatedSigner names the responder certificate when the response
	// was signed by a delegated responder; nil when signed by the CA.
	DelegatedSigner []RDN
	Responses       []OCSPSingle
}

// OCSPSingle is one Response of an OCSP response.
type OCSPSingle struct {
	Serial string
	// CertStatus is 0 good, 1 revoked, 2 unknown (OCSP_BASIC_*_CERT_STATUS).
	CertStatus             int
	ThisUpdate, NextUpdate time.Time
	RevocationTime         time.Time
}

// keyUsageBits maps the CERT_*_KEY_USAGE attribute names of the log to Go's
// bits; the first byte of the value attribute holds the same bits, 0x80 =
// digitalSignature (wincrypt.h).
var keyUsageBits = []struct {
	name string
	bit  x509.KeyUsage
}{
	{"CERT_DIGITAL_SIGNATURE_KEY_USAGE", x509.KeyUsageDigitalSignature},
	{"CERT_NON_REPUDIATION_KEY_USAGE", x509.KeyUsageContentCommitment},
	{"CERT_KEY_ENCIPHERMENT_KEY_USAGE", x509.KeyUsageKeyEncipherment},
	{"CERT_DATA_ENCIPHERMENT_KEY_USAGE", x509.KeyUsageDataEncipherment},
	{"CERT_KEY_AGREEMENT_KEY_USAGE", x509.KeyUsageKeyAgreement},
	{"CERT_KEY_CERT_SIGN_KEY_USAGE", x509.KeyUsageCertSign},
	{"CERT_CRL_SIGN_KEY_USAGE", x509.KeyUsageCRLSign},
	{"CERT_ENCIPHER_ONLY_KEY_USAGE", x509.KeyUsageEncipherOnly},
	{"CERT_DECIPHER_ONLY_KEY_USAGE", x509.KeyUsageDecipherOnly},
}

func keyUsageOf(n *node) *KeyUsageInfo {
	ku := &KeyUsageInfo{Critical: boolAttr(n, "critical")}
	named := false
	for _, b := range keyUsageBits {
		if boolAttr(n, b.name) {
			ku.Usage |= b.bit
			named = true
		}
	}
	if !named {
		// The value is the CRYPT_BIT_BLOB bytes in hex: byte 0 bit 7 is
		// digitalSignature … bit 0 encipherOnly; byte 1 bit 7 decipherOnly.
		raw := parseHexBytes(n.attr("value"))
		for i := 0; i < 9 && i/8 < len(raw); i++ {
			if raw[i/8]&(0x80>>(i%8)) != 0 {
				ku.Usage |= keyUsageBits[i].bit
			}
		}
	}
	return ku
}

func parseObjects(b *node) *Objects {
	o := &Objects{}
	for _, k := range b.elems() {
		switch k.name {
		case "Certificate":
			o.Certificates = append(o.Certificates, parseCertInfo(k))
		case "CertificateRevocationList":
			c := &CRLInfo{FileRef: k.attr("fileRef"), IssuerName: k.attr("issuerName"), Issuer: rdnsOf(k.child("Issuer")),
				ThisUpdate: parseTime(k.childText("ThisUpdate")), NextUpdate: parseTime(k.childText("NextUpdate"))}
			ext := k.child("Extensions")
			c.Number = ext.childText("CRLNumber")
			c.NextPublish = parseTime(ext.childText("NextPublishTime"))
			c.AuthorityKeyID = parseHexBytes(ext.child("AuthorityKeyIdentifier").child("KeyID").attr("hash"))
			o.CRLs = append(o.CRLs, c)
		case "OCSPResponse":
			r := &OCSPInfo{FileRef: k.attr("fileRef"), IssuerName: k.attr("issuerName"),
				Status: parseInt(k.child("Status").attr("value"), 0), ProducedAt: parseTime(k.childText("ProducedAt")),
				Issuer: rdnsOf(k.child("Issuer")), DelegatedSigner: rdnsOf(k.child("DelegatedSigner"))}
			for _, s := range k.children("Response") {
				r.Responses = append(r.Responses, OCSPSingle{Serial: s.childText("SerialNumber"),
					CertStatus: parseInt(s.child("CertStatus").attr("value"), 2),
					ThisUpdate: parseTime(s.childText("ThisUpdate")), NextUpdate: parseTime(s.childText("NextUpdate")),
					RevocationTime: parseTime(s.childText("RevocationTime"))})
			}
			o.OCSP = append(o.OCSP, r)
		}
	}
	return o
}

// modelledExtensions are the extension elements the look-alike generator
// rebuilds.
var modelledExtensions = map[string]bool{
	"AuthorityKeyIdentifier": true, "KeyUsage": true, "ExtendedKeyUsage": true,
	"BasicConstraints": true, "SubjectAltName": true, "CertificatePolicies": true,
}

func parseCertInfo(k *node) *CertInfo {
	f := k.attr("fileRef")
	c := &CertInfo{FileRef: f, SHA1: thumbprintOf(f), SubjectName: k.attr("subjectName"),
		Subject: rdnsOf(k.child("Subject")), Issuer: rdnsOf(k.child("Issuer")),
		SignatureAlgorithm: algorithmOf(k.child("SignatureAlgorithm")), PublicKey: algorithmOf(k.child("PublicKeyAlgorithm")),
		Serial:    strings.ToUpper(strings.Join(strings.Fields(k.childText("SerialNumber")), "")),
		NotBefore: parseTime(k.childText("NotBefore")), NotAfter: parseTime(k.childText("NotAfter"))}
	if ski := k.child("SubjectKeyID"); ski != nil {
		c.SubjectKeyID = parseHexBytes(ski.attr("hash"))
		c.SubjectKeyIDComputed = boolAttr(ski, "computed")
	}
	for _, e := range k.child("Extensions").elems() {
		c.Extensions = append(c.Extensions, e.name)
		if !modelledExtensions[e.name] {
			c.Unmodelled = append(c.Unmodelled, e.name)
		}
		switch e.name {
		case "AuthorityKeyIdentifier":
			c.AuthorityKeyID = parseHexBytes(e.child("KeyID").attr("hash"))
		case "KeyUsage":
			c.KeyUsage = keyUsageOf(e)
		case "ExtendedKeyUsage":
			c.EKU, c.HasEKU = usagesOf(e), true
		case "BasicConstraints":
			c.BasicConstraints = &BasicConstraintsInfo{Critical: boolAttr(e, "critical"), CA: boolAttr(e, "cA"),
				PathLen: parseInt(e.attr("pathLenConstraint"), -1)}
		case "SubjectAltName":
			for _, g := range e.elems() {
				c.SAN = append(c.SAN, GeneralName{Kind: g.name, Value: g.text})
			}
		case "CertificatePolicies":
			for _, p := range e.children("Policy") {
				c.Policies = append(c.Policies, p.attr("oid"))
			}
		}
	}
	c.PropertyEKU = usagesOf(k.child("Properties").child("ExtendedKeyUsage"))
	return c
}
