package certs

import (
	"bytes"
	"encoding/pem"
)

// PEMKind is what a PEM block holds, by its label (the word after
// "-----BEGIN "). This is the one home of the label sets: the certificate
// files, AIA objects, CRL files and bodies, and the URL cache's content
// sniffing all read labels through [PEMKindOf].
type PEMKind int

// PEM kinds.
const (
	// PEMOther is any other label (a private key, a CSR, …).
	PEMOther PEMKind = iota
	// PEMCertificate: "CERTIFICATE" (RFC 7468 §5), "X509 CERTIFICATE"
	// (older OpenSSL) or "TRUSTED CERTIFICATE" (OpenSSL's trusted form).
	PEMCertificate
	// PEMPKCS7: "PKCS7" (RFC 7468 §8) or "CMS" (RFC 7468 §9), a
	// certs-only or CRLs-only bundle.
	PEMPKCS7
	// PEMCRL: "X509 CRL" (RFC 7468 §6).
	PEMCRL
)

// PEMKindOf returns the kind a PEM block label names; labels are
// case-sensitive, as encoding/pem and RFC 7468 read them.
func PEMKindOf(blockType string) PEMKind {
	switch blockType {
	case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
		return PEMCertificate
	case "PKCS7", "CMS":
		return PEMPKCS7
	case "X509 CRL":
		return PEMCRL
	}
	return PEMOther
}

// pemBegin opens every PEM block (RFC 7468 §2).
var pemBegin = []byte("-----BEGIN ")

// LooksPEM reports whether data is PEM text: it holds a "-----BEGIN "
// line anywhere, as encoding/pem finds blocks after leading text. It is
// the one "is it PEM" rule of the decoders; text without it is read as
// DER or bare base64.
func LooksPEM(data []byte) bool {
	return bytes.Contains(data, pemBegin)
}

// firstPEMBlock returns the first PEM block of data whose label is of kind
// k, or nil.
func firstPEMBlock(data []byte, k PEMKind) *pem.Block {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil
		}
		if PEMKindOf(b.Type) == k {
			return b
		}
	}
}
