package cache

import (
	"errors"
	"fmt"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/clock"
)

// Windows registry defaults that govern retrieval (spec §3.7, §4.5, §8). The
// values are the wincrypt.h #defines (spec source S1); the registry value
// names are those under
// HKLM\SOFTWARE\Microsoft\Cryptography\OID\EncodingType 0\CertDllCreateCertificateChainEngine\Config
// and the Group Policy key ...\Policies\Microsoft\SystemCertificates\ChainEngine\Config.
// Package client reads them from a .reg export (client.Registry).
const (
	// DefaultURLRetrievalTimeout is ChainUrlRetrievalTimeoutMilliseconds
	// (CERT_CHAIN_URL_RETRIEVAL_TIMEOUT_DEFAULT, 15000 ms): each URL may block
	// the caller this long (spec §3.7).
	DefaultURLRetrievalTimeout = 15000 * time.Millisecond

	// DefaultAccumulativeTimeout is
	// ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds (20000 ms): the
	// total revocation budget under CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT
	// (spec §3.7). See [Budget].
	DefaultAccumulativeTimeout = 20000 * time.Millisecond

	// MaxCallerTimeout is the clamp Windows 10 applies to a caller-supplied
	// URL retrieval timeout: .NET's RevocationCheckingMaximum test asks for
	// 2 min and times out at 1 min, and a negative timeout behaves like the
	// clamp too (spec §11.2).
	MaxCallerTimeout = 60 * time.Second

	// DefaultMaxURLRetrievalBytes is MaxUrlRetrievalByteCount
	// (CERT_CHAIN_MAX_URL_RETRIEVAL_BYTE_COUNT_DEFAULT, 100 MiB): the largest
	// object of any kind (spec §3.7). Its one home is certs.MaxFileSize, the
	// bound of the files winchain reads, which cache is above.
	DefaultMaxURLRetrievalBytes int64 = certs.MaxFileSize

	// DefaultMaxAIARetrievalBytes is MaxAIAUrlRetrievalByteCount
	// (CERT_CHAIN_MAX_AIA_URL_RETRIEVAL_BYTE_COUNT_DEFAULT, 100000): the
	// largest AIA object (spec §6).
	DefaultMaxAIARetrievalBytes int64 = 100000

	// DefaultFlushExempt is CryptnetDefaultFlushExemptSeconds (2419200 s =
	// 28 days): a disk entry is deleted this long after it expired
	// (CRYPTNET_URL_CACHE_FLUSH_INFO, spec §4.5, §4.6).
	DefaultFlushExempt = 2419200 * time.Second

	// FlushDisabled is the CryptnetDefaultFlushExemptSeconds value
	// 0xFFFFFFFF (CRYPTNET_URL_CACHE_DISABLE_FLUSH): never flush.
	FlushDisabled time.Duration = -1

	// DefaultOCSPValidity is OcspValiditySeconds (43200 s = 12 h): the
	// assumed validity of an OCSP response without nextUpdate, counted from
	// its thisUpdate (spec §3.4, §8; the meaning is UNCONFIRMED, see
	// docs/windows-divergences.md). The cache uses it for the response's
	// expiry and package revocation for its decision, so both agree.
	DefaultOCSPValidity = 43200 * time.Second
)

// Config configures a [Retriever]. The zero value of every field means the
// Windows default named in its comment.
type Config struct {
	// Clock is the machine clock: freshness of cached objects, offline-URL
	// records and download times come from it. If it is a clock.Advancer,
	// simulated latency and timeouts are charged to it. Required.
	Clock clock.Clock

	// Fetcher goes to the wire. Nil means no network: every wire retrieval
	// fails as offline (a machine with the cable pulled).
	Fetcher Fetcher

	// DiskDir is the CryptnetUrlCache folder (DIR/Content, DIR/MetaData).
	// Empty means no disk cache (memory only).
	DiskDir string

	// Folder is an open CryptnetUrlCache folder, e.g. one held in memory
	// (urlcache.OpenFS(urlcache.NewMemFS(), ...)); it is used as opened
	// (its ReadOnly and MaxContent), and DiskDir and ReadOnly are then
	// ignored. Nil means DiskDir.
	Folder *urlcache.Folder

	// ReadOnly opens DiskDir without ever writing to it (a folder copied from
	// Windows for inspection).
	ReadOnly bool

	// DisableMemoryCache turns the per-process memory cache off (every hit
	// then comes from disk).
	DisableMemoryCache bool

	// URLRetrievalTimeout is ChainUrlRetrievalTimeoutMilliseconds; zero means
	// [DefaultURLRetrievalTimeout].
	URLRetrievalTimeout time.Duration

	// AccumulativeTimeout is
	// ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds; zero means
	// [DefaultAccumulativeTimeout]. Used by [Retriever.NewBudget].
	AccumulativeTimeout time.Duration

	// MaxURLRetrievalBytes is MaxUrlRetrievalByteCount; zero means
	// [DefaultMaxURLRetrievalBytes].
	MaxURLRetrievalBytes int64

	// MaxAIARetrievalBytes is MaxAIAUrlRetrievalByteCount; zero means
	// [DefaultMaxAIARetrievalBytes].
	MaxAIARetrievalBytes int64

	// FlushExempt is CryptnetDefaultFlushExemptSeconds; zero means
	// [DefaultFlushExempt], [FlushDisabled] never flushes.
	FlushExempt time.Duration

	// OCSPValidity is OcspValiditySeconds; zero means [DefaultOCSPValidity].
	OCSPValidity time.Duration

	// ResyncBefore is ChainCacheResyncFiletime: every cached object
	// downloaded before it is invalid (spec §1.9, §4.7). Zero means none.
	ResyncBefore time.Time

	// AllowFileScheme is AllowFileUrlScheme (CERT_RETR_BEHAVIOR_FILE_VALUE_NAME)
	// together with CRYPT_ENABLE_FILE_RETRIEVAL: file:// URLs are read
	// instead of refused as unsupported (spec §6).
	AllowFileScheme bool

	// AllowLDAPScheme lets ldap:// URLs reach the Fetcher. winchain has no
	// LDAP client, so this only makes sense with a simulated network.
	AllowLDAPScheme bool

	// Offline is the offline-URL (negative cache) model of
	// CRYPT_OFFLINE_CHECK_RETRIEVAL (spec §5). The zero value is the preset
	// "none": no negative caching.
	Offline OfflineModel

	// OfflineState holds service-scoped offline-URL records. Share one value
	// between Retrievers to model an app restart under the same CryptSvc;
	// replace it to model a reboot. Nil means a fresh state owned by this
	// Retriever (process scope).
	OfflineState *OfflineState
}

// withDefaults returns c with every zero field replaced by its Windows default.
func (c Config) withDefaults() (Config, error) {
	if c.Clock == nil {
		return c, errors.New("cache: Config.Clock is required")
	}
	c = c.limits()
	if err := c.Offline.validate(); err != nil {
		return c, err
	}
	return c, nil
}

// FolderOptions returns the urlcache.Options [NewRetriever] opens DiskDir
// with: ReadOnly, and Content files bounded by the MaxUrlRetrievalByteCount
// in force (zero MaxURLRetrievalBytes: [DefaultMaxURLRetrievalBytes], not
// urlcache.MaxContentSize). Open a Config.Folder with them to bound it the
// same way.
func (c Config) FolderOptions() urlcache.Options {
	return urlcache.Options{ReadOnly: c.ReadOnly, MaxContent: c.limits().MaxURLRetrievalBytes}
}

// limits returns c with every zero timeout, byte limit and lifetime
// replaced by its Windows default.
func (c Config) limits() Config {
	if c.URLRetrievalTimeout <= 0 {
		c.URLRetrievalTimeout = DefaultURLRetrievalTimeout
	}
	if c.AccumulativeTimeout <= 0 {
		c.AccumulativeTimeout = DefaultAccumulativeTimeout
	}
	if c.MaxURLRetrievalBytes <= 0 {
		c.MaxURLRetrievalBytes = DefaultMaxURLRetrievalBytes
	}
	if c.MaxAIARetrievalBytes <= 0 {
		c.MaxAIARetrievalBytes = DefaultMaxAIARetrievalBytes
	}
	if c.FlushExempt == 0 {
		c.FlushExempt = DefaultFlushExempt
	}
	if c.OCSPValidity <= 0 {
		c.OCSPValidity = DefaultOCSPValidity
	}
	return c
}

// String describes the limits a Config applies, for logs.
func (c Config) String() string {
	return fmt.Sprintf("timeout=%s accumulative=%s maxBytes=%d maxAIABytes=%d flushExempt=%s ocspValidity=%s offline=%s",
		c.URLRetrievalTimeout, c.AccumulativeTimeout, c.MaxURLRetrievalBytes, c.MaxAIARetrievalBytes,
		c.FlushExempt, c.OCSPValidity, c.Offline.label())
}
