package scenario

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"
)

// Report is the outcome of a run: per step and group, what the clients saw;
// when each failing client recovered and why it failed; the asserts. The
// same scenario and seed give byte-identical JSON.
type Report struct {
	Name          string         `json:"name"`
	Seed          int64          `json:"seed"`
	Start         time.Time      `json:"start"`
	Step          string         `json:"step"`
	Steps         int            `json:"steps"`
	HungAfter     string         `json:"hungAfter"`
	NegativeCache string         `json:"negativeCache,omitempty"`
	Groups        []GroupInfo    `json:"groups"`
	Events        []EventRecord  `json:"events"`
	Timeline      []StepRecord   `json:"timeline"`
	Summary       []GroupSummary `json:"summary"`
	Recoveries    []Recovery     `json:"recoveries"`
	Asserts       []AssertResult `json:"asserts"`
	// Evaluations counts the chain builds actually run (clients in the
	// same state share one); it differs between shared and per-client
	// runs and is not part of the JSON.
	Evaluations int `json:"-"`
	// MaxStates is the most groups of clients in distinct states (cohorts)
	// held at once, FinalStates how many there were at the end; they show
	// how far sharing went and are not part of the JSON.
	MaxStates, FinalStates int `json:"-"`

	spec  *Spec
	open  map[int]*Recovery
	steps map[int]*StepRecord
}

// GroupInfo describes a group's configuration.
type GroupInfo struct {
	Name          string `json:"name"`
	Clients       int    `json:"clients"`
	Endpoint      string `json:"endpoint"`
	Revocation    string `json:"revocation"`
	NegativeCache string `json:"negativeCache"`
	ConnectEvery  string `json:"connectEvery"`
}

// EventRecord is an event as it happened.
type EventRecord struct {
	At     time.Time `json:"at"`
	Offset string    `json:"offset"`
	What   string    `json:"what"`
}

// StepRecord is one step of the timeline.
type StepRecord struct {
	At     time.Time   `json:"at"`
	Offset string      `json:"offset"`
	Groups []GroupStep `json:"groups"`
}

// GroupStep counts one group's connections at a step and the state of all
// its clients after it.
type GroupStep struct {
	Group string `json:"group"`
	// Connected counts the clients that connected at this step, Outcomes
	// their results ("trusted" or the HRESULT name), Hung those blocked in
	// URL retrievals at least HungAfter, Resumed those that reused a TLS
	// session without validating the chain.
	Connected int            `json:"connected"`
	Outcomes  map[string]int `json:"outcomes"`
	Hung      int            `json:"hung"`
	Resumed   int            `json:"resumed"`
	// State counts every client of the group by the result of its latest
	// connection.
	State map[string]int `json:"state"`
}

// GroupSummary sums a group's run.
type GroupSummary struct {
	Group   string `json:"group"`
	Clients int    `json:"clients"`
	// EverFailed counts clients that failed at least once; Hung counts
	// hung connections; MaxFailing is the most clients failing at once, at
	// MaxFailingAt; AllTrustedAgainAt is when every client last became
	// trusted again (empty if some never did).
	EverFailed        int    `json:"everFailed"`
	HungConnections   int    `json:"hungConnections"`
	MaxFailing        int    `json:"maxFailing"`
	MaxFailingAt      string `json:"maxFailingAt,omitempty"`
	AllTrustedAgainAt string `json:"allTrustedAgainAt,omitempty"`
	StillFailing      int    `json:"stillFailing"`
}

// Recovery is a failure episode of a set of clients: when it began, when
// they were trusted again, what they saw and why.
type Recovery struct {
	Group       string `json:"group"`
	Clients     int    `json:"clients"`
	FailedAt    string `json:"failedAt"`
	RecoveredAt string `json:"recoveredAt,omitempty"`
	Lasted      string `json:"lasted,omitempty"`
	Outcome     string `json:"outcome"`
	// Cause is why the first failing connection failed; LastCause why the
	// last one did, when it differs (a URL first timed out, then was
	// skipped by its offline-URL record).
	Cause     string `json:"cause"`
	LastCause string `json:"lastCause,omitempty"`
	// After names the last event that touched these clients before they
	// recovered, if any ("reboot", "certutil -urlcache * delete").
	After string `json:"after,omitempty"`
}

// AssertResult is an assert and whether it held.
type AssertResult struct {
	Assert string `json:"assert"`
	Pass   bool   `json:"pass"`
	Detail string `json:"detail"`
}

func offset(start, t time.Time) string {
	d := t.Sub(start)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	h := int(d.Hours())
	m := int(d.Minutes()) % 60
	return fmt.Sprintf("T%s%d:%02d", sign, h, m)
}

func newReport(s *Spec, groups []*groupState, opts Options) *Report {
	r := &Report{Name: s.Name, Seed: s.Seed, Start: s.Start, Step: s.Step.D().String(),
		Steps: int(s.Duration / s.Step), HungAfter: s.HungAfter.D().String(), NegativeCache: opts.NegativeCache,
		spec: s, open: map[int]*Recovery{}, steps: map[int]*StepRecord{},
		Events: []EventRecord{}, Timeline: []StepRecord{}, Recoveries: []Recovery{}, Asserts: []AssertResult{}}
	for _, g := range groups {
		r.Groups = append(r.Groups, GroupInfo{Name: g.spec.Name, Clients: g.spec.Count, Endpoint: g.spec.Endpoint,
			Revocation: g.spec.Profile.Revocation, NegativeCache: g.model.Name, ConnectEvery: g.spec.ConnectEvery.D().String()})
	}
	return r
}

func (r *Report) event(t time.Time, what string) {
	r.Events = append(r.Events, EventRecord{At: t, Offset: offset(r.Start, t), What: what})
}

func (r *Report) newStep(t time.Time, step int) *StepRecord {
	sr := &StepRecord{At: t, Offset: offset(r.Start, t)}
	for _, g := range r.Groups {
		sr.Groups = append(sr.Groups, GroupStep{Group: g.Name, Outcomes: map[string]int{}, State: map[string]int{}})
	}
	r.Timeline = append(r.Timeline, *sr)
	return &r.Timeline[len(r.Timeline)-1]
}

// record adds one cohort's connection at t.
func (r *Report) record(sr *StepRecord, c *cohort, o outcome, t time.Time) {
	gs := &sr.Groups[c.g.index]
	n := len(c.members)
	gs.Connected += n
	gs.Outcomes[o.result] += n
	if o.hung {
		gs.Hung += n
	}
	if o.resumed {
		gs.Resumed += n
	}
	prev := c.lastOutcome
	c.lastOutcome = o.result
	if o.result != "trusted" {
		c.everFailed = true
	}
	switch {
	case o.result != "trusted" && (prev == "trusted" || prev == ""):
		c.failSince, c.failCause, c.lastCause = t, o.cause, ""
	case o.result != "trusted":
		if o.cause != c.failCause {
			c.lastCause = o.cause
		}
	case prev != "trusted" && prev != "":
		r.Recoveries = append(r.Recoveries, Recovery{Group: c.g.spec.Name, Clients: n,
			FailedAt: offset(r.Start, c.failSince), RecoveredAt: offset(r.Start, t), Lasted: t.Sub(c.failSince).String(),
			Outcome: prev, Cause: c.failCause, LastCause: c.lastCause, After: c.lastEventSince(c.failSince)})
		c.failCause, c.lastCause = "", ""
	}
}

func (c *cohort) lastEventSince(t time.Time) string {
	if c.lastEvent != "" && !c.lastEventAt.Before(t) {
		return c.lastEvent
	}
	return ""
}

// finish closes the run: state counts, open failure episodes, summaries,
// asserts, and a canonical order for byte-identical JSON.
func (r *Report) finish(sm *sim) {
	r.Evaluations = sm.evals
	r.MaxStates, r.FinalStates = sm.maxCohorts, len(sm.cohorts)
	for _, c := range sm.cohorts {
		if len(c.members) > 0 && c.lastOutcome != "trusted" && c.lastOutcome != "" {
			r.Recoveries = append(r.Recoveries, Recovery{Group: c.g.spec.Name, Clients: len(c.members),
				FailedAt: offset(r.Start, c.failSince), Outcome: c.lastOutcome, Cause: c.failCause, LastCause: c.lastCause})
		}
	}
	// Merge identical episodes of different cohorts.
	merged := map[Recovery]int{}
	for _, rc := range r.Recoveries {
		n := rc.Clients
		rc.Clients = 0
		merged[rc] += n
	}
	r.Recoveries = r.Recoveries[:0]
	for rc, n := range merged {
		rc.Clients = n
		r.Recoveries = append(r.Recoveries, rc)
	}
	sort.Slice(r.Recoveries, func(i, j int) bool {
		a, b := r.Recoveries[i], r.Recoveries[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.FailedAt != b.FailedAt {
			return a.FailedAt < b.FailedAt
		}
		if a.RecoveredAt != b.RecoveredAt {
			return a.RecoveredAt < b.RecoveredAt
		}
		if a.Cause != b.Cause {
			return a.Cause < b.Cause
		}
		if a.LastCause != b.LastCause {
			return a.LastCause < b.LastCause
		}
		return a.After < b.After
	})
	for gi, g := range r.Groups {
		sum := GroupSummary{Group: g.Name, Clients: g.Clients}
		lastBad := -1
		for i := range r.Timeline {
			gs := r.Timeline[i].Groups[gi]
			sum.HungConnections += gs.Hung
			failing := g.Clients - gs.State["trusted"]
			if failing > sum.MaxFailing {
				sum.MaxFailing, sum.MaxFailingAt = failing, r.Timeline[i].Offset
			}
			if failing > 0 {
				lastBad = i
			}
		}
		if n := len(r.Timeline); n > 0 {
			sum.StillFailing = g.Clients - r.Timeline[n-1].Groups[gi].State["trusted"]
		}
		if sum.MaxFailing > 0 && sum.StillFailing == 0 && lastBad+1 < len(r.Timeline) {
			sum.AllTrustedAgainAt = r.Timeline[lastBad+1].Offset
		}
		for _, c := range sm.cohorts {
			if c.g.index == gi && c.everFailed {
				sum.EverFailed += len(c.members)
			}
		}
		r.Summary = append(r.Summary, sum)
	}
	for _, a := range r.spec.Asserts {
		r.Asserts = append(r.Asserts, r.check(a))
	}
}

// snapshot records every group's client states after a step.
func (r *Report) snapshot(sr *StepRecord, cohorts []*cohort) {
	for _, c := range cohorts {
		if len(c.members) == 0 {
			continue
		}
		st := c.lastOutcome
		if st == "" {
			st = "not-connected"
		}
		sr.Groups[c.g.index].State[st] += len(c.members)
	}
}

func (r *Report) check(a AssertSpec) AssertResult {
	by := r.Start.Add(a.By.D())
	var sr *StepRecord
	for i := range r.Timeline {
		if r.Timeline[i].At.After(by) {
			break
		}
		sr = &r.Timeline[i]
	}
	want := ""
	var limit float64
	if a.AtLeast != nil {
		want, limit = "at least", float64(*a.AtLeast)
	} else {
		want, limit = "at most", float64(*a.AtMost)
	}
	group := a.Group
	if group == "" {
		group = "all groups"
	}
	text := fmt.Sprintf("by %s, %s %.1f%% of %s %s", offset(r.Start, by), want, limit*100, group, a.Outcome)
	if sr == nil {
		return AssertResult{Assert: text, Pass: false, Detail: "the run ends before that time"}
	}
	n, total := 0, 0
	for gi, g := range r.Groups {
		if a.Group != "" && g.Name != a.Group {
			continue
		}
		total += g.Clients
		n += sr.Groups[gi].State[a.Outcome]
	}
	share := 0.0
	if total > 0 {
		share = float64(n) / float64(total)
	}
	pass := share >= limit-1e-9
	if a.AtMost != nil {
		pass = share <= limit+1e-9
	}
	return AssertResult{Assert: text, Pass: pass, Detail: fmt.Sprintf("%d of %d clients (%.2f%%) at %s", n, total, share*100, sr.Offset)}
}

// Passed reports whether every assert held.
func (r *Report) Passed() bool {
	for _, a := range r.Asserts {
		if !a.Pass {
			return false
		}
	}
	return true
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes a summary for a person: the groups, the events, per
// group the worst moment and when everyone was trusted again, the failure
// episodes with their causes, and the asserts.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Scenario %q: %d steps of %s from %s (seed %d)\n", r.Name, r.Steps, r.Step, r.Start.Format(time.RFC3339), r.Seed)
	for _, g := range r.Groups {
		fmt.Fprintf(w, "  group %-12s %5d clients  endpoint %s  revocation %s  negative cache %s  connect every %s\n",
			g.Name, g.Clients, g.Endpoint, g.Revocation, g.NegativeCache, g.ConnectEvery)
	}
	if len(r.Events) > 0 {
		fmt.Fprintln(w, "\nEvents:")
		for _, e := range r.Events {
			fmt.Fprintf(w, "  %-9s %s\n", e.Offset, e.What)
		}
	}
	fmt.Fprintln(w, "\nOutcome:")
	for _, s := range r.Summary {
		fmt.Fprintf(w, "  %s: %d of %d clients failed at some point; at worst %d failing (%s); %d hung connections",
			s.Group, s.EverFailed, s.Clients, s.MaxFailing, orDash(s.MaxFailingAt), s.HungConnections)
		switch {
		case s.StillFailing > 0:
			fmt.Fprintf(w, "; %d still failing at the end\n", s.StillFailing)
		case s.AllTrustedAgainAt != "":
			fmt.Fprintf(w, "; all trusted again at %s\n", s.AllTrustedAgainAt)
		default:
			fmt.Fprintln(w)
		}
	}
	if len(r.Recoveries) > 0 {
		fmt.Fprintln(w, "\nFailure episodes (clients, from → to, what they saw, why):")
		for i, rc := range r.Recoveries {
			if i == 20 {
				fmt.Fprintf(w, "  … %d more in the JSON report\n", len(r.Recoveries)-20)
				break
			}
			to := rc.RecoveredAt
			if to == "" {
				to = "end (not recovered)"
			}
			after := ""
			if rc.After != "" {
				after = " [after " + rc.After + "]"
			}
			fmt.Fprintf(w, "  %5d %s  %s → %s  %s%s\n        first: %s\n", rc.Clients, rc.Group, rc.FailedAt, to, rc.Outcome, after, rc.Cause)
			if rc.LastCause != "" {
				fmt.Fprintf(w, "        last:  %s\n", rc.LastCause)
			}
		}
	}
	if len(r.Asserts) > 0 {
		fmt.Fprintln(w, "\nAsserts:")
		for _, a := range r.Asserts {
			mark := "PASS"
			if !a.Pass {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  %s  %s: %s\n", mark, a.Assert, a.Detail)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// outcomeNames lists the outcomes seen in the run, trusted first.
func (r *Report) outcomeNames() []string {
	set := map[string]bool{}
	for _, sr := range r.Timeline {
		for _, g := range sr.Groups {
			for k := range g.State {
				set[k] = true
			}
		}
	}
	var out []string
	for k := range set {
		if k != "trusted" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	if set["trusted"] {
		out = append([]string{"trusted"}, out...)
	}
	return out
}
