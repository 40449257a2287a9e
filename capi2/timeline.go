package capi2

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteTimeline prints the operation as text: a header (start, process,
// certificate, flags), one line per event with its offset from the start,
// the chain status of every element with the Windows bit names, the policy
// result and the verdict.
func (op *Operation) WriteTimeline(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s  %s", op.Start.UTC().Format("2006-01-02 15:04:05.000 UTC"), orDash(op.Process))
	if op.ProcessID != 0 {
		fmt.Fprintf(&b, " (pid %d)", op.ProcessID)
	}
	fmt.Fprintf(&b, "  task %s\n", op.TaskID)
	ch := op.Chain()
	if ch != nil {
		fmt.Fprintf(&b, "certificate: %s", certWords(ch.Chain.Certificate))
		fmt.Fprintf(&b, "\nflags: %s\n", ch.Chain.Flags)
		if len(ch.Chain.Usage) > 0 {
			var oids []string
			for _, u := range ch.Chain.Usage {
				oids = append(oids, usageWords(u))
			}
			match := "and"
			if ch.Chain.UsageOr {
				match = "or"
			}
			fmt.Fprintf(&b, "usage (%s): %s\n", match, strings.Join(oids, ", "))
		}
	}
	for _, e := range op.Events {
		fmt.Fprintf(&b, "  %8s  %2d  %s\n", offset(e.Time, op.Start), e.ID, eventLine(e))
	}
	if ch != nil && len(ch.Chain.Chains) > 0 {
		sc := ch.Chain.Chains[0]
		fmt.Fprintf(&b, "chain: %s\n", statusWords(sc.TrustStatus.ErrorStatus.String(), uint32(sc.TrustStatus.ErrorStatus)))
		for i, el := range sc.Elements {
			fmt.Fprintf(&b, "  [%d] %s\n", i, certWords(el.Cert))
			fmt.Fprintf(&b, "      error %s\n", statusWords(el.TrustStatus.ErrorStatus.String(), uint32(el.TrustStatus.ErrorStatus)))
			fmt.Fprintf(&b, "      info  %s\n", statusWords(el.TrustStatus.InfoStatus.String(), uint32(el.TrustStatus.InfoStatus)))
			if r := el.Revocation; r != nil {
				fmt.Fprintf(&b, "      revocation %s", r.Result)
				if r.Object != nil {
					fmt.Fprintf(&b, " from %s %s", kindWords(r.Object.Kind), orDash(r.Object.Location))
				}
				if r.Freshness.Set {
					fmt.Fprintf(&b, ", freshness %s", r.Freshness)
				}
				b.WriteByte('\n')
			}
		}
	}
	if p := op.Policy(); p != nil {
		fmt.Fprintf(&b, "policy %s: %s", policyName(p.Policy.Policy), p.Result)
		if !p.Result.OK() {
			fmt.Fprintf(&b, " (chain %d, element %d)", p.Policy.ChainIndex, p.Policy.ElementIndex)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "verdict: %s\n", op.Verdict())
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func statusWords(names string, v uint32) string {
	if v == 0 {
		return "0x00000000"
	}
	return fmt.Sprintf("0x%08X %s", v, names)
}

func certWords(c CertRef) string {
	s := orDash(c.Subject)
	if c.SHA1 != "" {
		s += " (" + c.SHA1 + ")"
	} else if c.FileRef != "" {
		s += " (" + c.FileRef + ")"
	}
	return s
}

func usageWords(u Usage) string {
	if u.Name != "" {
		return u.OID + " " + u.Name
	}
	return u.OID
}

func offset(t, start time.Time) string {
	if t.IsZero() || start.IsZero() {
		return "?"
	}
	return fmt.Sprintf("+%.3fs", t.Sub(start).Seconds())
}

// eventLine describes one event in a line.
func eventLine(e *Event) string {
	switch e.ID {
	case EventChainStart:
		return "chain build started"
	case EventChain:
		return "chain built: " + e.Result.String()
	case EventPolicy:
		p := e.Policy
		s := "policy " + policyName(p.Policy)
		if p.ServerName != "" {
			s += " for " + p.ServerName
		}
		if p.Flags.Value != 0 || len(p.IgnoreFlags.Names) > 0 {
			s += ", flags " + p.Flags.String()
			if p.IgnoreFlags.Value != 0 {
				s += ", ignore " + p.IgnoreFlags.String()
			}
		}
		return s + ": " + e.Result.String()
	case EventRevocationStart:
		r := e.Revocation
		return "revocation check of " + orDash(r.Certificate.Subject) + " (issuer " + orDash(r.Issuer.Subject) + ")"
	case EventRevocation:
		r := e.Revocation
		code := e.Result
		if r.Error.Set {
			code = r.Error
		}
		s := "revocation of " + orDash(r.Certificate.Subject) + ": " + code.String()
		if r.Object != nil {
			s += " from " + kindWords(r.Object.Kind) + " " + orDash(r.Object.Location)
			if r.Object.URL != "" {
				s += " " + r.Object.URL
			}
		}
		if r.ActualFreshness.Set {
			s += ", freshness " + r.ActualFreshness.String()
		}
		if r.Flags.Value != 0 {
			s += ", flags " + r.Flags.String()
		}
		return s
	case EventRejected:
		r := e.Rejected
		s := "rejected"
		if r.Object != nil {
			s += " " + kindWords(r.Object.Kind)
			if r.Object.URL != "" {
				s += " " + r.Object.URL
			} else if r.Object.FileRef != "" {
				s += " " + r.Object.FileRef
			}
			if r.Object.Location != "" {
				s += " (" + r.Object.Location + ")"
			}
		}
		return s + " for " + orDash(r.Subject.Subject) + ": " + orDash(r.Action)
	case EventCacheStart, EventWireStart:
		r := e.Retrieval
		where := "URL cache lookup"
		if r.Wire {
			where = "network fetch"
		}
		s := where + " " + r.URL + " (" + kindWords(r.Kind()) + ")"
		if r.Timeout.Set {
			s += ", allowed " + r.Timeout.String()
		}
		if r.Flags.Value != 0 {
			s += ", flags " + r.Flags.String()
		}
		return s
	case EventCache:
		r := e.Retrieval
		if !e.Result.OK() {
			return "URL cache " + r.URL + ": not found (" + e.Result.String() + ")"
		}
		s := "URL cache " + r.URL + ": found"
		if c := r.Cache; c != nil {
			s += ", lastSync " + stamp(c.LastSync)
			if !c.NextUpdate.IsZero() {
				s += ", nextUpdate " + stamp(c.NextUpdate)
			}
			if !c.Expire.IsZero() {
				s += ", expires " + stamp(c.Expire)
			}
		}
		return s
	case EventWire:
		r := e.Retrieval
		if !e.Result.OK() {
			s := wireFailure(e)
			if r.Action != "" {
				s += " at " + r.Action
			}
			return s
		}
		return "network " + r.URL + ": retrieved"
	case EventObjects:
		o := e.Objects
		return fmt.Sprintf("objects: %d certificates, %d CRLs, %d OCSP responses", len(o.Certificates), len(o.CRLs), len(o.OCSP))
	}
	return e.Element
}
