package revocation

import "github.com/winchain/winchain/certs"

// Plan is what a [Checker] would ask for, and in which order, to check one
// certificate: for `winchain inspect` and for people reading a certificate
// before a rotation. It is computed by the same code as a real check.
type Plan struct {
	// OCSP lists the AIA id-ad-ocsp responder URLs, in certificate order.
	OCSP []PlannedURL
	// CRL lists the CRL distribution point URLs, in certificate order,
	// without the points that name a separate cRLIssuer (indirect CRLs are
	// not supported, spec §3.3).
	CRL []PlannedURL
	// DeltaCRL lists the certificate's freshestCRL URLs (delta CRLs are
	// fetched after the base CRL, spec §3.3).
	DeltaCRL []PlannedURL
	// OCSPFirst is true when OCSP is asked before the CRLs. With the
	// default CryptnetCachedOcspSwitchToCrlCount (50) and no cached OCSP
	// responses for the issuer it is true; CRLs come first once more than
	// that many are cached (spec §3.2).
	OCSPFirst bool
	// Notes says what was skipped or could not be computed, in words.
	Notes []string
}

// PlannedURL is one URL of a [Plan].
type PlannedURL struct {
	// URL is the URL as the certificate names it.
	URL string
	// Request is the URL Cryptnet actually retrieves: for OCSP, the GET URL
	// with the base64 DER request ([OCSPGetURL]); empty when it cannot be
	// built (no issuer). For CRLs it equals URL.
	Request string
}

// PlanFor returns the URLs a Checker with the default configuration and
// empty caches would try for cert, in order. issuer may be nil: the OCSP
// GET URLs (which hash the issuer's name and key) are then left empty, and
// distribution points with a cRLIssuer are skipped as if it did not name
// the issuer.
func PlanFor(cert, issuer *certs.Certificate) (*Plan, error) {
	if cert == nil || cert.X == nil {
		return nil, ErrNilCertificate
	}
	if issuer != nil && issuer.X == nil {
		issuer = nil
	}
	ck := &check{cert: cert, issuer: issuer, res: &Result{}}
	ck.parsePointers()
	p := &Plan{OCSPFirst: DefaultCachedOcspSwitchToCrlCount != CRLBeforeOCSPEnable}
	var req []byte
	if issuer != nil && len(ck.ocspURLs) > 0 {
		var err error
		if req, err = OCSPRequest(cert, issuer); err != nil {
			ck.note("OCSP request cannot be built: %v", err)
		}
	} else if len(ck.ocspURLs) > 0 {
		ck.note("OCSP GET URLs need the issuer certificate (--issuer)")
	}
	for _, u := range ck.ocspURLs {
		pu := PlannedURL{URL: u}
		if req != nil {
			pu.Request = OCSPGetURL(u, req)
		}
		p.OCSP = append(p.OCSP, pu)
	}
	for _, u := range ck.cdpURLs() {
		p.CRL = append(p.CRL, PlannedURL{URL: u, Request: u})
	}
	for i := range ck.freshestCert {
		for _, u := range ck.freshestCert[i].URIs() {
			p.DeltaCRL = append(p.DeltaCRL, PlannedURL{URL: u, Request: u})
		}
	}
	p.Notes = ck.details
	return p, nil
}
