// Package preflight says, before a certificate swap, what Windows clients
// will do with the new chain, and writes the kit to check it on a real
// Windows machine.
//
// # Preflight
//
// [Analyze] takes the chain a server presents now and the one it will
// present after the swap ([LoadChain] reads PEM, DER and PKCS#7 files,
// [Connect] fetches what a live server presents over TLS) and the clients'
// side in [Options]: their stores, registry settings, revocation mode,
// network and cache folder (a [client.Config]), the server name they
// connect to, and the msstd: principal names Outlook profiles are
// configured with. It evaluates the old chain, the new chain at the swap
// and the old chain again at the revert through the one simulated Windows
// client (package client), compares the certificates field by field, and
// returns a [Report]: every difference that matters to a Windows client,
// each [Finding] with the Windows result it leads to (CERT_E_CN_NO_MATCH,
// CRYPT_E_REVOCATION_OFFLINE, …) and who is affected, then the steps to
// take first, in order. [Report.Blocking] is true when a finding would
// break clients.
//
// [WriteScenario] turns the same inputs into a scenario file for
// `winchain simulate` (package scenario): the swap and the revert over a
// fleet, on the network the preflight saw.
//
// # Lab kit
//
// [WriteLab] writes a folder to copy to a Windows test machine: run.ps1
// (Windows PowerShell 5.1) and the files it needs. The script imports the
// stores, applies the case's ChainEngine\Config registry values (spec §8),
// clears the URL cache and resyncs the chain engine cache, enables and
// clears the CAPI2 log, runs certutil -verify -urlfetch, exports the CAPI2
// log and the CryptnetUrlCache folder and zips the results, in the layout
// [LabLayout] documents, which `winchain diff --certutil`,
// `winchain urlcache` and `winchain capi2 --replay` read back.
//
// # What is not emulated
//
// Outlook's own behaviour after a failed check (credential prompts, the
// RPC error it shows) is not modelled: a principal-name mismatch is reported
// as the CERT_E_CN_NO_MATCH of the name check. The lab script is generated
// and golden-tested here; it has not been run on Windows by the tests.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package preflight
