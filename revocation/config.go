package revocation

import (
	"errors"
	"time"

	"github.com/winchain/winchain/cache"
)

// Registry values that govern revocation (spec §3.2–§3.4, §8). The values
// are the wincrypt.h #defines (spec source S1); the names are the values
// under HKLM\SOFTWARE\Microsoft\Cryptography\OID\EncodingType 0\
// CertDllCreateCertificateChainEngine\Config.
const (
	// DefaultCachedOcspSwitchToCrlCount is CryptnetCachedOcspSwitchToCrlCount
	// (50, the "OCSP magic number"): once more OCSP responses than this have
	// been cached for one issuer, CRLs are tried before OCSP (spec §3.2).
	DefaultCachedOcspSwitchToCrlCount uint32 = 50
	// CRLBeforeOCSPEnable is CRYPTNET_CRL_BEFORE_OCSP_ENABLE (0xFFFFFFFF) as a
	// CryptnetCachedOcspSwitchToCrlCount value: CRLs always come first.
	CRLBeforeOCSPEnable uint32 = 0xFFFFFFFF

	// DefaultMaxCachedOcspPerCrlCount is CryptnetMaxCachedOcspPerCrlCount
	// (500). winchain's reading (spec §3.2, UNCONFIRMED; S21 saw OCSP stop
	// after 500 cached responses for one CA): once CRLs come first, OCSP is
	// still tried after a failed CRL while at most this many responses are
	// cached for the issuer; above it OCSP is not used at all.
	DefaultMaxCachedOcspPerCrlCount uint32 = 500
	// OCSPAfterCRLDisable is CRYPTNET_OCSP_AFTER_CRL_DISABLE (0xFFFFFFFF) as a
	// CryptnetMaxCachedOcspPerCrlCount value: when CRLs come first, OCSP is
	// never tried after them.
	OCSPAfterCRLDisable uint32 = 0xFFFFFFFF

	// DefaultCRLValidityExtensionPeriod is CRLValidityExtensionPeriod (12 h):
	// how long a CRL may be used past its nextUpdate when no fresh one can
	// be had, setting CERT_TRUST_HAS_CRL_VALIDITY_EXTENDED (spec §3.3).
	DefaultCRLValidityExtensionPeriod = 12 * time.Hour

	// MaxClockSkew is how far in the future a CRL's or OCSP response's
	// thisUpdate may lie before it is refused as not yet valid. Windows'
	// tolerance is undocumented; 5 minutes is winchain's choice (the usual
	// Kerberos/OCSP client allowance).
	MaxClockSkew = 5 * time.Minute

	// DefaultMaxCachedCRLs bounds the parsed, indexed CRLs the checker keeps
	// (an LRU keyed by the CRL's SHA-256). Windows' engine cache bound is
	// undocumented; 64 covers every issuer of a typical client several times.
	DefaultMaxCachedCRLs = 64
)

// Config configures a [Checker]: one simulated client's revocation provider.
// The zero value of every field but Retriever means the Windows default.
type Config struct {
	// Retriever is the client's URL retrieval layer (Cryptnet). All network
	// and cache access of the checker goes through it. Required.
	Retriever *cache.Retriever

	// CachedOcspSwitchToCrlCount is CryptnetCachedOcspSwitchToCrlCount; 0
	// means [DefaultCachedOcspSwitchToCrlCount], [CRLBeforeOCSPEnable] puts
	// CRLs always first. The count is kept per Checker (a process), per
	// issuer: a reboot resets it, as S19 reports.
	CachedOcspSwitchToCrlCount uint32
	// MaxCachedOcspPerCrlCount is CryptnetMaxCachedOcspPerCrlCount; 0 means
	// [DefaultMaxCachedOcspPerCrlCount], [OCSPAfterCRLDisable] disables OCSP
	// after a CRL.
	MaxCachedOcspPerCrlCount uint32

	// CRLValidityExtensionPeriod is CRLValidityExtensionPeriod; 0 means
	// [DefaultCRLValidityExtensionPeriod].
	CRLValidityExtensionPeriod time.Duration
	// DisableCRLValidityExtension turns the extension period off. Whether
	// Windows applies it without the Group Policy setting is UNCONFIRMED
	// (spec §3.3, §10 item 6); winchain applies it by default, and only
	// when no fresh CRL can be had (see docs/windows-divergences.md).
	DisableCRLValidityExtension bool

	// OCSPValidity is OcspValiditySeconds: the lifetime of an OCSP response
	// without nextUpdate, counted from its thisUpdate; 0 means
	// [cache.DefaultOCSPValidity], the same value and meaning the cache
	// uses for the response's expiry.
	OCSPValidity time.Duration

	// OCSPPostFallback retries a failed OCSP GET as a POST
	// (CRYPT_HTTP_POST_RETRIEVAL), as Wine does. Off by default: whether the
	// Windows chain engine ever POSTs is UNCONFIRMED (spec §3.4).
	OCSPPostFallback bool

	// MaxCachedCRLs bounds the parsed CRL cache; 0 means
	// [DefaultMaxCachedCRLs].
	MaxCachedCRLs int

	// ParseCache, when set, holds the parsed CRLs and their signature
	// results and is shared with the other checkers given it (a fleet
	// simulation's clients: parsing and verifying a CRL gives the same
	// answer whoever does it). Nil means the checker's own, of
	// MaxCachedCRLs entries.
	ParseCache *ParseCache
}

// Errors for unusable input. Validation outcomes are never errors: they are
// Results.
var (
	// ErrNoRetriever: NewChecker was given a Config without a Retriever.
	ErrNoRetriever = errors.New("revocation: Config.Retriever is required")
	// ErrNilCertificate: Check was given a nil certificate or issuer; the
	// Result then has Status Unknown and Err set.
	ErrNilCertificate = errors.New("revocation: nil certificate or issuer")
)

func (c Config) withDefaults() (Config, error) {
	if c.Retriever == nil {
		return c, ErrNoRetriever
	}
	if c.CachedOcspSwitchToCrlCount == 0 {
		c.CachedOcspSwitchToCrlCount = DefaultCachedOcspSwitchToCrlCount
	}
	if c.MaxCachedOcspPerCrlCount == 0 {
		c.MaxCachedOcspPerCrlCount = DefaultMaxCachedOcspPerCrlCount
	}
	if c.CRLValidityExtensionPeriod <= 0 {
		c.CRLValidityExtensionPeriod = DefaultCRLValidityExtensionPeriod
	}
	if c.OCSPValidity <= 0 {
		c.OCSPValidity = cache.DefaultOCSPValidity
	}
	if c.MaxCachedCRLs <= 0 {
		c.MaxCachedCRLs = DefaultMaxCachedCRLs
	}
	return c, nil
}
