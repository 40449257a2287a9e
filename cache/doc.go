// Package cache retrieves AIA issuers, CRLs and OCSP responses the way Windows
// Cryptnet does (CryptRetrieveObjectByUrl): process memory cache, then the
// on-disk CryptnetUrlCache, then the wire through a [Fetcher], with the
// offline-URL (negative) cache, per-URL and accumulative timeouts and byte
// limits of Windows (spec §3.7, §4, §5, §8).
//
// # Using it
//
// Build one [Retriever] per simulated process (it owns the memory cache) with
// [NewRetriever], give it a [Config] holding the machine clock, a Fetcher
// ([HTTPFetcher] for the real network, netsim.Network for a simulated one)
// and optionally a DiskDir in the CryptnetUrlCache layout, then call
// [Retriever.Retrieve] for every URL. Every call returns a [Result], the
// retrieval-log entry a chain report shows, saying where the object came from
// ([FromMemory], [FromDisk], [FromNetwork], [FromOfflineSkip]) and how long the
// caller was blocked on the clock. Failures are also returned as a
// [*RetrievalError] whose [Reason] callers can branch on.
//
// [Options] mirror the dwRetrievalFlags of CryptRetrieveObjectByUrl:
// CRYPT_CACHE_ONLY_RETRIEVAL, CRYPT_WIRE_ONLY_RETRIEVAL,
// CRYPT_STICKY_CACHE_RETRIEVAL, CRYPT_OFFLINE_CHECK_RETRIEVAL,
// CRYPT_DONT_CACHE_RESULT, CRYPT_AIA_RETRIEVAL (content validation before
// caching) and CRYPT_HTTP_POST_RETRIEVAL.
//
// # Disk layout
//
// The on-disk CryptnetUrlCache folder (DIR/Content/NAME, DIR/MetaData/NAME,
// spec §4.2–§4.4) is package [urlcache]: Config.DiskDir opens a directory,
// Config.Folder takes any folder, e.g. one held in memory. Writes are
// crash-safe, several processes may share a folder, and a corrupt entry is
// reported in Result.Problems and treated as a miss — it is never deleted by
// a read and never panics. A write the folder refuses (a symbolic link, a
// full disk) is reported there too, and the object is still used: each
// problem is a *ProblemError that says what winchain did, and the chain
// report lists them as retrievals[].problems.
//
// # Time
//
// Nothing here reads the wall clock. Freshness, offline-URL records and
// budgets use Config.Clock; a simulated timeout or latency is charged to it
// when it is a clock.Advancer, so a simulation shows how long a client hung.
//
// # What is not emulated
//
// Pre-fetch (spec §4.6), the CryptSvc proxy detection, LDAP retrieval, the
// CRYPT_RANDOM_QUERY_STRING_RETRIEVAL key rewrite and the computation of the
// OCSP file-name prefix (its input is unknown, spec §4.3) are not emulated.
// Max-age is kept in memory only: the MetaData field that holds it on Windows
// is not identified (spec §4.4), so winchain writes zeros there.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package cache
