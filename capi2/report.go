package capi2

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/winchain/winchain/chain"
)

// The JSON shapes of `winchain capi2 --json` (docs/cli.md). Field names
// are a contract: extended, never renamed.

// Report is the whole output: event counts, skipped events, operations.
type Report struct {
	// Events counts the <Event> elements read (modelled or skipped).
	Events int `json:"events"`
	// Skipped are the skipped events kept (at most MaxSkippedKept);
	// SkippedTotal counts them all.
	Skipped      []Skipped          `json:"skipped"`
	SkippedTotal int                `json:"skippedTotal"`
	Operations   []*OperationReport `json:"operations"`
}

// OperationReport is one operation.
type OperationReport struct {
	TaskID      string          `json:"taskId"`
	Process     string          `json:"process"`
	ProcessID   int             `json:"processId"`
	Start       string          `json:"start"`
	EventIDs    []int           `json:"eventIds"`
	Certificate *CertJSON       `json:"certificate,omitempty"`
	Flags       string          `json:"flags"`
	FlagNames   []string        `json:"flagNames"`
	Time        string          `json:"time"`
	Retrievals  []RetrievalJSON `json:"retrievals"`
	Rejected    []RejectedJSON  `json:"rejected"`
	// Revocations are the CertVerifyRevocation results (41), an extension.
	Revocations []RevocationJSON `json:"revocations"`
	Windows     *Outcome         `json:"windows,omitempty"`
	// Winchain is the replay's result; absent without --replay.
	Winchain *Outcome `json:"winchain,omitempty"`
	// Agree is null without --replay.
	Agree       *bool    `json:"agree"`
	Differences []string `json:"differences"`
	// ReplayNotes say what the replay could not rebuild as Windows had it.
	ReplayNotes []string `json:"replayNotes,omitempty"`
	Verdict     string   `json:"verdict"`
}

// CertJSON names a certificate.
type CertJSON struct {
	Subject string `json:"subject"`
	SHA1    string `json:"sha1"`
}

// RetrievalJSON is one URL-cache lookup (51) or network fetch (53).
type RetrievalJSON struct {
	URL       string   `json:"url"`
	Kind      string   `json:"kind"`
	From      string   `json:"from"`
	OK        bool     `json:"ok"`
	Error     string   `json:"error,omitempty"`
	ErrorName string   `json:"errorName,omitempty"`
	Timeout   string   `json:"timeout,omitempty"`
	FlagNames []string `json:"flagNames,omitempty"`
}

// RejectedJSON is one refused object (42).
type RejectedJSON struct {
	URL      string `json:"url"`
	Kind     string `json:"kind"`
	Action   string `json:"action"`
	Subject  string `json:"subject"`
	Location string `json:"location,omitempty"`
}

// RevocationJSON is one CertVerifyRevocation result (41).
type RevocationJSON struct {
	Subject   string `json:"subject"`
	Result    string `json:"result"`
	Name      string `json:"name,omitempty"`
	Source    string `json:"source,omitempty"`
	Location  string `json:"location,omitempty"`
	Freshness string `json:"freshness,omitempty"`
}

// Outcome is a chain result, Windows' (from the log) or winchain's.
type Outcome struct {
	// TrustStatus is the chain's roll-up; absent for an operation with
	// only a policy event.
	TrustStatus *chain.TrustStatusJSON `json:"trustStatus,omitempty"`
	Elements    []ElementJSON          `json:"elements"`
	// Result is the CertGetCertificateChain Result ("0x00000000" when it
	// succeeded).
	Result string      `json:"result"`
	Policy *PolicyJSON `json:"policy,omitempty"`
}

// ElementJSON is one chain element.
type ElementJSON struct {
	Subject     string                `json:"subject"`
	SHA1        string                `json:"sha1"`
	TrustStatus chain.TrustStatusJSON `json:"trustStatus"`
	Revocation  *RevocationInfo       `json:"revocation,omitempty"`
}

// RevocationInfo is an element's revocation result: the HRESULT, the
// object kind (crl, ocsp) and where it was found.
type RevocationInfo struct {
	Result   string `json:"result"`
	Source   string `json:"source"`
	Location string `json:"location"`
}

// PolicyJSON is the policy result.
type PolicyJSON struct {
	Name         string `json:"name"`
	Error        string `json:"error"`
	ErrorName    string `json:"errorName,omitempty"`
	ChainIndex   int    `json:"chainIndex"`
	ElementIndex int    `json:"elementIndex"`
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// Report renders the operation (without replay).
func (op *Operation) Report() *OperationReport {
	r := &OperationReport{TaskID: op.TaskID, Process: op.Process, ProcessID: op.ProcessID, Start: rfc(op.Start),
		EventIDs: op.EventIDs(), FlagNames: []string{}, Retrievals: []RetrievalJSON{}, Rejected: []RejectedJSON{},
		Revocations: []RevocationJSON{}, Differences: []string{}, Verdict: op.Verdict()}
	r.Time = rfc(op.Time())
	if ch := op.Chain(); ch != nil {
		r.Certificate = &CertJSON{Subject: ch.Chain.Certificate.Subject, SHA1: ch.Chain.Certificate.SHA1}
		r.Flags, r.FlagNames = ch.Chain.Flags.Hex(), nonNil(ch.Chain.Flags.Names)
		r.Windows = op.windowsOutcome()
	} else {
		r.Windows = op.windowsOutcome()
		for _, e := range op.Events {
			if e.Policy != nil && r.Certificate == nil {
				r.Certificate = &CertJSON{Subject: e.Policy.Certificate.Subject, SHA1: e.Policy.Certificate.SHA1}
			}
			if e.Revocation != nil && r.Certificate == nil {
				r.Certificate = &CertJSON{Subject: e.Revocation.Certificate.Subject, SHA1: e.Revocation.Certificate.SHA1}
				r.Flags, r.FlagNames = e.Revocation.Flags.Hex(), nonNil(e.Revocation.Flags.Names)
			}
		}
	}
	for _, e := range op.Events {
		switch {
		case e.ID == EventCache || e.ID == EventWire:
			x := e.Retrieval
			j := RetrievalJSON{URL: x.URL, Kind: x.Kind(), From: "cache", OK: e.Result.OK(), FlagNames: x.Flags.Names}
			if x.Wire {
				j.From = "network"
			}
			if !e.Result.OK() {
				code := e.Result
				if x.ActionError.Set && !x.ActionError.OK() {
					code = x.ActionError
				}
				j.Error, j.ErrorName = code.Hex(), code.Name()
			}
			if x.Timeout.Set {
				j.Timeout = x.Timeout.String()
			}
			r.Retrievals = append(r.Retrievals, j)
		case e.ID == EventRejected:
			x := e.Rejected
			j := RejectedJSON{Action: x.Action, Subject: x.Subject.Subject}
			if x.Object != nil {
				j.URL, j.Kind, j.Location = x.Object.URL, x.Object.Kind, x.Object.Location
			}
			r.Rejected = append(r.Rejected, j)
		case e.ID == EventRevocation:
			x := e.Revocation
			code := e.Result
			if x.Error.Set {
				code = x.Error
			}
			j := RevocationJSON{Subject: x.Certificate.Subject, Result: code.Hex(), Name: code.Name(), Freshness: x.ActualFreshness.String()}
			if x.Object != nil {
				j.Source, j.Location = x.Object.Kind, x.Object.Location
			}
			r.Revocations = append(r.Revocations, j)
		}
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Time returns the validation time of the operation: the timeToUse or
// currentTime of its revocation checks, else its start.
func (op *Operation) Time() time.Time {
	for _, e := range op.Events {
		if e.Revocation != nil {
			if !e.Revocation.TimeToUse.IsZero() {
				return e.Revocation.TimeToUse
			}
			if !e.Revocation.CurrentTime.IsZero() {
				return e.Revocation.CurrentTime
			}
		}
	}
	return op.Start
}

func (op *Operation) windowsOutcome() *Outcome {
	ch := op.Chain()
	if ch == nil {
		p := op.Policy()
		if p == nil {
			return nil
		}
		return &Outcome{Elements: []ElementJSON{}, Result: p.Result.Hex(), Policy: policyJSON(p)}
	}
	o := &Outcome{Result: ch.Result.Hex(), Elements: []ElementJSON{}}
	if len(ch.Chain.Chains) > 0 {
		sc := ch.Chain.Chains[0]
		t := sc.TrustStatus.JSON()
		o.TrustStatus = &t
		for _, e := range sc.Elements {
			j := ElementJSON{Subject: e.Cert.Subject, SHA1: e.Cert.SHA1, TrustStatus: e.TrustStatus.JSON()}
			if e.Revocation != nil {
				j.Revocation = &RevocationInfo{Result: e.Revocation.Result.Hex()}
				if e.Revocation.Object != nil {
					j.Revocation.Source, j.Revocation.Location = e.Revocation.Object.Kind, e.Revocation.Object.Location
				}
			}
			o.Elements = append(o.Elements, j)
		}
	}
	o.Policy = policyJSON(op.Policy())
	return o
}

func policyJSON(p *Event) *PolicyJSON {
	if p == nil {
		return nil
	}
	return &PolicyJSON{Name: policyName(p.Policy.Policy), Error: p.Result.Hex(), ErrorName: p.Result.Name(),
		ChainIndex: p.Policy.ChainIndex, ElementIndex: p.Policy.ElementIndex}
}

// ReportReplay renders the operation with a replay's result.
func (op *Operation) ReportReplay(rp *Replay) *OperationReport {
	r := op.Report()
	r.ReplayNotes = rp.Notes
	if rp.Winchain != nil {
		r.Winchain = rp.Winchain
		agree := rp.Agree
		r.Agree = &agree
		r.Differences = rp.Differences
	}
	return r
}

// WriteReplay prints a replay's result under the timeline: agree, or the
// differences, and what could not be rebuilt.
func WriteReplay(w io.Writer, rp *Replay) error {
	var b strings.Builder
	switch {
	case rp.Winchain == nil:
		b.WriteString("replay: not replayed\n")
	case rp.Agree:
		fmt.Fprintf(&b, "replay: agree (winchain: chain %s, policy %s)\n", rp.Winchain.TrustStatus.ErrorStatus, rp.Winchain.Policy.Error)
	default:
		b.WriteString("replay: DIFFERENT\n")
		for _, d := range rp.Differences {
			fmt.Fprintf(&b, "  %s\n", d)
		}
	}
	for _, n := range rp.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
