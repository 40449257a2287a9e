package aia

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"strings"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// The AIA limits of the chain engine (spec §6, §8). Values are the
// wincrypt.h defaults (spec source S1); the registry value of each name
// lives under ...\CertDllCreateCertificateChainEngine\Config.
const (
	// DefaultMaxURLCountInCert is MaxAIAUrlCountInCert
	// (CERT_CHAIN_MAX_AIA_URL_COUNT_IN_CERT_DEFAULT, 5): caIssuers URLs
	// considered per certificate; later ones are recorded as refused.
	DefaultMaxURLCountInCert = 5
	// DefaultMaxRetrievalCountPerChain is MaxAIAUrlRetrievalCountPerChain
	// (CERT_CHAIN_MAX_AIA_URL_RETRIEVAL_COUNT_PER_CHAIN_DEFAULT, 3): URL
	// retrievals per chain build, counted in Request.Fetches.
	DefaultMaxRetrievalCountPerChain = 3
	// DefaultMaxRetrievalCertCount is MaxAIAUrlRetrievalCertCount
	// (CERT_CHAIN_MAX_AIA_URL_RETRIEVAL_CERT_COUNT_DEFAULT, 10): the most
	// certificates one AIA object may hold; an object with more is
	// refused as a whole (see certs.DecodeObject).
	DefaultMaxRetrievalCertCount = 10
)

// OptionDisableAIAURLRetrieval is CERT_CHAIN_OPTION_DISABLE_AIA_URL_RETRIEVAL,
// bit 0x2 of the chain engine's registry Options value (spec §8).
const OptionDisableAIAURLRetrieval uint32 = 0x2

// ReasonLimit is the retrievals[] error word of a URL that an AIA limit
// kept from being retrieved (MaxAIAUrlCountInCert,
// MaxAIAUrlRetrievalCountPerChain). The cache package has no such reason:
// the limits are the chain engine's, not Cryptnet's.
const ReasonLimit cache.Reason = "limit"

// ErrLimit matches, with errors.Is, the error of a retrieval refused by an
// AIA limit.
var ErrLimit = &cache.RetrievalError{Reason: ReasonLimit}

// ErrNoIssuer is wrapped by the validation error of an AIA object that
// decodes but holds no certificate fitting as the issuer
// (CRYPT_AIA_RETRIEVAL validation): such an object is not cached.
var ErrNoIssuer = errors.New("no certificate in the AIA object fits as the issuer")

// Config configures a [Source]. The zero value of every field but
// Retriever means the Windows default.
type Config struct {
	// Retriever performs every retrieval: memory cache, disk cache, wire,
	// scheme rules and the MaxAIAUrlRetrievalByteCount limit. Required.
	Retriever *cache.Retriever

	// MaxURLCountInCert is MaxAIAUrlCountInCert; 0 means
	// DefaultMaxURLCountInCert, a negative value considers no URL.
	MaxURLCountInCert int
	// MaxRetrievalCountPerChain is MaxAIAUrlRetrievalCountPerChain; 0
	// means DefaultMaxRetrievalCountPerChain, negative allows none.
	MaxRetrievalCountPerChain int
	// MaxRetrievalBytes is MaxAIAUrlRetrievalByteCount; 0 leaves it to the
	// Retriever's MaxAIARetrievalBytes (itself
	// cache.DefaultMaxAIARetrievalBytes, 100000, unless the registry
	// changed it): the Retriever enforces the limit for cache.KindAIA.
	MaxRetrievalBytes int64
	// MaxRetrievalCertCount is MaxAIAUrlRetrievalCertCount; 0 means
	// DefaultMaxRetrievalCertCount.
	MaxRetrievalCertCount int

	// DisableAIAURLRetrieval is the registry value DisableAIAUrlRetrieval
	// (and the Group Policy "Allow issuer certificate (AIA) retrieval"
	// switched off): FetchIssuers fetches nothing and records nothing.
	DisableAIAURLRetrieval bool
	// Options is the registry Options value; OptionDisableAIAURLRetrieval
	// (0x2) disables AIA like DisableAIAURLRetrieval. Other bits are
	// ignored here.
	Options uint32

	// EnableLDAP lets ldap:// caIssuers URLs through to the Retriever
	// (which also needs AllowLDAPScheme and a Fetcher that speaks LDAP).
	// Off by default: winchain has no LDAP client, so such URLs are
	// recorded as unsupported-scheme.
	EnableLDAP bool
	// EnableFile is AllowFileUrlScheme with CRYPT_ENABLE_FILE_RETRIEVAL
	// for AIA (the Retriever needs AllowFileScheme too). Off by default:
	// whether the chain engine honours file:// AIA is UNCONFIRMED (spec
	// §6), so file URLs are recorded as unsupported-scheme.
	EnableFile bool
}

// Source fetches missing issuers through the caIssuers URLs of the
// Authority Information Access extension. It implements the chain engine's
// IssuerFetcher and is safe for concurrent use; per-build state lives in
// the [Request].
type Source struct {
	cfg Config
}

// NewSource checks cfg and fills in the defaults.
func NewSource(cfg Config) (*Source, error) {
	if cfg.Retriever == nil {
		return nil, errors.New("aia: Config.Retriever is required")
	}
	if cfg.MaxURLCountInCert == 0 {
		cfg.MaxURLCountInCert = DefaultMaxURLCountInCert
	}
	if cfg.MaxRetrievalCountPerChain == 0 {
		cfg.MaxRetrievalCountPerChain = DefaultMaxRetrievalCountPerChain
	}
	if cfg.MaxRetrievalCertCount <= 0 {
		cfg.MaxRetrievalCertCount = DefaultMaxRetrievalCertCount
	}
	if cfg.MaxRetrievalBytes < 0 {
		return nil, fmt.Errorf("aia: Config.MaxRetrievalBytes is negative (%d)", cfg.MaxRetrievalBytes)
	}
	return &Source{cfg: cfg}, nil
}

// Config returns the effective configuration (defaults filled in).
func (s *Source) Config() Config { return s.cfg }

// Disabled reports whether DisableAIAUrlRetrieval or Options bit 0x2 turns
// AIA off.
func (s *Source) Disabled() bool {
	return s.cfg.DisableAIAURLRetrieval || s.cfg.Options&OptionDisableAIAURLRetrieval != 0
}

// FetchIssuers retrieves the issuer of cert through its caIssuers URLs
// (spec §6), the way the chain engine does when no local chain reaches a
// self-signed certificate (spec §1.8; the engine decides when to call).
//
// URLs are tried in the certificate's order until one yields an issuer:
//   - only the first MaxAIAUrlCountInCert (5) URLs are considered;
//   - http only: https is never used for AIA (as on Windows), ldap and file
//     only when enabled; other URLs are refused as unsupported-scheme;
//   - at most MaxAIAUrlRetrievalCountPerChain (3) retrievals per build,
//     counted in req.Fetches (a retrieval answered by a cache counts too:
//     it is a CryptRetrieveObjectByUrl call all the same);
//   - with req.CacheOnly (CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL) only the
//     memory and disk caches are read.
//
// An object is decoded by certs.DecodeObject; of its certificates only those that
// fit as cert's issuer are returned: matched the way the engine matches
// issuers (AKI issuer and serial, else AKI key identifier, else subject
// name) and cert's signature verifies with their key. On a wire retrieval
// this is the Retriever's Validate step (CRYPT_AIA_RETRIEVAL), so an
// object without a fitting issuer is never cached.
//
// Every URL considered is appended to req.Retrievals (kind aia), with where
// the answer came from or why it failed or was refused; limits that cut
// the retrieval short are named in req.LimitsHit. A nil req is allowed
// (nothing is then reported and no per-build limit carries over).
func (s *Source) FetchIssuers(ctx context.Context, cert *certs.Certificate, req *Request) []*certs.Certificate {
	if cert == nil || cert.X == nil || s.Disabled() {
		return nil
	}
	if req == nil {
		req = &Request{}
	}
	urls := cert.X.IssuingCertificateURL
	for i, u := range urls {
		if i >= s.cfg.MaxURLCountInCert {
			s.refuse(req, u, ReasonLimit, fmt.Sprintf("MaxAIAUrlCountInCert (%d): URL %d of %d in the certificate is not considered",
				max(s.cfg.MaxURLCountInCert, 0), i+1, len(urls)))
			limitHit(req, "MaxAIAUrlCountInCert", s.cfg.MaxURLCountInCert)
			continue
		}
		if detail, ok := s.schemeAllowed(u); !ok {
			s.refuse(req, u, cache.ReasonUnsupportedScheme, detail)
			continue
		}
		if req.Fetches >= s.cfg.MaxRetrievalCountPerChain {
			s.refuse(req, u, ReasonLimit, fmt.Sprintf("MaxAIAUrlRetrievalCountPerChain (%d): %d AIA retrievals already made in this chain build",
				max(s.cfg.MaxRetrievalCountPerChain, 0), req.Fetches))
			limitHit(req, "MaxAIAUrlRetrievalCountPerChain", s.cfg.MaxRetrievalCountPerChain)
			continue
		}
		req.Fetches++
		if got := s.retrieve(ctx, cert, u, req); len(got) > 0 {
			return got
		}
	}
	return nil
}

// schemeAllowed applies spec §6: http always, https never, ldap and file
// only when enabled.
func (s *Source) schemeAllowed(raw string) (string, bool) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "not a URL: " + err.Error(), false
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "http":
		return "", true
	case "https":
		return "HTTPS is not supported for AIA retrieval (spec §6)", false
	case "ldap":
		if s.cfg.EnableLDAP {
			return "", true
		}
		return "ldap:// AIA is not enabled (aia.Config.EnableLDAP)", false
	case "file":
		if s.cfg.EnableFile {
			return "", true
		}
		return "file:// AIA needs AllowFileUrlScheme (aia.Config.EnableFile)", false
	default:
		return fmt.Sprintf("scheme %q is not an AIA scheme", scheme), false
	}
}

// refuse records a URL that was not retrieved.
func (s *Source) refuse(req *Request, url string, reason cache.Reason, detail string) {
	req.Retrievals = append(req.Retrievals, &cache.Result{
		URL:  url,
		Kind: cache.KindAIA,
		From: cache.FromNone,
		Err:  &cache.RetrievalError{URL: url, Reason: reason, Detail: detail},
	})
}

func limitHit(req *Request, name string, v int) {
	s := fmt.Sprintf("%s (%d)", name, max(v, 0))
	for _, l := range req.LimitsHit {
		if l == s {
			return
		}
	}
	req.LimitsHit = append(req.LimitsHit, s)
}

// retrieve gets one URL through the Retriever and returns the issuers of
// cert it holds.
func (s *Source) retrieve(ctx context.Context, cert *certs.Certificate, url string, req *Request) []*certs.Certificate {
	var fit []*certs.Certificate
	validated := false
	opts := cache.Options{
		CacheOnly:    req.CacheOnly,
		OfflineCheck: true,
		Timeout:      req.Timeout,
		ResyncBefore: req.CacheResync,
		MaxBytes:     s.cfg.MaxRetrievalBytes,
		Validate: func(body []byte) error {
			f, err := s.issuersIn(cert, body)
			if err != nil {
				return err
			}
			fit, validated = f, true
			return nil
		},
	}
	res, err := s.cfg.Retriever.Retrieve(ctx, url, cache.KindAIA, opts)
	req.Retrievals = append(req.Retrievals, res)
	if err != nil {
		switch {
		case errors.Is(err, cache.ErrTooLarge):
			limitHit(req, "MaxAIAUrlRetrievalByteCount", int(s.byteLimit()))
		case errors.Is(err, certs.ErrTooManyCertificates):
			limitHit(req, "MaxAIAUrlRetrievalCertCount", s.cfg.MaxRetrievalCertCount)
		}
		return nil
	}
	if validated {
		return fit
	}
	// Served by a cache (or revalidated with 304): the object was checked
	// when it was written, but possibly for another certificate of the
	// same CA, so check it for this one.
	f, verr := s.issuersIn(cert, res.Body)
	if verr != nil {
		res.OK = false
		res.Err = &cache.RetrievalError{URL: url, Reason: cache.ReasonInvalidContent, Err: verr,
			Detail: "cached object (from " + string(res.From) + ")"}
		if errors.Is(verr, certs.ErrTooManyCertificates) {
			limitHit(req, "MaxAIAUrlRetrievalCertCount", s.cfg.MaxRetrievalCertCount)
		}
		return nil
	}
	return f
}

func (s *Source) byteLimit() int64 {
	if s.cfg.MaxRetrievalBytes > 0 {
		return s.cfg.MaxRetrievalBytes
	}
	return s.cfg.Retriever.Config().MaxAIARetrievalBytes
}

// issuersIn decodes an AIA object and keeps the certificates that fit as
// cert's issuer. The error says why none fits.
func (s *Source) issuersIn(cert *certs.Certificate, body []byte) ([]*certs.Certificate, error) {
	d, err := certs.DecodeObject(body, "AIA object", s.cfg.MaxRetrievalCertCount)
	if errors.Is(err, certs.ErrTooManyCertificates) {
		return nil, fmt.Errorf("%w (MaxAIAUrlRetrievalCertCount)", err)
	}
	if err != nil {
		return nil, err
	}
	var out []*certs.Certificate
	var why []string
	for i, cand := range d.Certificates {
		if reason := fitsAsIssuer(cert, cand); reason != "" {
			why = append(why, fmt.Sprintf("certificate %d (%s): %s", i+1, cand.Subject(), reason))
			continue
		}
		out = append(out, cand)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w of %q: %s", ErrNoIssuer, cert.Subject(), strings.Join(why, "; "))
	}
	return out, nil
}

// fitsAsIssuer returns "" when cand can be cert's issuer, otherwise why
// not. The match mirrors the chain engine's (spec §1.8): an AKI with
// issuer and serial names the exact certificate; otherwise an AKI key
// identifier must equal cand's key identifier; otherwise, with no AKI,
// cand's subject must equal cert's issuer name. Then cert's signature must
// verify with cand's key.
func fitsAsIssuer(cert, cand *certs.Certificate) string {
	if cand.SHA256 == cert.SHA256 {
		return "it is the certificate itself"
	}
	if reason := matchIssuer(cert, cand); reason != "" {
		return reason
	}
	if err := cert.CheckSignatureFrom(cand, nil); err != nil {
		if errors.Is(err, certs.ErrDSAParametersMissing) {
			// The key inherits DSA parameters from further up: the engine
			// verifies with them once the chain is built.
			return ""
		}
		return "the signature does not verify with its key: " + err.Error()
	}
	return ""
}

func matchIssuer(cert, cand *certs.Certificate) string {
	aki := cert.AKI
	if aki != nil && aki.Serial != nil && len(aki.Issuer) > 0 {
		for _, gn := range aki.Issuer {
			if gn.Type == certs.NameDirectory && certs.NamesEqual(gn.Raw, cand.X.RawSubject) &&
				cand.X.SerialNumber != nil && cand.X.SerialNumber.Cmp(aki.Serial) == 0 {
				return ""
			}
		}
		if len(aki.KeyID) == 0 {
			return "the AKI names another issuer and serial"
		}
	}
	if aki != nil && len(aki.KeyID) > 0 {
		if bytes.Equal(aki.KeyID, cand.KeyID) {
			return ""
		}
		return "its key identifier differs from the AKI"
	}
	if certs.NamesEqual(cand.X.RawSubject, cert.X.RawIssuer) {
		return ""
	}
	return "its subject is not the issuer name"
}
