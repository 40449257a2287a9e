package certs

import "encoding/asn1"

// Certificate extension, access method and extended key usage OIDs, each
// defined once (RFC 5280 §4.2; the Windows names are the wincrypt.h szOID_
// constants). The CRL extension OIDs are in crl.go, beside the CRL parser,
// and the algorithm OIDs in lenient.go. Only what another package needs is
// exported.
var (
	// OIDSubjectAltName is subjectAltName, szOID_SUBJECT_ALT_NAME2
	// (2.5.29.17, RFC 5280 §4.2.1.6).
	OIDSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
	// OIDSubjectAltNameObsolete is the obsolete subjectAltName,
	// szOID_SUBJECT_ALT_NAME (2.5.29.7). Windows honours both (spec §11.1
	// item 6).
	OIDSubjectAltNameObsolete = asn1.ObjectIdentifier{2, 5, 29, 7}
	// OIDAuthorityKeyID is authorityKeyIdentifier,
	// szOID_AUTHORITY_KEY_IDENTIFIER2 (2.5.29.35, RFC 5280 §4.2.1.1).
	OIDAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	// OIDNameConstraints is nameConstraints, szOID_NAME_CONSTRAINTS
	// (2.5.29.30, RFC 5280 §4.2.1.10).
	OIDNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}
	// OIDKeyUsage is keyUsage, szOID_KEY_USAGE (2.5.29.15, RFC 5280
	// §4.2.1.3).
	OIDKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 15}
	// OIDCRLDistributionPoints is cRLDistributionPoints,
	// szOID_CRL_DIST_POINTS (2.5.29.31, RFC 5280 §4.2.1.13); parsed by
	// [ParseDistributionPoints].
	OIDCRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
	// OIDExtKeyUsageOCSPSigning is id-kp-OCSPSigning,
	// szOID_PKIX_KP_OCSP_SIGNING (1.3.6.1.5.5.7.3.9, RFC 5280 §4.2.1.12):
	// the EKU of a delegated OCSP responder (RFC 6960 §4.2.2.2).
	OIDExtKeyUsageOCSPSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}

	// oidSubjectKeyID is subjectKeyIdentifier, szOID_SUBJECT_KEY_IDENTIFIER
	// (RFC 5280 §4.2.1.2).
	oidSubjectKeyID = asn1.ObjectIdentifier{2, 5, 29, 14}
	// oidBasicConstraints is basicConstraints, szOID_BASIC_CONSTRAINTS2
	// (RFC 5280 §4.2.1.9).
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	// oidCertificatePolicies is certificatePolicies, szOID_CERT_POLICIES
	// (RFC 5280 §4.2.1.4).
	oidCertificatePolicies = asn1.ObjectIdentifier{2, 5, 29, 32}
	// oidPolicyMappings is policyMappings, szOID_POLICY_MAPPINGS (RFC 5280
	// §4.2.1.5).
	oidPolicyMappings = asn1.ObjectIdentifier{2, 5, 29, 33}
	// oidPolicyConstraints is policyConstraints, szOID_POLICY_CONSTRAINTS
	// (RFC 5280 §4.2.1.11).
	oidPolicyConstraints = asn1.ObjectIdentifier{2, 5, 29, 36}
	// oidExtKeyUsage is extKeyUsage, szOID_ENHANCED_KEY_USAGE (RFC 5280
	// §4.2.1.12).
	oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}
	// oidAnyExtKeyUsage is anyExtendedKeyUsage,
	// szOID_ANY_ENHANCED_KEY_USAGE (RFC 5280 §4.2.1.12).
	oidAnyExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	// oidInhibitAnyPolicy is inhibitAnyPolicy, szOID_INHIBIT_ANY_POLICY
	// (RFC 5280 §4.2.1.14).
	oidInhibitAnyPolicy = asn1.ObjectIdentifier{2, 5, 29, 54}
	// oidAuthorityInfoAccess is authorityInfoAccess,
	// szOID_AUTHORITY_INFO_ACCESS (1.3.6.1.5.5.7.1.1, RFC 5280 §4.2.2.1), in
	// certificates and (RFC 5280 §5.2.7) CRLs.
	oidAuthorityInfoAccess = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	// oidAIAOCSP is the id-ad-ocsp access method, szOID_PKIX_OCSP.
	oidAIAOCSP = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	// oidAIAIssuers is the id-ad-caIssuers access method,
	// szOID_PKIX_CA_ISSUERS.
	oidAIAIssuers = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
)
