package scenario

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
	"github.com/winchain/winchain/revocation"
)

// Options control a run.
type Options struct {
	// WorkDir, when set, receives the clients' disk cache folders when the
	// run ends (one folder per group of clients in the same state, cNNNNN,
	// in the CryptnetUrlCache layout). During the run the folders are held
	// in memory (urlcache.MemFS, no fsync); empty means they are not
	// written out.
	WorkDir string
	// PerClient evaluates every client on its own instead of sharing work
	// between clients in the same state. Results are the same (a test
	// checks it); it is for that check and for debugging.
	PerClient bool
	// Progress, if set, receives progress reports as the run goes: steps
	// done of the total, the client states held and an estimate of the
	// time left. With ProgressBar it is one bar redrawn in place (a
	// terminal); otherwise a plain line at the start, every ProgressEvery
	// and at the end (CI logs).
	Progress io.Writer
	// ProgressBar draws the bar; false writes plain lines.
	ProgressBar bool
	// ProgressEvery is the wall time between plain lines; 0 means
	// DefaultProgressEvery.
	ProgressEvery time.Duration
	// WallClock times the progress reports (the estimate of the time
	// left); nil means the system clock. The simulation itself runs on its
	// own simulated clocks.
	WallClock clock.Clock
	// NegativeCache, if set, overrides every group's negative-cache preset
	// (the demo runs the same story under two models).
	NegativeCache string
	// MaxStates bounds the groups of clients in distinct states held at
	// once, below MaxCohorts: a run that would need more stops with an
	// error naming the limit. 0 (or less, or MaxCohorts or more) means
	// MaxCohorts.
	MaxStates int
	// MaxStatesName is how errors name MaxStates when it is the limit
	// (the CLI passes "--max-states"); "" means "Options.MaxStates".
	MaxStatesName string
}

// groupState is a group's runtime configuration.
type groupState struct {
	spec      *GroupSpec
	index     int
	endpoint  *endpointState
	roots     *chain.Store
	ca        []*certs.Certificate
	model     cache.OfflineModel
	clientCfg client.Config
	flags     chain.Flags
	lifetime  time.Duration
	stepsPer  int // connect period in steps
}

type endpointState struct {
	spec    *EndpointSpec
	chain   []string
	history [][]string
}

func (e *endpointState) key() string { return strings.Join(e.chain, ",") }

type session struct {
	chainKey string
	at       time.Time
}

// cohort is a set of clients of one group in the same state: the same
// connection phase and state digest (stateOf). They share one simulated
// process, service, disk cache folder (in memory) and user CA store; an
// event that touches only some of them splits the cohort first, and
// cohorts whose states become equal again merge (mergeDirty), so the work
// grows with the number of distinct states, not of clients.
type cohort struct {
	id       int
	g        *groupState
	members  []int
	phase    int
	clk      *clock.Manual
	skew     time.Duration
	mem      *urlcache.MemFS // the disk cache folder, in memory
	folder   *urlcache.Folder
	offline  *cache.OfflineState
	caStore  *chain.Store
	client   *client.Client
	sessions map[string]session
	resync   time.Time
	// everFailed: these clients failed at least once (GroupSummary.EverFailed).
	everFailed bool
	// key is the state the cohort was filed under in sim.states; dirty
	// says its state may have changed since.
	key   stateKey
	keyed bool
	dirty bool
	// Episode tracking for the report.
	lastOutcome string
	failSince   time.Time
	failCause   string
	lastCause   string
	lastEvent   string
	lastEventAt time.Time
}

type sim struct {
	spec    *Spec
	opts    Options
	p       *pki
	net     *netsim.Network
	netClk  *clock.Manual
	groups  []*groupState
	eps     map[string]*endpointState
	cohorts []*cohort
	nextID  int
	rng     *rand.Rand
	report  *Report
	evals   int
	// states files the cohorts by state, to merge equal ones.
	states map[stateKey]*cohort
	// nextEvent is the index of the first event not applied yet;
	// backJumps[i] sums the backward clock jumps of events i and later.
	nextEvent   int
	backJumps   []time.Duration
	resyncAhead []bool
	// maxCohorts is the most cohorts alive at once (Report.MaxStates).
	maxCohorts int
	// sigs and parsed are the signature results and parsed CRLs shared by
	// every simulated process: pure caches, the same answer whoever
	// computes it, so a restart does not verify the same CRL again.
	sigs   *chain.SignatureCache
	parsed *revocation.ParseCache
	// scratch holds split's picks.
	scratch []bool
}

// maxNetLog bounds the request log of a run's simulated network
// (netsim.Network.MaxLog; the per-URL counts are kept whole). The simulator
// reads no request log, so a short tail is enough for debugging, and a run
// of MaxWork evaluations cannot grow it without end (winchain's choice).
const maxNetLog = 1024

// newNetwork returns a run's simulated network on its own clock, set to
// start.
func newNetwork(start time.Time) (*clock.Manual, *netsim.Network) {
	clk := clock.NewManual(start)
	n := netsim.New(clk)
	n.MaxLog = maxNetLog
	return clk, n
}

// Run simulates the scenario and returns its report. The error is for
// input that cannot be used (unreadable files, bad keys); what the clients
// see, failures included, is in the report.
func Run(ctx context.Context, s *Spec, opts Options) (*Report, error) {
	p, err := s.loadPKI()
	if err != nil {
		return nil, err
	}
	if err := s.checkWork(s.errFile(), opts); err != nil {
		return nil, err
	}
	sm := &sim{spec: s, opts: opts, p: p, eps: map[string]*endpointState{}, states: map[stateKey]*cohort{},
		sigs: chain.NewSignatureCache(), parsed: revocation.NewParseCache(0)}
	sm.backJumps = backJumps(s.Events)
	sm.resyncAhead = resyncAhead(s.Events)
	sm.rng = rand.New(rand.NewPCG(uint64(s.Seed), 0x5eed))
	sm.netClk, sm.net = newNetwork(s.Start)
	if err := s.buildNetwork(p, sm.net); err != nil {
		return nil, err
	}
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		sm.eps[e.Name] = &endpointState{spec: e, chain: append([]string(nil), e.Chain...)}
	}
	if err := sm.setupGroups(); err != nil {
		return nil, err
	}
	sm.report = newReport(s, sm.groups, opts)
	if err := sm.prime(ctx); err != nil {
		return nil, err
	}
	if err := sm.loop(ctx); err != nil {
		return nil, err
	}
	sm.report.finish(sm)
	if opts.WorkDir != "" {
		if err := sm.writeFolders(opts.WorkDir, MaxWorkDirBytes); err != nil {
			return nil, err
		}
	}
	return sm.report, nil
}

func (sm *sim) setupGroups() error {
	s := sm.spec
	for i := range s.Groups {
		gs := &s.Groups[i]
		preset := gs.Profile.NegativeCache
		if sm.opts.NegativeCache != "" {
			preset = sm.opts.NegativeCache
		}
		model, err := cache.OfflinePreset(preset)
		if err != nil {
			return &Error{File: s.errFile(), Field: fmt.Sprintf("groups[%d].profile.negativeCache", i), Err: err}
		}
		g := &groupState{spec: gs, index: i, endpoint: sm.eps[gs.Endpoint], model: model}
		g.roots = chain.NewStore("Root")
		for _, n := range gs.Roots {
			g.roots.Add(sm.p.certs[n])
		}
		for _, n := range gs.CA {
			g.ca = append(g.ca, sm.p.certs[n])
		}
		cfg, err := s.clientConfig(i)
		if err != nil {
			return err
		}
		cfg.Root, cfg.NegativeCache, cfg.SignatureCache, cfg.ParseCache = g.roots, model, sm.sigs, sm.parsed
		g.clientCfg = cfg
		rf, _ := chain.RevocationModeFlags(gs.Profile.Revocation) // checked by the normaliser
		g.flags |= rf
		if gs.Profile.RevocationCacheOnly {
			g.flags |= chain.RevocationCheckCacheOnly
		}
		if gs.Profile.AccumulativeTimeout {
			g.flags |= chain.RevocationAccumulativeTimeout
		}
		if gs.Profile.NoAIA {
			g.flags |= chain.DisableAIA
		}
		g.lifetime = gs.Profile.TLSSessionLifetime.D()
		g.stepsPer = int(gs.ConnectEvery / s.Step)
		sm.groups = append(sm.groups, g)

		// One cohort per connection phase; clients get seeded phases. The
		// clients whose phase comes after the last step never connect
		// during the run: they are in one state and share one cohort.
		byPhase := map[int][]int{}
		steps := int(s.Duration / s.Step)
		for c := 0; c < gs.Count; c++ {
			ph := sm.rng.IntN(g.stepsPer)
			if ph > steps {
				ph = steps + 1
			}
			byPhase[ph] = append(byPhase[ph], c)
		}
		phases := make([]int, 0, len(byPhase))
		for ph := range byPhase {
			phases = append(phases, ph)
		}
		sort.Ints(phases)
		for _, ph := range phases {
			members := byPhase[ph]
			if sm.opts.PerClient {
				for _, m := range members {
					if err := sm.newCohort(g, []int{m}, ph); err != nil {
						return err
					}
				}
				continue
			}
			if err := sm.newCohort(g, members, ph); err != nil {
				return err
			}
		}
	}
	return nil
}

// clientConfig returns the registry and revocation settings of group i's
// profile: its registry export first, then the profile fields the scenario
// writes, which win over the export (urlTimeout over
// ChainUrlRetrievalTimeoutMilliseconds, crlValidityExtension over
// CRLValidityExtensionPeriod). What neither sets keeps the Windows
// default of the layer that applies it.
func (s *Spec) clientConfig(i int) (client.Config, error) {
	var cfg client.Config
	p := &s.Groups[i].Profile
	if p.Registry != "" {
		field := fmt.Sprintf("groups[%d].profile.registry", i)
		data, err := s.readFileMax(p.Registry, client.MaxRegExportSize)
		if err != nil {
			return cfg, &Error{File: p.Registry, Field: field, Err: err}
		}
		if err := cfg.Registry.ApplyRegExport(p.Registry, data); err != nil {
			return cfg, &Error{File: p.Registry, Field: field, Err: err}
		}
	}
	if p.URLTimeout > 0 {
		cfg.Registry.URLRetrievalTimeout = p.URLTimeout.D()
	}
	if ext := p.CRLValidityExtension; ext != nil {
		if ext.D() <= 0 {
			cfg.DisableCRLValidityExtension = true
		} else {
			cfg.Registry.CRLValidityExtensionPeriod = ext.D()
		}
	}
	return cfg, nil
}

func (sm *sim) newCohort(g *groupState, members []int, phase int) error {
	c := &cohort{id: sm.nextID, g: g, members: members, phase: phase,
		clk: clock.NewManual(sm.spec.Start), offline: cache.NewOfflineState(), sessions: map[string]session{}}
	sm.nextID++
	if err := c.openFolder(urlcache.NewMemFS()); err != nil {
		return err
	}
	c.caStore = chain.NewStore("CA", g.ca...)
	if err := c.startProcess(sm, nil); err != nil {
		return err
	}
	sm.cohorts = append(sm.cohorts, c)
	return nil
}

// startProcess gives the cohort a client: a new one, or a fork of another
// cohort's (same memory state, continuing independently).
func (c *cohort) startProcess(sm *sim, fork *client.Client) error {
	cfg := c.g.clientCfg
	cfg.Clock = c.clk
	cfg.Network = sm.net
	cfg.CacheFolder = c.folder
	cfg.OfflineState = c.offline
	cfg.CA = c.caStore
	if !c.resync.IsZero() {
		cfg.Registry.ResyncBefore = c.resync
	}
	var err error
	if fork != nil {
		c.client, err = fork.Fork(cfg)
	} else {
		c.client, err = client.New(cfg)
	}
	return err
}

// picked decides, the same way whatever the cohorts are, whether client m
// of group g is among the share of event ev: a seeded hash of the three,
// compared with the fraction. So a shared run and a per-client run affect
// exactly the same clients.
func (sm *sim) picked(g *groupState, ev, m int, fraction float64) bool {
	if fraction >= 1 {
		return true
	}
	// rand.New(src).Float64() without the two allocations: this runs for
	// every client at every partial-fleet event (50 M times for 1 M
	// clients and 50 events).
	src := rand.NewPCG(uint64(sm.spec.Seed)^uint64(ev)<<32, uint64(g.index)<<40|uint64(m))
	return float64(src.Uint64()<<11>>11)/(1<<53) < fraction
}

// split moves the members of c picked for event ev into a new cohort with a
// copy of c's whole state and returns it; it returns c itself when all are
// picked and nil when none is.
func (sm *sim) split(c *cohort, ev int, fraction float64) (*cohort, error) {
	// Pick once into a reused scratch, then partition: no slice grows, and
	// the kept members stay in c's array (this runs for every client at
	// every event).
	if cap(sm.scratch) < len(c.members) {
		sm.scratch = make([]bool, len(c.members))
	}
	pick := sm.scratch[:len(c.members)]
	n := 0
	for i, m := range c.members {
		pick[i] = sm.picked(c.g, ev, m, fraction)
		if pick[i] {
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	if n == len(c.members) {
		return c, nil
	}
	moved := make([]int, 0, n)
	kept := c.members[:0]
	for i, m := range c.members {
		if pick[i] {
			moved = append(moved, m)
		} else {
			kept = append(kept, m)
		}
	}
	nc := &cohort{id: sm.nextID, g: c.g, members: moved, phase: c.phase, clk: clock.NewManual(c.clk.Now()),
		skew: c.skew, offline: c.offline.Clone(), caStore: c.caStore.Clone(), sessions: map[string]session{},
		resync: c.resync, lastOutcome: c.lastOutcome, failSince: c.failSince, failCause: c.failCause, lastCause: c.lastCause,
		lastEvent: c.lastEvent, lastEventAt: c.lastEventAt, everFailed: c.everFailed}
	sm.nextID++
	if err := nc.openFolder(c.mem.Clone()); err != nil {
		return nil, err
	}
	for k, v := range c.sessions {
		nc.sessions[k] = v
	}
	if err := nc.startProcess(sm, c.client); err != nil {
		return nil, err
	}
	c.members = kept
	sm.cohorts = append(sm.cohorts, nc)
	return nc, nil
}

// prime runs one connection per cohort before the start, so caches hold what
// an earlier connection fetched (GroupSpec.Primed).
func (sm *sim) prime(ctx context.Context) error {
	t := sm.spec.Start.Add(-sm.spec.Step.D())
	sm.netClk.Set(t)
	for _, c := range sm.cohorts {
		if !*c.g.spec.Primed {
			continue
		}
		c.clk.Set(t)
		o, err := sm.connect(ctx, c, t)
		if err != nil {
			return err
		}
		c.lastOutcome = o.result
		if o.result != "trusted" {
			c.failSince, c.failCause = t, o.cause
		}
	}
	return nil
}

// outcome of one connection.
type outcome struct {
	result  string // "trusted" or the HRESULT name
	hung    bool
	resumed bool
	blocked time.Duration
	cause   string
}

func (sm *sim) connect(ctx context.Context, c *cohort, t time.Time) (outcome, error) {
	ep := c.g.endpoint
	now := t.Add(c.skew)
	c.clk.Set(now)
	if s, ok := c.sessions[ep.spec.Name]; ok && s.chainKey == ep.key() && c.g.lifetime > 0 && now.Sub(s.at) < c.g.lifetime {
		return outcome{result: "trusted", resumed: true}, nil
	}
	leaf := sm.p.certs[ep.chain[0]]
	extra := chain.NewStore("Additional")
	for _, n := range ep.chain[1:] {
		extra.Add(sm.p.certs[n])
	}
	sm.evals++
	// No dwUrlRetrievalTimeout (which one Schannel passes is undocumented;
	// docs/windows-divergences.md): the client's registry timeouts apply,
	// ChainUrlRetrievalTimeoutMilliseconds and, under
	// CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT,
	// ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds.
	res, err := c.client.Verify(ctx, leaf, client.VerifyOptions{
		Params:     chain.Params{Time: now, Additional: extra, Flags: c.g.flags},
		Policy:     chain.PolicySSL,
		PolicyPara: chain.PolicyPara{ServerName: ep.spec.Host},
	})
	if err != nil {
		return outcome{}, err
	}
	cc, st := res.Chain, res.Policy
	var blocked time.Duration
	for _, r := range cc.Retrievals {
		blocked += r.Blocked
	}
	o := outcome{result: "trusted", blocked: blocked, hung: blocked >= sm.spec.HungAfter.D()}
	if st.OK() {
		if pst := principalCheck(leaf, c.g.spec.Profile.PrincipalName); !pst.OK() {
			o.result, o.cause = pst.Error.Name(), pst.Error.Name()+": "+pst.Detail
			return o, nil
		}
	}
	if !st.OK() {
		o.result = st.Error.Name()
		o.cause = explain(cc, st)
	} else if c.g.lifetime > 0 {
		c.sessions[ep.spec.Name] = session{chainKey: ep.key(), at: now}
	}
	return o, nil
}

// explain says why a connection failed: the element, its bits and the
// retrievals of the URLs behind them.
func explain(cc *chain.ChainContext, st chain.PolicyStatus) string {
	var b strings.Builder
	b.WriteString(st.Error.Name())
	if st.ChainIndex >= 0 && st.ElementIndex >= 0 {
		el := cc.Chains[st.ChainIndex].Elements[st.ElementIndex]
		fmt.Fprintf(&b, " on %s", el.Cert.Subject())
		if r := el.Revocation; r != nil && r.Detail != "" {
			fmt.Fprintf(&b, ": %s", r.Detail)
		} else if len(el.Detail) > 0 {
			fmt.Fprintf(&b, ": %s", el.Detail[0])
		}
	}
	seen := map[string]bool{}
	for _, r := range cc.Retrievals {
		if r.OK || seen[r.URL] {
			continue
		}
		seen[r.URL] = true
		switch {
		case r.From == cache.FromOfflineSkip:
			fmt.Fprintf(&b, "; %s skipped: offline-URL record (%s) until %s", r.URL, r.NegativeModel, r.RetryAfter.UTC().Format(time.RFC3339))
		case !strings.Contains(b.String(), r.URL):
			fmt.Fprintf(&b, "; %s: %s", r.URL, r.ErrorText())
		}
	}
	return b.String()
}

func (sm *sim) loop(ctx context.Context) error {
	s := sm.spec
	steps := int(s.Duration / s.Step)
	ev := 0
	meter := newProgress(sm.opts, s)
	for step := 0; step <= steps; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := s.Start.Add(time.Duration(step) * s.Step.D())
		sm.netClk.Set(t)
		for ev < len(s.Events) && !s.Start.Add(s.Events[ev].At.D()).After(t) {
			if err := sm.apply(ev, &s.Events[ev], t); err != nil {
				return err
			}
			ev++
			sm.nextEvent = ev
		}
		rec := sm.report.newStep(t, step)
		cohorts := append([]*cohort(nil), sm.cohorts...)
		sort.Slice(cohorts, func(i, j int) bool { return cohorts[i].id < cohorts[j].id })
		for _, c := range cohorts {
			if len(c.members) == 0 || step%c.g.stepsPer != c.phase {
				continue
			}
			o, err := sm.connect(ctx, c, t)
			if err != nil {
				return err
			}
			// A resumed session of a trusted client changes nothing.
			if !o.resumed || c.lastOutcome != "trusted" {
				c.dirty = true
			}
			sm.report.record(rec, c, o, t)
		}
		sm.report.snapshot(rec, cohorts)
		if err := sm.mergeDirty(t); err != nil {
			return err
		}
		meter.update(step, len(sm.cohorts))
	}
	return nil
}

// apply carries out one event at t.
func (sm *sim) apply(ev int, e *EventSpec, t time.Time) error {
	switch {
	case e.Swap != nil:
		ep := sm.eps[e.Swap.Endpoint]
		ep.history = append(ep.history, ep.chain)
		ep.chain = append([]string(nil), e.Swap.Chain...)
		sm.report.event(t, fmt.Sprintf("swap: %s now presents %s", ep.spec.Name, strings.Join(ep.chain, " → ")))
		return nil
	case e.Revert != "":
		ep := sm.eps[e.Revert]
		if len(ep.history) > 0 {
			ep.chain = ep.history[len(ep.history)-1]
			ep.history = ep.history[:len(ep.history)-1]
		}
		sm.report.event(t, fmt.Sprintf("revert: %s presents %s again", ep.spec.Name, strings.Join(ep.chain, " → ")))
		return nil
	}
	frac := 1.0
	if e.Fraction != nil {
		frac = float64(*e.Fraction)
	}
	var targets []*cohort
	for _, c := range append([]*cohort(nil), sm.cohorts...) {
		if len(c.members) == 0 || (e.Group != "" && c.g.spec.Name != e.Group) {
			continue
		}
		part, err := sm.split(c, ev, frac)
		if err != nil {
			return err
		}
		if part != nil {
			targets = append(targets, part)
		}
	}
	affected := 0
	for _, c := range targets {
		affected += len(c.members)
		c.dirty = true
		c.lastEvent, c.lastEventAt = eventName(e), t
		if err := sm.applyTo(e, c, t); err != nil {
			return err
		}
	}
	scope := "all groups"
	if e.Group != "" {
		scope = e.Group
	}
	sm.report.event(t, fmt.Sprintf("%s: %d clients of %s", eventName(e), affected, scope))
	return nil
}

func eventName(e *EventSpec) string {
	switch {
	case e.AppRestart:
		return "app restart"
	case e.Reboot:
		return "reboot"
	case e.URLCacheDelete:
		return "certutil -urlcache * delete"
	case e.ClearSSLState:
		return "clear SSL state"
	case e.ClockJump != 0:
		return "clock jump " + e.ClockJump.D().String()
	case e.Resync:
		return "ChainCacheResyncFiletime @now"
	}
	return "event"
}

func (sm *sim) applyTo(e *EventSpec, c *cohort, t time.Time) error {
	switch {
	case e.AppRestart:
		c.sessions = map[string]session{}
		return c.client.Restart()
	case e.Reboot:
		c.sessions = map[string]session{}
		err := c.client.Reboot()
		c.offline = c.client.OfflineState()
		return err
	case e.URLCacheDelete:
		// The disk cache goes (with disk-scoped offline records); the
		// running process keeps its memory cache (spec §1.9).
		_, err := c.client.DeleteURLCache(client.SelectAll)
		return err
	case e.ClearSSLState:
		c.sessions = map[string]session{}
	case e.ClockJump != 0:
		c.skew += e.ClockJump.D()
	case e.Resync:
		c.resync = t.Add(c.skew)
		return c.client.Resync(c.resync)
	}
	return nil
}
