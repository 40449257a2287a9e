package preflight

import (
	"context"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
)

// ClientEvaluator is the Evaluator over package client. Each Session is a
// new client built from Config: its stores are copies (a client adds the
// issuers it fetches through AIA to its CA store), its offline-URL state
// is fresh, and a cache folder taken from a client is opened read-only,
// never written. Each Evaluate moves Clock to the evaluation time and runs
// CertGetCertificateChain with the presented certificates as
// hAdditionalStore and the SSL policy for the server name.
type ClientEvaluator struct {
	// Config is the clients' configuration (stores, registry values,
	// network, cache folder, negative-cache model). Its Clock is replaced
	// by Clock.
	Config client.Config
	// Clock is the machine clock of every session, set to each
	// evaluation's time first; it is also the clock of the network (a
	// netsim network loaded on it), so timed rules and simulated latency
	// agree. Nil means a new manual clock per session.
	Clock *clock.Manual
	// Flags are the dwFlags of CertGetCertificateChain: the revocation
	// scope (chain.RevocationCheckChainExclRoot, as Schannel uses),
	// cache-only, AIA switches.
	Flags chain.Flags
	// Now gives the time when an evaluation has none; nil means the
	// Config's clock, or the system clock.
	Now func() time.Time
}

// Session builds a new client from the configuration.
func (e *ClientEvaluator) Session() (Session, error) {
	clk := e.Clock
	if clk == nil {
		clk = clock.NewManual(e.now())
	}
	cfg := e.Config
	cfg.Clock = clk
	if cfg.Root != nil {
		cfg.Root = cfg.Root.Clone()
	}
	if cfg.CA != nil {
		cfg.CA = cfg.CA.Clone()
	}
	if cfg.CacheDir != "" {
		cfg.ReadOnlyCache = true
	}
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	s := &clientSession{e: e, c: c, clk: clk, local: map[[20]byte]bool{}}
	for _, st := range []*chain.Store{cfg.Root, cfg.CA} {
		if st != nil {
			for _, c := range st.Certificates() {
				s.local[c.SHA1] = true
			}
		}
	}
	if cfg.CacheDir != "" {
		s.cached = map[string]bool{}
		if list, err := c.ListURLCache(client.SelectAll); err == nil {
			for _, en := range list.Entries {
				s.cached[en.Meta.URL] = true
			}
		}
	}
	return s, nil
}

func (e *ClientEvaluator) now() time.Time {
	switch {
	case e.Now != nil:
		return e.Now()
	case e.Config.Clock != nil:
		return e.Config.Clock.Now()
	}
	return clock.System().Now()
}

// clientSession is one client of a ClientEvaluator.
type clientSession struct {
	e      *ClientEvaluator
	c      *client.Client
	clk    *clock.Manual
	local  map[[20]byte]bool // what the stores held at the start
	cached map[string]bool   // what the cache folder held at the start
}

// Evaluate judges presented (end certificate first) at at for serverName.
func (s *clientSession) Evaluate(ctx context.Context, presented []*certs.Certificate, at time.Time, serverName string) (*Evaluation, error) {
	if at.IsZero() {
		at = s.e.now()
	}
	s.clk.Set(at)
	local := map[[20]byte]bool{}
	for k := range s.local {
		local[k] = true
	}
	for _, c := range presented {
		local[c.SHA1] = true
	}
	ev := &Evaluation{Local: func(c *certs.Certificate) bool { return local[c.SHA1] },
		AccumulativeTimeout:   s.e.Config.Registry.AccumulativeTimeout,
		Accumulative:          s.e.Flags&chain.RevocationAccumulativeTimeout != 0,
		MinRSAPubKeyBitLength: s.e.Config.Registry.MinRSAPubKeyBitLength}
	if s.cached != nil {
		ev.Cached = func(u string) bool { return s.cached[u] }
	}
	var extra *chain.Store
	if len(presented) > 1 {
		extra = chain.NewStore("Additional", presented[1:]...)
	}
	res, err := s.c.Verify(ctx, presented[0], client.VerifyOptions{
		Params:     chain.Params{Time: at, Additional: extra, Flags: s.e.Flags},
		Policy:     chain.PolicySSL,
		PolicyPara: chain.PolicyPara{ServerName: serverName},
	})
	if err != nil {
		return nil, err
	}
	ev.Context, ev.Policy = res.Chain, res.Policy
	return ev, nil
}
