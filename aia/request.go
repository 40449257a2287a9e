package aia

import (
	"time"

	"github.com/winchain/winchain/cache"
)

// Request carries the per-chain-build state the chain engine hands to an
// issuer fetcher: the flags of the build, the clock reading, the retrieval
// count against MaxAIAUrlRetrievalCountPerChain, and the retrieval log.
type Request struct {
	// CacheOnly is CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL: AIA objects come
	// from the memory and disk caches only.
	CacheOnly bool
	// Time is pTime of the chain build (fetched certificates are not judged
	// here; it is passed for logging).
	Time time.Time
	// Fetches counts the AIA URL retrievals made so far in this chain
	// build; a source increments it for every URL it retrieves.
	Fetches int
	// Retrievals is the retrieval log: a source appends one entry per URL
	// it considered (retrieved, served from a cache, skipped or refused).
	Retrievals []*cache.Result

	// Timeout is dwUrlRetrievalTimeout of the build, for each AIA URL.
	// Zero means the Retriever's URLRetrievalTimeout (15 s).
	Timeout time.Duration
	// CacheResync is pftCacheResync (CERT_CHAIN_PARA): cached AIA objects
	// downloaded before it are not used. Zero means none.
	CacheResync time.Time
	// LimitsHit names each AIA limit that cut the retrieval short in this
	// build, e.g. "MaxAIAUrlRetrievalCountPerChain (3)", once each, for the
	// engine's BuildReport.LimitsHit.
	LimitsHit []string
}
