package preflight

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Severity says how bad a finding is.
type Severity string

// Severities.
const (
	// Blocking: clients will fail (the swap, or the revert, breaks them).
	Blocking Severity = "blocking"
	// Warning: clients may fail or hang, depending on their state or
	// settings, or a later step will.
	Warning Severity = "warning"
	// Info: a change clients will notice without failing.
	Info Severity = "info"
)

// Finding IDs (docs/cli.md). They are a contract: new ones may be added,
// none renamed.
const (
	IDNameMismatch     = "name-mismatch"
	IDPrincipalName    = "principal-name"
	IDNewIssuer        = "new-issuer"
	IDAIANeeded        = "aia-needed"
	IDNewRevocationURL = "new-revocation-url"
	IDURLUnreachable   = "revocation-url-unreachable"
	IDOldRevoked       = "old-revoked"
	IDWeakCrypto       = "weak-crypto"
	IDNotYetValid      = "not-yet-valid"
	IDExpiresSoon      = "expires-soon"
	IDEKU              = "eku"
	IDKeyChanged       = "key-changed"
	IDSessionReset     = "session-reset"
	// IDNewChain is the new chain's own policy result when no other
	// finding explains it.
	IDNewChain = "new-chain"
	// IDRevert is the old chain failing at the revert for a reason other
	// than its revocation.
	IDRevert = "revert"
	// IDCacheProblem is a file of the clients' cache folder that a
	// retrieval could not use or write (cache.Result.Problems): the
	// clients went on without it.
	IDCacheProblem = "cache-problem"
)

// Finding is one difference that matters to a Windows client.
type Finding struct {
	// ID names the kind of finding (the ID* constants).
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	// Result is the name of the HRESULT a client would see
	// (CERT_E_CN_NO_MATCH, CRYPT_E_REVOCATION_OFFLINE, …), or empty.
	Result string `json:"result"`
	// Detail says what differs, in words.
	Detail string `json:"detail"`
	// Affected says which clients are affected and when.
	Affected string `json:"affected"`
	// Old and New are the values compared, when the finding compares one.
	Old string `json:"old"`
	New string `json:"new"`
	// Name is the server or principal name the finding is about, if any.
	Name string `json:"name,omitempty"`
	// URL is the URL the finding is about, if any.
	URL string `json:"url,omitempty"`
	// BlockSeconds is how long one client connection is blocked in URL
	// retrievals because of this finding (0 when not blocked).
	BlockSeconds float64 `json:"blockSeconds,omitempty"`
}

// ChainResult is what a Windows client concluded about one chain.
type ChainResult struct {
	// Source is where the chain came from.
	Source string `json:"source"`
	// Subject and SHA1 identify the end certificate.
	Subject string `json:"subject"`
	SHA1    string `json:"sha1"`
	// Time is when the client judged it.
	Time time.Time `json:"time"`
	// Result is "trusted" or the policy's HRESULT name.
	Result string `json:"result"`
	// Detail says why it failed ("" when trusted).
	Detail string `json:"detail,omitempty"`
	// Chain lists the subjects of the built chain, end certificate first,
	// each with where the client found it.
	Chain []string `json:"chain"`
	// BlockSeconds is the time spent blocked in URL retrievals.
	BlockSeconds float64 `json:"blockSeconds"`
}

// Report is the outcome of a preflight.
type Report struct {
	// Blocking is true when at least one finding is blocking.
	Blocking bool `json:"blocking"`
	// Old is the current chain judged at the swap time, New the planned
	// one at the swap time by the same client (its caches hold what the
	// old chain fetched), Revert the current chain again by that client at
	// the revert time. FirstConnection is the new chain on a client with
	// nothing cached (a new machine, or one whose URL cache was flushed).
	Old             *ChainResult `json:"old"`
	New             *ChainResult `json:"new"`
	FirstConnection *ChainResult `json:"firstConnection"`
	Revert          *ChainResult `json:"revert"`
	// Findings lists what matters, blocking ones first.
	Findings []Finding `json:"findings"`
	// Steps says what to do first, in order.
	Steps []string `json:"steps"`

	in *analysis
}

// Has reports whether the report holds a finding with this ID.
func (r *Report) Has(id string) bool { return r.Find(id) != nil }

// Find returns the first finding with this ID, or nil.
func (r *Report) Find(id string) *Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}

// WriteText prints the report for a person: the three chain results, the
// findings (blocking first), then the steps.
func (r *Report) WriteText(w io.Writer) {
	for _, c := range []struct {
		label string
		r     *ChainResult
	}{{"old (before the swap)", r.Old}, {"new (at the swap)", r.New}, {"new (nothing cached)", r.FirstConnection}, {"old (at the revert)", r.Revert}} {
		if c.r == nil {
			continue
		}
		fmt.Fprintf(w, "%-23s %s  %s  %s\n", c.label+":", c.r.Result, c.r.Subject, c.r.SHA1)
		if c.r.Detail != "" {
			fmt.Fprintf(w, "%-23s %s\n", "", c.r.Detail)
		}
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "\nno differences that matter to a Windows client")
	} else {
		fmt.Fprintf(w, "\n%d findings:\n", len(r.Findings))
	}
	for _, f := range r.Findings {
		res := f.Result
		if res == "" {
			res = "-"
		}
		fmt.Fprintf(w, "  [%s] %s: %s\n", f.Severity, f.ID, res)
		fmt.Fprintf(w, "      %s\n", f.Detail)
		if f.Affected != "" {
			fmt.Fprintf(w, "      affected: %s\n", f.Affected)
		}
	}
	if len(r.Steps) > 0 {
		fmt.Fprintln(w, "\ndo this first:")
		for i, s := range r.Steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	}
	if r.Blocking {
		fmt.Fprintln(w, "\nblocking: do not swap until the blocking findings are fixed")
	}
}

func seconds(d time.Duration) float64 { return d.Round(time.Millisecond).Seconds() }

func joinComma(xs []string) string {
	if len(xs) == 0 {
		return "(none)"
	}
	return strings.Join(xs, ", ")
}
