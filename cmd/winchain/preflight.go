package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/preflight"
)

// `winchain preflight (--old FILE | --connect HOST:PORT) --new FILE [client
// flags] [--json] [--scenario OUT.yaml]` says what Windows clients will do
// with the new chain and what to do first (package preflight). Exit status
// 1 when a finding is blocking, 0 otherwise, 2 for bad usage or input.

const preflightUsage = "winchain preflight (--old FILE | --connect HOST:PORT) --new FILE [--root FILE] [--ca FILE] [--server-name NAME] [--principal-name msstd:NAME] [--net FILE] [--cache-dir DIR] [--json] [--scenario OUT.yaml [--clients N]]"

func init() {
	commands["preflight"] = command{
		summary: "say before a certificate swap what Windows clients will do with the new chain",
		usage:   preflightUsage,
		run:     runPreflight,
	}
}

// preflightOptions are the flags of preflight (and of lab, which takes the
// same inputs).
type preflightOptions struct {
	verifyOptions
	old, new, connect string
	connectTimeout    time.Duration
	principals        multiFlag
	skew, revertAfter time.Duration
	scenarioOut       string
	clients           int
}

func newPreflightFlags(o *preflightOptions, name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.old, "old", "", "the chain the server presents now (PEM bundle, DER or .p7b; end certificate first)")
	fs.StringVar(&o.new, "new", "", "the chain it will present after the swap")
	fs.StringVar(&o.connect, "connect", "", "HOST:PORT: take the current chain from a TLS handshake with the server (SNI = HOST) instead of --old")
	addConnectTimeoutFlag(fs, o)
	fs.StringVar(&o.at, "at", "", "the planned swap time, RFC 3339; default now")
	addClientFlags(fs, &o.verifyOptions)
	fs.StringVar(&o.cacheDir, "cache-dir", "", "a CryptnetUrlCache folder taken from a client (read only)")
	fs.StringVar(&o.serverName, "server-name", "", "the host name clients connect to; default the --connect host")
	fs.Var(&o.principals, "principal-name", "msstd:NAME an Outlook profile requires (\"Only connect to proxy servers that have this principal name in their certificate\"); repeatable")
	fs.DurationVar(&o.skew, "skew", preflight.DefaultClockSkew, "how far behind a client's clock may be")
	fs.DurationVar(&o.revertAfter, "revert-after", preflight.DefaultRevertAfter, "when the revert is judged, after the swap")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	fs.StringVar(&o.scenarioOut, "scenario", "", "also write a `winchain simulate` scenario of the swap and the revert to this file")
	fs.IntVar(&o.clients, "clients", preflight.DefaultScenarioClients, "clients per group in the --scenario file")
	return fs
}

func runPreflight(args []string, stdout, stderr io.Writer) int {
	var o preflightOptions
	fs := newPreflightFlags(&o, "preflight", stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "winchain preflight: "+errLine(err))
		return 2
	}
	if len(pos) != 0 {
		return fail(usagef("unexpected argument %q (usage: %s)", pos[0], preflightUsage))
	}
	if o.new == "" || (o.old == "") == (o.connect == "") {
		return fail(usagef("give --new and exactly one of --old and --connect (usage: %s)", preflightUsage))
	}
	if o.clients <= 0 {
		return fail(usagef("--clients %d: want a positive number", o.clients))
	}
	ctx := context.Background()
	old, newChain, err := preflightChains(ctx, &o)
	if err != nil {
		return fail(err)
	}
	ev, at, err := preflightEvaluator(&o)
	if err != nil {
		return fail(err)
	}
	rep, err := preflight.Analyze(ctx, old, newChain, preflight.Options{
		At: at, RevertAfter: o.revertAfter, ServerName: o.serverName, PrincipalNames: o.principals,
		ClockSkew: skewOption(o.skew), Evaluator: ev,
	})
	if err != nil {
		return fail(err)
	}
	if o.scenarioOut != "" {
		so := preflight.ScenarioOptions{Clients: o.clients, Revocation: o.revocation, Registry: o.registry}
		if ev.Config.Root != nil {
			so.Roots = ev.Config.Root.Certificates()
		}
		if ev.Config.CA != nil {
			so.CAs = ev.Config.CA.Certificates()
		}
		if err := preflight.WriteScenario(o.scenarioOut, rep, so); err != nil {
			return fail(err)
		}
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail(err)
		}
	} else {
		rep.WriteText(stdout)
		if o.scenarioOut != "" {
			fmt.Fprintf(stdout, "\nscenario written to %s: winchain simulate %s\n", o.scenarioOut, o.scenarioOut)
		}
	}
	if rep.Blocking {
		return 1
	}
	return 0
}

// skewOption maps --skew 0 ("clocks are exact") to the library's negative
// value; the library's zero means its default.
func skewOption(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// preflightChains reads --old (or fetches it with --connect) and --new.
func preflightChains(ctx context.Context, o *preflightOptions) (*preflight.Chain, *preflight.Chain, error) {
	var old *preflight.Chain
	var err error
	if o.connect != "" {
		old, err = preflight.Connect(ctx, o.connect, preflight.ConnectOptions{ServerName: o.serverName, Timeout: o.connectTimeout})
		if err != nil {
			return nil, nil, err
		}
		if o.serverName == "" {
			o.serverName = hostOf(o.connect)
		}
	} else if old, err = preflight.LoadChain(o.old); err != nil {
		return nil, nil, err
	}
	newChain, err := preflight.LoadChain(o.new)
	if err != nil {
		return nil, nil, err
	}
	return old, newChain, nil
}

func hostOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			h := addr[:i]
			if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
				h = h[1 : len(h)-1]
			}
			return h
		}
	}
	return addr
}

// preflightEvaluator builds the clients' configuration from the flags, the
// way verify does, on one manual clock at the swap time.
func preflightEvaluator(o *preflightOptions) (*preflight.ClientEvaluator, time.Time, error) {
	var at time.Time
	if o.at != "" {
		var err error
		if at, err = parseTime("at", o.at); err != nil {
			return nil, at, err
		}
	} else {
		at = clock.System().Now().UTC().Truncate(time.Second)
		o.at = at.Format(time.RFC3339)
	}
	var cfg client.Config
	cfg.Clock = clock.Fixed(at)
	if err := loadClientStores(&o.verifyOptions, &cfg); err != nil {
		return nil, at, err
	}
	if err := wireRetrieval(&o.verifyOptions, &cfg); err != nil {
		return nil, at, err
	}
	flags, err := revocationFlags(&o.verifyOptions)
	if err != nil {
		return nil, at, err
	}
	clk, _ := cfg.Clock.(*clock.Manual)
	return &preflight.ClientEvaluator{Config: cfg, Clock: clk, Flags: flags}, at, nil
}
