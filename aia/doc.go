// Package aia fetches missing issuer certificates through the Authority
// Information Access caIssuers URLs of a certificate, with the rules and
// limits of the Windows chain engine (spec §6, §1.8, §8).
//
// # Use
//
// Build one [Source] per simulated client from a [Config] whose Retriever is
// that client's cache.Retriever (its memory cache, its CryptnetUrlCache
// folder, its network), and give it to the chain engine as Config.AIA. The
// engine calls [Source.FetchIssuers] only when no chain built from local
// certificates reaches a self-signed one, once per round, with one
// [Request] per chain build; it keeps the issuers it gets in the client's
// CA store, as Windows keeps AIA-fetched issuers in the user's intermediate
// store (spec §11.2). The object decoder on its own, for tools that inspect
// cached AIA objects, is certs.DecodeObject.
//
// # What Windows does, and what winchain does
//
//   - Only http URLs are retrieved; https never (CryptRetrieveObjectByUrl:
//     "The default provider does not support the HTTPS protocol for AIA
//     retrievals", spec §6). ldap:// and file:// are refused unless enabled
//     in the Config. Refused URLs are recorded, not fetched.
//   - The limits MaxAIAUrlCountInCert (5), MaxAIAUrlRetrievalCountPerChain
//     (3), MaxAIAUrlRetrievalByteCount (100000) and
//     MaxAIAUrlRetrievalCertCount (10) apply, each a Config field.
//   - Every retrieval goes through the cache.Retriever: memory, disk, then
//     the wire. Only an object holding a certificate that fits as the
//     issuer is written to the caches (the CRYPT_AIA_RETRIEVAL validation).
//   - Every URL considered is one entry of Request.Retrievals, kind "aia".
//
// # Object formats
//
// A DER certificate and a PKCS#7 certs-only bundle (.p7c) are accepted
// (spec §6, [DOC S8]). PKCS#12, empty bodies, HTML and other junk are
// ignored with the reason recorded (.NET AiaTests on Windows, spec §11.2).
//
// PEM and bare base64 bodies are accepted too. Windows' behaviour is
// UNCONFIRMED (spec §6, §10 item 13); the choice follows Wine's cryptnet,
// the only public model of the retrieval path: CRYPT_CreateContext, which
// builds the CONTEXT_OID_CERTIFICATE object that Wine's chain engine asks
// for with CRYPT_AIA_RETRIEVAL, first tries CryptStringToBinaryA with
// CRYPT_STRING_BASE64_ANY (PEM header or bare base64) and only then the
// binary decoder (wine-mirror/wine dlls/cryptnet/cryptnet_main.c,
// decode_base64_blob). As there, only the first PEM block is read. The
// choice is listed in docs/windows-divergences.md.
//
// An object with more than MaxAIAUrlRetrievalCertCount certificates is
// refused as a whole, like an object over the byte limit, rather than cut
// to its first ten: the limits protect the client from hostile objects
// (Windows' handling is not documented; see docs/windows-divergences.md).
//
// Objects are decoded by certs.DecodeObject, which reads PKCS#7 with the
// one bundle reader, certs.ParsePKCS7: each certificate's DER goes to
// certs.Parse, so a bundle keeps the certificates Windows loads and
// crypto/x509 refuses (spec §11.3), counting stops at the limit, and a bad
// entry does not sink the others. BER with indefinite lengths is converted
// to DER first, within certs.MaxBERDepth and certs.MaxBERSize (issue 15).
//
// # What is not emulated
//
// LDAP retrieval itself (winchain has no LDAP client), the SIA
// cross-certificate download of Vista SP1+ (spec §1.8), and the CAPI2
// event log entries of AIA retrievals.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package aia
