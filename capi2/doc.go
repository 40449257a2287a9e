// Package capi2 reads exports of the Windows CAPI2 Operational event log
// (Microsoft-Windows-CAPI2/Operational, spec §7.3) — the one record a real
// Windows machine keeps of every chain build, revocation check, URL-cache
// lookup and network fetch — and turns them into operations an admin can
// read.
//
// # Reading a log
//
// [NewReader] takes any XML form of an export: a stream of <Event>
// elements without a root (wevtutil qe /f:xml), an <Events> root (wevtutil
// /e:Events, Event Viewer "Save All Events As… XML"), one event per line
// with or without an XML declaration (PowerShell ToXml()/Save), UTF-8 or
// UTF-16 with a BOM (PowerShell Out-File), a declared console code page
// (encoding="IBM437"). A binary .evtx file is refused with an [EVTXError]
// that gives the wevtutil conversion command. [Reader.Next] returns one
// typed [Event] at a time (events 10/11, 30, 40/41, 42, 50/51, 52/53, 90);
// what it does not model is kept in [Reader.Skipped] with a reason.
//
// [NewGrouper] assembles the events into an [Operation] per
// CorrelationAuxInfo TaskId, ordered by SeqNumber, with the
// CertVerifyCertificateChainPolicy event (30) that checked its chain —
// logged under a TaskId of its own and linked by chainRef. Operations are
// handed on as soon as they are complete ([IdleEvents]), so memory holds
// the operations in progress, not the log: a 200 MB export is read in the
// memory of its largest event and of the operations open at once.
//
// [Operation.WriteTimeline] prints the timeline; [Operation.Report] is the
// JSON of `winchain capi2 --json` (docs/cli.md); [Operation.Verdict] says
// in one line why the operation ended as it did.
//
// # Replaying a log
//
// [Operation.Replay] rebuilds the inputs of a chain-building operation and
// runs them through one simulated client (package client): real
// certificates, CRLs and OCSP responses from [LoadCertsDir] by SHA-1
// thumbprint, otherwise look-alikes generated from the event 90
// description (names, serials, validity, key identifiers present or absent
// as Windows saw them, key usage, EKU, basic constraints, SANs, fresh keys
// of the same algorithm); the stores as Windows had them; CRLs and OCSP
// responses in the URL cache with their lastSync time, or served — or
// failing — on a simulated network as event 53 says; the flags and times
// of the call. It compares the result with Windows' element by element
// and says, per operation, what it could not rebuild. Every way a
// look-alike differs from the real object is a row of
// docs/windows-divergences.md ("CAPI2 replay").
//
// # What the log does not say
//
// Result texts are localised; the package reads values (HRESULTs, status
// words, flags), never texts, and keeps the texts as logged. Event 90
// describes certificates, CRLs and OCSP responses but holds no DER bytes:
// a certificate is only named by its SHA-1 thumbprint. Events 12–24 and 81
// are skipped (their structure is UNCONFIRMED, spec §7.3).
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package capi2
