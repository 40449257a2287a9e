// Package scenario rehearses a certificate rotation over a fleet of
// simulated Windows clients: what each kind of client sees at each moment
// of a swap, a revert, an outage, a reboot or a cache flush, for how long,
// and what clears it.
//
// A [Spec] (a YAML file, documented in docs/scenario.md) describes the PKI,
// what the CA's URLs serve over time (CRLs re-signed on schedule, OCSP
// responders, AIA certificates, outages), the TLS endpoints and the chains
// they present, groups of clients with their Windows profile (revocation
// flags, registry values, negative-cache model, TLS session lifetime), the
// events, and asserts. [Run] plays it step by step on a simulated clock:
// every client connects on its own seeded schedule and is evaluated by the
// real chain engine, URL cache, revocation checker and AIA source, against
// a netsim network. Clients that are in exactly the same state share one
// evaluation (a "cohort"); an event that touches only some of them splits
// the cohort first, so results equal a per-client evaluation
// (Options.PerClient, checked by a test).
//
// The [Report] counts, per step and group, the outcomes (trusted or the
// policy HRESULT), hung connections and resumed TLS sessions, lists the
// failure episodes with their causes (the URL and the cached object or
// offline-URL record behind them) and when they ended, and checks the
// asserts. It prints as text, JSON (byte-identical for the same input and
// seed) and a self-contained HTML page with a timeline chart.
//
// What is simplified: clients connect on step boundaries; a resumed TLS
// session is reused while the server presents the same chain and the
// session is younger than the lifetime; latency is only modelled as part of
// a failure or status rule.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package scenario
