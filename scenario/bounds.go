package scenario

import (
	"fmt"
)

// Bounds on the work of a run, checked before it sets anything up
// (Spec.checkWork) and, for the number of distinct client states, again as
// events split the fleet (sim.mergeDirty). The numbers are winchain's
// choice: each keeps a run within minutes and about a gigabyte on a small
// machine (BenchmarkFleetScale measures 1,000,000 clients × 7 days).
const (
	// MaxCohorts bounds the groups of clients in distinct states held at
	// once (each is one simulated process, service and cache folder, tens
	// of kilobytes). At the start there is one per group and connection
	// phase (connectEvery / step; per client with PerClient).
	MaxCohorts = 20_000
	// MaxWork bounds steps × client states at the start: each step visits
	// every state once, whether it connects or not.
	MaxWork = 100_000_000
	// MaxWorkDirBytes bounds what Options.WorkDir receives (the cache
	// folders of every state, written when the run ends): 1 GiB.
	MaxWorkDirBytes = 1 << 30
	// estEntryBytes and estRevokedBytes estimate a cache folder before the
	// run: per cached object (MetaData, Content, journal room: a
	// certificate, a small CRL or an OCSP response), and per revoked
	// certificate listed on a CRL.
	estEntryBytes   = 4 << 10
	estRevokedBytes = 64
)

// initialCohorts returns how many client states group g can start in: one
// per connection phase that falls within the run (those after it share
// one), at most one per client.
func (s *Spec) initialCohorts(g *GroupSpec, perClient bool) int64 {
	if perClient {
		return int64(g.Count)
	}
	steps := int64(s.Duration / s.Step)
	phases := min(int64(g.ConnectEvery/s.Step), steps+2)
	return min(int64(g.Count), phases)
}

// checkWork bounds the run before set-up: the client states at the start
// (MaxCohorts, or opts.MaxStates below it, named as opts.MaxStatesName says), steps × states (MaxWork) and,
// with opts.WorkDir, the bytes the cache folders would take
// (MaxWorkDirBytes). Every error is a *Error naming its limit. The
// MaxCohorts and MaxWork errors name file and the field that drives the
// number (groups[i].connectEvery, groups[i].count with PerClient, or
// duration). The MaxWorkDirBytes error names the work dir instead (File is
// opts.WorkDir, no Field): what asks for the bytes is the request to write
// the folders there, and the estimate (states × folder size) has no one
// field to change; without a work dir nothing is written and the scenario
// runs.
func (s *Spec) checkWork(file string, opts Options) error {
	var cohorts int64
	for i := range s.Groups {
		g := &s.Groups[i]
		n := s.initialCohorts(g, opts.PerClient)
		cohorts += n
		if limit := opts.stateLimit(); cohorts > int64(limit) {
			field, why := fmt.Sprintf("groups[%d].connectEvery", i), fmt.Sprintf("%d clients over %d connection phases (connectEvery %s / step %s)", g.Count, int64(g.ConnectEvery/s.Step), g.ConnectEvery.D(), s.Step.D())
			if opts.PerClient {
				field, why = fmt.Sprintf("groups[%d].count", i), fmt.Sprintf("%d clients evaluated one by one (per-client)", g.Count)
			}
			return &Error{File: file, Field: field, Err: fmt.Errorf("%s start in up to %d separate states with the groups before it; the limit is %d (%s)%s", why, cohorts, limit, opts.stateLimitName(), opts.stateLimitHint(": "))}
		}
	}
	steps := int64(s.Duration/s.Step) + 1
	if w := steps * cohorts; w > MaxWork {
		return &Error{File: file, Field: "duration", Err: fmt.Errorf("%d steps × %d client states = %d state-steps; the limit is %d (MaxWork): shorten duration, lengthen step or connectEvery", steps, cohorts, w, MaxWork)}
	}
	if opts.WorkDir != "" {
		per := s.folderEstimate()
		if total := per * cohorts; total > MaxWorkDirBytes {
			return &Error{File: opts.WorkDir, Err: fmt.Errorf("the cache folders of %d client states would take about %d bytes (%d each); the limit is %d (MaxWorkDirBytes)", cohorts, total, per, int64(MaxWorkDirBytes))}
		}
	}
	return nil
}

// folderEstimate is about how many bytes one client's cache folder holds
// when it has fetched everything the scenario serves.
func (s *Spec) folderEstimate() int64 {
	n := int64(len(s.CRLs)+len(s.AIA)+len(s.Static)+len(s.OCSP)*len(s.PKI.Certs)+1) * estEntryBytes
	for _, c := range s.CRLs {
		n += int64(len(c.Revoked)) * estRevokedBytes
	}
	return n
}

// stateLimit is MaxStates, at most MaxCohorts.
func (o Options) stateLimit() int {
	if o.MaxStates > 0 && o.MaxStates < MaxCohorts {
		return o.MaxStates
	}
	return MaxCohorts
}

// stateLimitName is how errors name the limit of stateLimit: MaxCohorts,
// or MaxStates under the name the caller gave it (MaxStatesName).
func (o Options) stateLimitName() string {
	switch {
	case o.stateLimit() == MaxCohorts:
		return "MaxCohorts"
	case o.MaxStatesName != "":
		return o.MaxStatesName
	}
	return "Options.MaxStates"
}

// stateLimitHint is sep and what else a run stopped by the state limit can
// do when MaxStates is the limit: raise it (up to MaxCohorts); "" when
// MaxCohorts is.
func (o Options) stateLimitHint(sep string) string {
	if o.stateLimit() == MaxCohorts {
		return ""
	}
	return fmt.Sprintf("%sraise %s (up to %d, MaxCohorts)", sep, o.stateLimitName(), MaxCohorts)
}
