package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

func init() {
	commands["verify"] = command{
		summary: "build and check a chain like CertGetCertificateChain + CertVerifyCertificateChainPolicy",
		usage:   "winchain verify [flags] CERT",
		run:     runVerify,
	}
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// usageError is bad usage or input: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// verifyOptions are the parsed `winchain verify` flags (docs/cli.md).
type verifyOptions struct {
	at, now                               string
	roots, cas, extras, disallowed, crls  multiFlag
	exclusiveRoots                        multiFlag
	exclusiveCA                           bool
	revocation                            string
	cacheOnly, noAIA, cacheOnlyURLs       bool
	cacheDir, netFile                     string
	policy, policyFlags, serverName, auth string
	sslChecks                             string
	usages                                multiFlag
	usageMatch                            string
	lowerQuality                          bool
	jsonOut                               bool
	format                                string
	negativeCache, registry               string
	accumulativeTimeout, deadline         string
	cert                                  string
}

func newVerifyFlags(o *verifyOptions, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.at, "at", "", "validation time (pTime), RFC 3339; default now")
	fs.StringVar(&o.now, "now", "", "machine clock for cache and revocation freshness, RFC 3339; default --at")
	addClientFlags(fs, o)
	fs.Var(&o.extras, "extra", "additional store (hAdditionalStore); repeatable")
	fs.Var(&o.exclusiveRoots, "exclusive-root", "exclusive trust anchors (hExclusiveRoot); the Root store is then ignored; repeatable")
	fs.BoolVar(&o.exclusiveCA, "exclusive-ca", false, "CERT_CHAIN_EXCLUSIVE_ENABLE_CA_FLAG: a CA in --exclusive-root is an anchor")
	fs.BoolVar(&o.cacheOnlyURLs, "cache-only-urls", false, "AIA from the caches only (CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL)")
	fs.StringVar(&o.cacheDir, "cache-dir", "", "on-disk URL cache in the CryptnetUrlCache layout")
	fs.StringVar(&o.policy, "policy", "base", "base, ssl, basic-constraints")
	fs.StringVar(&o.policyFlags, "policy-flags", "0", "CERT_CHAIN_POLICY_* ignore flags, hex (e.g. 0x10)")
	fs.StringVar(&o.serverName, "server-name", "", "host name to match under --policy ssl")
	fs.StringVar(&o.auth, "auth", "server", "server or client (--policy ssl)")
	fs.StringVar(&o.sslChecks, "ssl-checks", "0", "SECURITY_FLAG_IGNORE_* checks to skip, hex (e.g. 0x100)")
	fs.Var(&o.usages, "usage", "requested EKU OID; repeatable")
	fs.StringVar(&o.usageMatch, "usage-match", "and", "and, or")
	fs.BoolVar(&o.lowerQuality, "lower-quality", false, "also return lower-quality chains (CERT_CHAIN_RETURN_LOWER_QUALITY_CONTEXTS)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the result as JSON")
	fs.StringVar(&o.format, "format", "text", "text, or certutil for the layout of certutil -verify -urlfetch")
	fs.StringVar(&o.deadline, "deadline", "", "give up waiting after this much real time (e.g. 30s); retrievals still running then count as timed out")
	return fs
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	var o verifyOptions
	fs := newVerifyFlags(&o, stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package already printed the problem
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "winchain verify: want exactly one certificate file (usage: winchain verify [flags] CERT)")
		return 2
	}
	o.cert = pos[0]
	if err := checkFormat(o.format); err != nil {
		fmt.Fprintln(stderr, "winchain verify: "+err.Error())
		return 2
	}
	res, err := verify(context.Background(), &o)
	if err != nil {
		fmt.Fprintln(stderr, "winchain verify: "+errLine(err))
		return 2
	}
	if o.format == "certutil" {
		if err := writeCertutilFormat(stdout, res); err != nil {
			fmt.Fprintln(stderr, "winchain verify: "+err.Error())
			return 2
		}
		writeCacheProblems(stderr, "verify", res)
	} else if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res.JSON()); err != nil {
			fmt.Fprintln(stderr, "winchain verify: "+errLine(err))
			return 2
		}
	} else {
		res.WriteText(stdout)
	}
	if !res.Policy.OK() {
		return 1
	}
	return 0
}

// verifyResult is what one verify run produced.
type verifyResult struct {
	Context *chain.ChainContext
	Policy  chain.PolicyStatus
	// Flags are the CertGetCertificateChain dwFlags the chain was built
	// with (the ChainFlags lines of --format certutil).
	Flags chain.Flags
}

func parseTime(flagName, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usagef("--%s %q: not an RFC 3339 time (example: 2026-11-24T09:00:00Z)", flagName, v)
	}
	return t, nil
}

func parseHex(flagName, v string) (uint32, error) {
	s := strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X")
	n, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, usagef("--%s %q: not a hex number (example: 0x10)", flagName, v)
	}
	return uint32(n), nil
}

func loadStore(name string, files []string) (*chain.Store, error) {
	if len(files) == 0 {
		return nil, nil
	}
	return chain.LoadStoreFiles(name, files...)
}

// buildVerify turns the options into the client's stores and clock, the
// chain params and the policy.
func buildVerify(o *verifyOptions) (client.Config, chain.Params, chain.Policy, chain.PolicyPara, *certs.Certificate, error) {
	var cfg client.Config
	var p chain.Params
	var para chain.PolicyPara
	fail := func(err error) (client.Config, chain.Params, chain.Policy, chain.PolicyPara, *certs.Certificate, error) {
		return cfg, p, 0, para, nil, err
	}
	var at, now time.Time
	var err error
	if o.at != "" {
		if at, err = parseTime("at", o.at); err != nil {
			return fail(err)
		}
	}
	if o.now != "" {
		if now, err = parseTime("now", o.now); err != nil {
			return fail(err)
		}
	}
	switch {
	case !now.IsZero():
		cfg.Clock = clock.Fixed(now)
	case !at.IsZero():
		cfg.Clock = clock.Fixed(at)
	default:
		cfg.Clock = clock.System()
	}
	p.Time = at

	var policy chain.Policy
	switch strings.ToLower(o.policy) {
	case "base":
		policy = chain.PolicyBase
	case "ssl":
		policy = chain.PolicySSL
	case "basic-constraints":
		policy = chain.PolicyBasicConstraints
	default:
		return fail(usagef("--policy %q: want base, ssl or basic-constraints", o.policy))
	}
	pf, err := parseHex("policy-flags", o.policyFlags)
	if err != nil {
		return fail(err)
	}
	para.Flags = chain.PolicyFlags(pf)
	sc, err := parseHex("ssl-checks", o.sslChecks)
	if err != nil {
		return fail(err)
	}
	para.SSLChecks = chain.SSLChecks(sc)
	para.ServerName = o.serverName
	switch strings.ToLower(o.auth) {
	case "server":
		para.AuthType = chain.AuthServer
	case "client":
		para.AuthType = chain.AuthClient
	default:
		return fail(usagef("--auth %q: want server or client", o.auth))
	}
	switch strings.ToLower(o.usageMatch) {
	case "and":
		p.UsageMatch = chain.UsageMatchAnd
	case "or":
		p.UsageMatch = chain.UsageMatchOr
	default:
		return fail(usagef("--usage-match %q: want and or or", o.usageMatch))
	}
	for _, u := range o.usages {
		if !isOID(u) {
			return fail(usagef("--usage %q: not a dotted OID (example: 1.3.6.1.5.5.7.3.1)", u))
		}
	}
	p.Usage = o.usages
	flags, err := revocationFlags(o)
	if err != nil {
		return fail(err)
	}
	p.Flags |= flags
	if o.lowerQuality {
		p.Flags |= chain.ReturnLowerQualityContexts
	}
	if err := loadClientStores(o, &cfg); err != nil {
		return fail(err)
	}
	extra, err := loadStore("Additional", o.extras)
	if err != nil {
		return fail(err)
	}
	leafs, err := certs.LoadFile(o.cert)
	if err != nil {
		return fail(err)
	}
	if len(leafs) > 1 {
		// In a PEM bundle the first certificate is verified and the rest go
		// to the additional store (docs/cli.md); a PKCS#7 bundle has no
		// order, and certs.LoadFile puts its end certificate first.
		if extra == nil {
			extra = chain.NewStore("Additional")
		}
		for _, c := range leafs[1:] {
			extra.Add(c)
		}
	}
	p.Additional = extra
	return cfg, p, policy, para, leafs[0], nil
}

// revocationFlags turns --revocation, --cache-only, --no-aia,
// --cache-only-urls and --accumulative-timeout into CertGetCertificateChain
// dwFlags.
func revocationFlags(o *verifyOptions) (chain.Flags, error) {
	f, err := chain.RevocationModeFlags(o.revocation)
	if err != nil {
		return 0, usagef("--revocation %q: %v", o.revocation, err)
	}
	if o.noAIA {
		f |= chain.DisableAIA
	}
	if o.cacheOnlyURLs {
		f |= chain.CacheOnlyURLRetrieval
	}
	if o.cacheOnly {
		f |= chain.RevocationCheckCacheOnly
	}
	if o.accumulativeTimeout != "" {
		if o.accumulativeTimeout != "default" {
			if _, err := parseDuration("accumulative-timeout", o.accumulativeTimeout, "or default"); err != nil {
				return 0, err
			}
		}
		f |= chain.RevocationAccumulativeTimeout
	}
	return f, nil
}

// loadClientStores fills the client's stores from --root, --ca,
// --disallowed, --exclusive-root (and --exclusive-ca) and puts the --crl
// CRLs in its CA store.
func loadClientStores(o *verifyOptions, cfg *client.Config) error {
	var err error
	if cfg.Root, err = loadStore("Root", o.roots); err != nil {
		return err
	}
	if cfg.CA, err = loadStore("CA", o.cas); err != nil {
		return err
	}
	if cfg.Disallowed, err = loadStore("Disallowed", o.disallowed); err != nil {
		return err
	}
	if cfg.ExclusiveRoot, err = loadStore("Exclusive root", o.exclusiveRoots); err != nil {
		return err
	}
	cfg.ExclusiveCATrust = o.exclusiveCA
	for _, f := range o.crls {
		crls, err := certs.LoadCRLFile(f)
		if err != nil {
			return err
		}
		if cfg.CA == nil {
			cfg.CA = chain.NewStore("CA")
		}
		for _, c := range crls {
			cfg.CA.AddCRL(c)
		}
	}
	return nil
}

func isOID(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// parseDuration reads a positive Go duration for --name; alt names the
// other accepted words for the message.
func parseDuration(name, v, alt string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		if alt != "" {
			alt = " " + alt
		}
		return 0, usagef("--%s %q: want a positive duration such as 20s or 500ms%s", name, v, alt)
	}
	return d, nil
}

func verify(ctx context.Context, o *verifyOptions) (*verifyResult, error) {
	cfg, p, policy, para, leaf, err := buildVerify(o)
	if err != nil {
		return nil, err
	}
	if err := wireRetrieval(o, &cfg); err != nil {
		return nil, err
	}
	var deadline time.Duration
	if o.deadline != "" {
		if deadline, err = parseDuration("deadline", o.deadline, ""); err != nil {
			return nil, err
		}
		// Real time, whatever --at says: it bounds how long the run
		// waits (on the network), for scripts.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, deadline)
		defer cancel()
	}
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	res, err := c.Verify(ctx, leaf, client.VerifyOptions{Params: p, Policy: policy, PolicyPara: para})
	if err != nil {
		if deadline > 0 && errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("--deadline %s reached before the chain build started", deadline)
		}
		return nil, err
	}
	if deadline > 0 && ctx.Err() != nil {
		// Say so where the limits are reported: what had not been
		// retrieved by then counts as timed out.
		res.Chain.Build.LimitsHit = append(res.Chain.Build.LimitsHit, fmt.Sprintf("--deadline (%s)", deadline))
	}
	return &verifyResult{Context: res.Chain, Policy: res.Policy, Flags: p.Flags}, nil
}

// wireRetrieval completes the client's configuration with its retrieval
// settings: the --registry values, the --negative-cache model, the
// --cache-dir folder and the --net network (or real HTTP), all on one clock.
func wireRetrieval(o *verifyOptions, cfg *client.Config) error {
	// A manual clock, so simulated latency and timeouts are charged to it.
	if o.at != "" || o.now != "" {
		cfg.Clock = clock.NewManual(cfg.Clock.Now())
	}
	model, err := cache.OfflinePreset(o.negativeCache)
	if err != nil {
		return usagef("--negative-cache %q: %v", o.negativeCache, err)
	}
	cfg.NegativeCache = model
	cfg.CacheDir = o.cacheDir
	if o.registry != "" {
		if err := cfg.Registry.LoadRegExport(o.registry); err != nil {
			return err
		}
	}
	if o.accumulativeTimeout != "" && o.accumulativeTimeout != "default" {
		// The budget is ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds
		// (spec §3.7); the flag overrides what --registry set.
		d, err := parseDuration("accumulative-timeout", o.accumulativeTimeout, "or default")
		if err != nil {
			return err
		}
		cfg.Registry.AccumulativeTimeout = d
	}
	if o.netFile != "" {
		n, err := netsim.Load(o.netFile, cfg.Clock)
		if err != nil {
			return err
		}
		cfg.Network = n
	} else {
		cfg.Network = client.HTTP
	}
	if o.cacheDir != "" {
		if fi, err := os.Stat(o.cacheDir); err == nil && !fi.IsDir() {
			return usagef("--cache-dir %s: not a folder", o.cacheDir)
		}
	}
	return nil
}
