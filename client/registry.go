package client

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/internal/boundedio"
)

// The two registry keys whose values configure the chain engine (spec §8).
// Group Policy values override local ones.
const (
	// RegLocalConfigKey is CERT_CHAIN_CONFIG_REGPATH under HKLM.
	RegLocalConfigKey = `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Cryptography\OID\EncodingType 0\CertDllCreateCertificateChainEngine\Config`
	// RegPolicyConfigKey is CERT_GROUP_POLICY_CHAIN_CONFIG_REGPATH under HKLM.
	RegPolicyConfigKey = `HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\SystemCertificates\ChainEngine\Config`
)

// MaxRegExportSize bounds the .reg file [Registry.LoadRegExport] reads
// (16 MiB: an export of the whole SystemCertificates tree is a few MiB;
// winchain's choice).
const MaxRegExportSize = 16 << 20

// Registry holds the values of the chain engine Config keys (spec §8) that
// winchain models, one field per value. The zero value of every field is
// the Windows default; the default itself is defined once, beside the layer
// that applies it (named in each comment). A registry DWORD of 0 means the
// default too, as an absent value does (see docs/windows-divergences.md).
// [Registry.ApplyRegExport] fills it from a `reg export` file; [New] hands
// each value to the layer that uses it.
type Registry struct {
	// URLRetrievalTimeout is ChainUrlRetrievalTimeoutMilliseconds
	// (cache.DefaultURLRetrievalTimeout, 15 s): how long each URL may
	// block (spec §3.7). Applied by the cache.
	URLRetrievalTimeout time.Duration
	// AccumulativeTimeout is
	// ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds
	// (cache.DefaultAccumulativeTimeout, 20 s): the revocation budget of one
	// chain build under CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT. Applied
	// by the chain engine.
	AccumulativeTimeout time.Duration
	// MaxURLRetrievalBytes is MaxUrlRetrievalByteCount
	// (cache.DefaultMaxURLRetrievalBytes, 100 MiB). Applied by the cache.
	MaxURLRetrievalBytes int64
	// MaxAIARetrievalBytes is MaxAIAUrlRetrievalByteCount
	// (cache.DefaultMaxAIARetrievalBytes, 100000). Applied by the cache to
	// AIA retrievals.
	MaxAIARetrievalBytes int64
	// MaxAIAURLCountInCert is MaxAIAUrlCountInCert
	// (aia.DefaultMaxURLCountInCert, 5). Applied by the AIA source.
	MaxAIAURLCountInCert int
	// MaxAIARetrievalCountPerChain is MaxAIAUrlRetrievalCountPerChain
	// (aia.DefaultMaxRetrievalCountPerChain, 3). Applied by the AIA source.
	MaxAIARetrievalCountPerChain int
	// MaxAIARetrievalCertCount is MaxAIAUrlRetrievalCertCount
	// (aia.DefaultMaxRetrievalCertCount, 10). Applied by the AIA source.
	MaxAIARetrievalCertCount int
	// DisableAIAURLRetrieval is DisableAIAUrlRetrieval: no AIA fetches.
	DisableAIAURLRetrieval bool
	// Options is the Options bitmask; bit 0x2
	// (CERT_CHAIN_OPTION_DISABLE_AIA_URL_RETRIEVAL) disables AIA. Other
	// bits are not modelled.
	Options uint32
	// CRLValidityExtensionPeriod is CRLValidityExtensionPeriod
	// (revocation.DefaultCRLValidityExtensionPeriod, 12 h; the registry
	// unit is hours). Applied by the revocation checker.
	CRLValidityExtensionPeriod time.Duration
	// OCSPValidity is OcspValiditySeconds (cache.DefaultOCSPValidity,
	// 12 h): the lifetime of an OCSP response without nextUpdate, counted
	// from its thisUpdate, for both the cache and the revocation checker.
	OCSPValidity time.Duration
	// CachedOcspSwitchToCrlCount is CryptnetCachedOcspSwitchToCrlCount
	// (revocation.DefaultCachedOcspSwitchToCrlCount, 50;
	// revocation.CRLBeforeOCSPEnable = CRLs first).
	CachedOcspSwitchToCrlCount uint32
	// MaxCachedOcspPerCrlCount is CryptnetMaxCachedOcspPerCrlCount
	// (revocation.DefaultMaxCachedOcspPerCrlCount, 500;
	// revocation.OCSPAfterCRLDisable = no OCSP after a CRL).
	MaxCachedOcspPerCrlCount uint32
	// FlushExempt is CryptnetDefaultFlushExemptSeconds
	// (cache.DefaultFlushExempt, 28 days; cache.FlushDisabled for
	// 0xFFFFFFFF). Applied by the cache.
	FlushExempt time.Duration
	// ResyncBefore is ChainCacheResyncFiletime: cached objects downloaded
	// before it are invalid (spec §1.9, §4.7). Zero means none.
	// [Client.Resync] sets it on a running client.
	ResyncBefore time.Time
	// AllowFileURLScheme is AllowFileUrlScheme
	// (CERT_RETR_BEHAVIOR_FILE_VALUE_NAME): file:// URLs are read instead
	// of refused. Applied by the cache.
	AllowFileURLScheme bool
	// MinRSAPubKeyBitLength is MinRsaPubKeyBitLength
	// (certs.DefaultMinRSAPubKeyBitLength, 1023; 0xFFFFFFFF disables the
	// check). Applied by the chain engine.
	MinRSAPubKeyBitLength uint32
	// DisableMandatoryBasicConstraints, DisableCANameConstraints and
	// DisableUnsupportedCriticalExtensions are the values of those names.
	// Applied by the chain engine.
	DisableMandatoryBasicConstraints     bool
	DisableCANameConstraints             bool
	DisableUnsupportedCriticalExtensions bool
}

// ApplyRegExport parses a .reg export (see [ParseRegExport]) and applies
// the modelled values of the chain engine Config keys to r: local values
// first, then Group Policy ones, which win (spec §8). Values under other
// keys and values winchain does not model are ignored; a modelled value
// with the wrong type is an error naming file, line and value. A file
// without either Config key is an error.
func (r *Registry) ApplyRegExport(file string, data []byte) error {
	vals, err := ParseRegExport(file, data)
	if err != nil {
		return err
	}
	found := false
	for _, pass := range []bool{false, true} {
		for _, v := range vals {
			ok, policy := isChainConfigKey(v.Key)
			if !ok || policy != pass {
				continue
			}
			found = true
			if err := r.applyRegValue(v); err != nil {
				return fmt.Errorf("%s:%d: %w", file, v.Line, err)
			}
		}
	}
	if !found {
		return fmt.Errorf("%s: no ChainEngine\\Config key (want %s or %s)", file, RegLocalConfigKey, RegPolicyConfigKey)
	}
	return nil
}

// LoadRegExport reads the .reg file at path (at most [MaxRegExportSize]
// bytes) and applies it to r.
func (r *Registry) LoadRegExport(path string) error {
	data, err := boundedio.ReadFile(path, MaxRegExportSize)
	if err != nil {
		return err
	}
	return r.ApplyRegExport(boundedio.Name(path), data)
}

// regDWORDs maps the lower-case name of each modelled REG_DWORD value to
// what it sets.
var regDWORDs = map[string]func(r *Registry, d uint32){
	"chainurlretrievaltimeoutmilliseconds": func(r *Registry, d uint32) { r.URLRetrievalTimeout = time.Duration(d) * time.Millisecond },
	"chainrevaccumulativeurlretrievaltimeoutmilliseconds": func(r *Registry, d uint32) {
		r.AccumulativeTimeout = time.Duration(d) * time.Millisecond
	},
	"maxurlretrievalbytecount":           func(r *Registry, d uint32) { r.MaxURLRetrievalBytes = int64(d) },
	"maxaiaurlretrievalbytecount":        func(r *Registry, d uint32) { r.MaxAIARetrievalBytes = int64(d) },
	"maxaiaurlcountincert":               func(r *Registry, d uint32) { r.MaxAIAURLCountInCert = int(d) },
	"maxaiaurlretrievalcountperchain":    func(r *Registry, d uint32) { r.MaxAIARetrievalCountPerChain = int(d) },
	"maxaiaurlretrievalcertcount":        func(r *Registry, d uint32) { r.MaxAIARetrievalCertCount = int(d) },
	"disableaiaurlretrieval":             func(r *Registry, d uint32) { r.DisableAIAURLRetrieval = d != 0 },
	"options":                            func(r *Registry, d uint32) { r.Options = d },
	"crlvalidityextensionperiod":         func(r *Registry, d uint32) { r.CRLValidityExtensionPeriod = time.Duration(d) * time.Hour },
	"ocspvalidityseconds":                func(r *Registry, d uint32) { r.OCSPValidity = time.Duration(d) * time.Second },
	"cryptnetcachedocspswitchtocrlcount": func(r *Registry, d uint32) { r.CachedOcspSwitchToCrlCount = d },
	"cryptnetmaxcachedocsppercrlcount":   func(r *Registry, d uint32) { r.MaxCachedOcspPerCrlCount = d },
	"cryptnetdefaultflushexemptseconds": func(r *Registry, d uint32) {
		if d == 0xFFFFFFFF { // CRYPTNET_URL_CACHE_DISABLE_FLUSH
			r.FlushExempt = cache.FlushDisabled
		} else {
			r.FlushExempt = time.Duration(d) * time.Second
		}
	},
	"allowfileurlscheme":                   func(r *Registry, d uint32) { r.AllowFileURLScheme = d != 0 },
	"minrsapubkeybitlength":                func(r *Registry, d uint32) { r.MinRSAPubKeyBitLength = d },
	"disablemandatorybasicconstraints":     func(r *Registry, d uint32) { r.DisableMandatoryBasicConstraints = d != 0 },
	"disablecanameconstraints":             func(r *Registry, d uint32) { r.DisableCANameConstraints = d != 0 },
	"disableunsupportedcriticalextensions": func(r *Registry, d uint32) { r.DisableUnsupportedCriticalExtensions = d != 0 },
}

func (r *Registry) applyRegValue(v RegValue) error {
	name := strings.ToLower(v.Name)
	if set, ok := regDWORDs[name]; ok {
		if v.Type == "delete" {
			set(r, 0) // back to the default
			return nil
		}
		if v.Type != "dword" {
			return fmt.Errorf("%s: want REG_DWORD (dword:), got %s", v.Name, v.Type)
		}
		set(r, v.DWORD)
		return nil
	}
	if name == "chaincacheresyncfiletime" {
		// REG_BINARY (or REG_QWORD) holding a FILETIME; certutil -setreg
		// chain\ChainCacheResyncFiletime @now writes it.
		if v.Type == "delete" {
			r.ResyncBefore = time.Time{}
			return nil
		}
		if len(v.Binary) != 8 {
			return fmt.Errorf("%s: want an 8-byte FILETIME (hex:), got %s of %d bytes", v.Name, v.Type, len(v.Binary))
		}
		r.ResyncBefore = urlcache.FiletimeToTime(binary.LittleEndian.Uint64(v.Binary))
	}
	return nil
}
