// Package certutil speaks certutil.exe: it prints winchain's results the way
// `certutil -verify -urlfetch` and `certutil -urlcache` print Windows' own,
// reads real `certutil -verify` output captured on Windows back into a
// structured [Capture], and lists where the two disagree.
//
// # Which function to use
//
//   - [RenderVerify] prints a chain context and policy status in the layout
//     of `certutil -verify -urlfetch` (spec §7.1).
//   - [RenderURLCache] prints a CryptnetUrlCache listing like
//     `certutil -urlcache` (spec §4.7, §7.2).
//   - [ParseVerify] reads captured certutil output (UTF-8 or UTF-16 with a
//     BOM, LF or CRLF, any Windows version in the spec samples). Lines it
//     does not know are kept in [Capture.Unparsed], never an error.
//   - [Diff] compares a [Capture] with winchain's result for the same
//     inputs: per-element trust bits, per-URL outcomes, the verdict.
//
// # Where the words are winchain's, not Windows'
//
// The layout follows the verbatim samples of spec §7. Where no sample shows
// what Windows prints, winchain stays close to them and says so here (and in
// docs/windows-divergences.md):
//
//   - URLs are retrieved the way the chain engine retrieves them: it stops
//     at the first usable answer and fetches AIA only for a missing issuer.
//     certutil -urlfetch instead fetches every URL of every certificate.
//     A URL the engine did not retrieve is printed with the status word
//     "Skipped" (not a certutil word), and [Diff] does not compare it.
//   - `Error retrieving URL:` texts: only 0x80072ee7 is in a sample. winchain
//     maps its failure reasons to WinHTTP codes in the same shape (offline →
//     0x80072efd, timeout → 0x80072ee2, reset → 0x80072eff, HTTP status →
//     HRESULT_FROM_HTTP) with the English system message.
//   - Failure verdicts other than the revocation ones of Sample D print
//     "CertUtil: -verify command FAILED: 0x… (… NAME)" and the system
//     message; the exact certutil lines for those are not in a sample.
//   - "Exclude leaf cert" / "Full chain" hashes are SHA-1 over the
//     concatenated DER of the certificates, leaf first (matches S44a for a
//     one-certificate chain; UNCONFIRMED for longer ones, spec §10 item 11).
//   - CRL distribution points are flattened as crypto/x509 gives them, so
//     each URL is "[i.0]" (Windows numbers "[point.url]"). Delta CRLs are
//     listed in the Base CRL CDP section only, with the OK word.
//   - Retrieval "Time: N" is the simulated time the retrieval blocked, in
//     whole seconds (0 for cache hits).
//   - The leading certificate dump has Issuer, Subject and Cert Serial
//     Number, without the Name Hash lines; the Verified Issuance Policies
//     line is not printed (policies are not emulated); dates use the en-US
//     short format in [RenderOptions.Location].
//   - The `certutil -urlcache` banner is printed only when the caller says
//     which (its meaning is UNCONFIRMED).
//
// The package never reads the clock: times come from the chain context.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package certutil
