package certutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/boundedio"
	"github.com/winchain/winchain/internal/wintext"
)

// MaxCaptureSize bounds what [ParseVerify] reads (64 MiB): certutil output
// for any real chain is a few hundred kilobytes.
const MaxCaptureSize = 64 << 20

// Word is a CERT_TRUST_STATUS DWORD or an HRESULT as read from certutil
// output. It marshals to JSON as "0x%08X", the form of docs/cli.md.
type Word uint32

// MarshalJSON writes "0x%08X".
func (w Word) MarshalJSON() ([]byte, error) { return json.Marshal(fmt.Sprintf("0x%08X", uint32(w))) }

// UnmarshalJSON reads a hex string ("0x01000040") or a number.
func (w *Word) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n uint32
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return err
		}
		*w = Word(n)
		return nil
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), 16, 32)
	if err != nil {
		return fmt.Errorf("certutil: status word %q: %w", s, err)
	}
	*w = Word(n)
	return nil
}

// Capture is what [ParseVerify] read from `certutil -verify [-urlfetch]`
// output. Its JSON is the `winchain certutil parse --json` shape of
// docs/cli.md: elements, chainErrorStatus, retrievals, verdict and unparsed
// are the contract; the other fields are extensions.
type Capture struct {
	// Elements are the CertContext[i][j] blocks, in input order.
	Elements []Element `json:"elements"`
	// ChainErrorStatus is the OR of the ChainContext.dwErrorStatus lines
	// (0 when there are none: certutil prints no line for a zero word).
	ChainErrorStatus Word `json:"chainErrorStatus"`
	// Retrievals are the URL lines of the AIA/CDP/OCSP sections, in order.
	Retrievals []Retrieval `json:"retrievals"`
	// Verdict is the closing verdict lines joined by "\n".
	Verdict string `json:"verdict"`
	// Unparsed are the non-empty lines the parser did not recognise
	// (excerpt markers, localized text, fields it does not model).
	Unparsed []string `json:"unparsed"`

	// ChainContextSeen is true when a CERT_CHAIN_CONTEXT block was read,
	// i.e. ChainErrorStatus and ChainInfoStatus are meaningful.
	ChainContextSeen bool `json:"chainContextSeen"`
	// ChainInfoStatus is the OR of the ChainContext.dwInfoStatus lines.
	ChainInfoStatus Word `json:"chainInfoStatus"`
	// ChainErrors and ChainInfo are the names on those lines.
	ChainErrors []string `json:"chainErrors,omitempty"`
	ChainInfo   []string `json:"chainInfo,omitempty"`
	// SimpleChainErrorStatus and SimpleChainInfoStatus are the
	// SimpleChain.dw*Status lines, ORed.
	SimpleChainErrorStatus Word `json:"simpleChainErrorStatus"`
	SimpleChainInfoStatus  Word `json:"simpleChainInfoStatus"`
	// ChainFlags are the names on the "ChainFlags = " lines; Engine is the
	// HCCE_* line; Policy the CERT_CHAIN_POLICY_* line.
	ChainFlags []string `json:"chainFlags,omitempty"`
	Engine     string   `json:"engine,omitempty"`
	Policy     string   `json:"policy,omitempty"`
	// Subject, Issuer and Serial are the leading certificate dump of the
	// verified certificate (one RDN per line there, joined by ", " here).
	Subject string `json:"subject,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	Serial  string `json:"serial,omitempty"`
	// ExcludeLeafChain and FullChain are the "Chain:" hashes.
	ExcludeLeafChain string `json:"excludeLeafChain,omitempty"`
	FullChain        string `json:"fullChain,omitempty"`
	// VerdictLines are the verdict lines one by one.
	VerdictLines []string `json:"verdictLines,omitempty"`
	// VerdictError is the first HRESULT in the verdict lines (0 if none).
	VerdictError Word `json:"verdictError"`
	// Passed is true when certutil said "-verify command completed
	// successfully." and printed no ERROR line.
	Passed bool `json:"passed"`
	// CRLs are the CRL blocks ("CRL 067e:", "Delta CRL 0680:").
	CRLs []CRL `json:"crls,omitempty"`

	// kinds records, per input line, what the parser made of it ("" for a
	// blank line, "unparsed" for a line kept in Unparsed). Tests and the
	// fuzz target use it to check that no line is lost.
	kinds []string
}

// Element is one CertContext[i][j] block.
type Element struct {
	// Index is j, the element index (0 is the end certificate); Chain is i.
	Index int `json:"index"`
	Chain int `json:"chain"`
	// Subject and Issuer are the one-line names ("CN=…, DC=…").
	Subject string `json:"subject"`
	Issuer  string `json:"issuer,omitempty"`
	// ErrorStatus and InfoStatus are the hex words of the CertContext line.
	ErrorStatus Word `json:"errorStatus"`
	InfoStatus  Word `json:"infoStatus"`
	// Errors and Info are the names of the Element.dw*Status lines.
	Errors []string `json:"errors,omitempty"`
	Info   []string `json:"info,omitempty"`
	// Serial and Cert are the serial number and SHA-1 thumbprint
	// (lower-case hex as certutil prints them).
	Serial    string `json:"serial,omitempty"`
	Cert      string `json:"cert,omitempty"`
	NotBefore string `json:"notBefore,omitempty"`
	NotAfter  string `json:"notAfter,omitempty"`
	// Application lists the Application[n] lines (OID and friendly name).
	Application []string `json:"application,omitempty"`
	// RevocationDate and RevocationReason are the "Revocation Date:" and
	// "CRL Reason Code:" lines of a revoked element.
	RevocationDate   string `json:"revocationDate,omitempty"`
	RevocationReason string `json:"revocationReason,omitempty"`
}

// Retrieval is one URL line of a URL section.
type Retrieval struct {
	// Section is AIA, CDP, Base CRL CDP or OCSP.
	Section string `json:"section"`
	// URL is the URL without certutil's angle brackets; empty for
	// `No URLs "None"` and for a status line without a URL (Sample E).
	URL string `json:"url"`
	// Result is the status word: Verified, OK, Expired, Failed, No URLs,
	// or winchain's Skipped.
	Result string `json:"result"`
	// What is the quoted label: "Certificate (0)", "Base CRL (067e)", "CDP".
	What string `json:"what"`
	// Error is the text after "Error retrieving URL: ".
	Error string `json:"error,omitempty"`
	// Element is the index into Capture.Elements of the block the line is
	// in, -1 before the first CertContext line (an excerpt).
	Element int `json:"element"`
	// Index is the "[i.j]" or "[i.j.k]" prefix, empty for failures.
	Index string `json:"index,omitempty"`
	// Time is the N of "Time: N" (seconds); TimeSuffix what follows it
	// (a hash with -t, Sample F's source).
	Time       int    `json:"time"`
	TimeSuffix string `json:"timeSuffix,omitempty"`
}

// OK reports whether the retrieval succeeded (Verified or OK).
func (r Retrieval) OK() bool { return r.Result == WordVerified || r.Result == WordOK }

// CRL is a "CRL nn:" / "Delta CRL nn:" block.
type CRL struct {
	Number     string `json:"number"`
	Delta      bool   `json:"delta,omitempty"`
	Issuer     string `json:"issuer,omitempty"`
	ThisUpdate string `json:"thisUpdate,omitempty"`
	NextUpdate string `json:"nextUpdate,omitempty"`
	SHA1       string `json:"sha1,omitempty"`
	Element    int    `json:"element"`
}

var (
	reCertContext = regexp.MustCompile(`^CertContext\[(\d+)\]\[(\d+)\]:\s*dwInfoStatus=([0-9a-fA-F]+)\s+dwErrorStatus=([0-9a-fA-F]+)\s*$`)
	reStatusName  = regexp.MustCompile(`^(ChainContext|SimpleChain|Element)\.dw(Error|Info)Status\s*=\s*(.*?)\s*\((0x[0-9a-fA-F]+)\)\s*$`)
	reFreshness   = regexp.MustCompile(`^(ChainContext|SimpleChain)\.dwRevocationFreshnessTime:`)
	reSection     = regexp.MustCompile(`^-{3,}\s*(Certificate AIA|Certificate CDP|Base CRL CDP|Certificate OCSP)\s*-{3,}$`)
	reDashes      = regexp.MustCompile(`^-{3,}(\s*[A-Z_ ]*\s*-{3,})?$`)
	reStatusLine  = regexp.MustCompile(`^([^"\s][^"]*?)\s+"([^"]*)"\s+Time:\s*(\d+)(?:\s+(.*))?$`)
	reIndexed     = regexp.MustCompile(`^\[(\d+(?:\.\d+)*)\]\s+(.*)$`)
	reBareURL     = regexp.MustCompile(`^<?([A-Za-z][A-Za-z0-9+.-]*:/{1,3}\S.*?)>?$`)
	reCRLHeader   = regexp.MustCompile(`^(Delta CRL|CRL) ([0-9a-fA-F]+):$`)
	reAppLine     = regexp.MustCompile(`^(Application|Issuance)\[(\d+)\]\s*=\s*(.*)$`)
	reHRESULT     = regexp.MustCompile(`0x[0-9a-fA-F]{8}`)
	reFlagLine    = regexp.MustCompile(`^(dwFlags|ChainFlags)\s*=\s*(\S+)`)
	reOIDLine     = regexp.MustCompile(`^\s*\d+(\.\d+)+(\s.*)?$`)
	reKeyValue    = regexp.MustCompile(`^(NotBefore|NotAfter|Serial|SubjectAltName|Template|Cert|Subject|Issuer|ThisUpdate|NextUpdate|CRL|Cert Serial Number|Chain|Name Hash\(sha1\)|Name Hash\(md5\)|Verified Issuance Policies|Verified Application Policies|Revocation Date|CRL Reason Code):\s*(.*)$`)
)

// ParseVerify reads text captured from `certutil -verify [-urlfetch]` (any
// Windows version; UTF-8, UTF-8 with BOM, or UTF-16 with BOM as PowerShell
// redirection writes it, or UTF-16 whose BOM was cut off: the encoding rules
// of internal/wintext; LF or CRLF). Lines it does not recognise —
// excerpt markers, localized text, fields it does not model — are kept in
// Capture.Unparsed; they are never an error. The error is for input that
// cannot be read at all.
func ParseVerify(r io.Reader) (*Capture, error) {
	data, err := boundedio.Read(r, "capture", MaxCaptureSize)
	var tl *boundedio.TooLargeError
	if errors.As(err, &tl) {
		return nil, fmt.Errorf("certutil: capture larger than %d bytes", MaxCaptureSize)
	}
	if err != nil {
		return nil, fmt.Errorf("certutil: read capture: %w", err)
	}
	return parseText(wintext.Decode(data)), nil
}

type parser struct {
	c          *Capture
	section    string  // current URL section, "" outside
	el         int     // index of the current element, -1 before the first
	last       int     // index of the last retrieval in this section, -1 none
	crl        int     // index of the current CRL block, -1 none
	header     string  // "Issuer" or "Subject" while reading the leading dump
	appPolicy  bool    // after "Verified Application Policies:"
	hashTarget *string // where the next "Chain:" line goes
	cur        string  // the current line, trimmed
	succeeded  bool    // saw "command completed successfully"
	failed     bool    // saw an ERROR or FAILED verdict line
	// issuer and subject collect the RDN lines of the leading dump.
	issuer, subject []string
}

func parseText(text string) *Capture {
	c := &Capture{Elements: []Element{}, Retrievals: []Retrieval{}, Unparsed: []string{}}
	p := &parser{c: c, el: -1, last: -1, crl: -1}
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimRight(raw, "\r")
		c.kinds = append(c.kinds, p.line(line))
	}
	c.Verdict = strings.Join(c.VerdictLines, "\n")
	if len(p.issuer) > 0 {
		c.Issuer = strings.Join(p.issuer, ", ")
	}
	if len(p.subject) > 0 {
		c.Subject = strings.Join(p.subject, ", ")
	}
	c.Passed = p.succeeded && !p.failed
	if m := reHRESULT.FindString(c.Verdict); m != "" {
		n, _ := strconv.ParseUint(m[2:], 16, 32)
		c.VerdictError = Word(n)
	}
	return c
}

// unparsed keeps the current line in Unparsed.
func (p *parser) unparsed() string {
	p.c.Unparsed = append(p.c.Unparsed, p.cur)
	return "unparsed"
}

// line handles one line and says what it was.
func (p *parser) line(raw string) string {
	c := p.c
	line := strings.TrimSpace(raw)
	if line == "" {
		return ""
	}
	p.cur = line
	indented := raw != strings.TrimLeft(raw, " \t")

	// The leading certificate dump: "Issuer:" / "Subject:" alone, then one
	// indented RDN per line.
	if p.header != "" && indented && p.el < 0 {
		if strings.HasPrefix(line, "Name Hash(") {
			return "header"
		}
		if p.header == "Subject" {
			p.subject = append(p.subject, line)
		} else {
			p.issuer = append(p.issuer, line)
		}
		return "header"
	}
	p.header = ""
	if p.appPolicy && reOIDLine.MatchString(line) {
		return "policy"
	}
	p.appPolicy = false

	if m := reCertContext.FindStringSubmatch(line); m != nil {
		ci, _ := strconv.Atoi(m[1])
		ei, _ := strconv.Atoi(m[2])
		info, _ := strconv.ParseUint(m[3], 16, 32)
		errs, _ := strconv.ParseUint(m[4], 16, 32)
		c.Elements = append(c.Elements, Element{Index: ei, Chain: ci, InfoStatus: Word(info), ErrorStatus: Word(errs)})
		p.el = len(c.Elements) - 1
		p.section, p.last, p.crl = "", -1, -1
		return "element"
	}
	if m := reStatusName.FindStringSubmatch(line); m != nil {
		v, _ := strconv.ParseUint(m[4][2:], 16, 32)
		isErr := m[2] == "Error"
		switch m[1] {
		case "ChainContext":
			c.ChainContextSeen = true
			if isErr {
				c.ChainErrorStatus |= Word(v)
				c.ChainErrors = append(c.ChainErrors, m[3])
			} else {
				c.ChainInfoStatus |= Word(v)
				c.ChainInfo = append(c.ChainInfo, m[3])
			}
		case "SimpleChain":
			if isErr {
				c.SimpleChainErrorStatus |= Word(v)
			} else {
				c.SimpleChainInfoStatus |= Word(v)
			}
		case "Element":
			if p.el < 0 {
				return p.unparsed()
			}
			e := &c.Elements[p.el]
			if isErr {
				e.Errors = append(e.Errors, m[3])
			} else {
				e.Info = append(e.Info, m[3])
			}
		}
		return "status"
	}
	if reFreshness.MatchString(line) {
		c.ChainContextSeen = true
		return "freshness"
	}
	if m := reSection.FindStringSubmatch(line); m != nil {
		p.section = strings.TrimPrefix(m[1], "Certificate ")
		p.last, p.crl = -1, -1
		return "section"
	}
	if reDashes.MatchString(line) {
		if strings.Contains(line, "CERT_CHAIN_CONTEXT") {
			c.ChainContextSeen = true
		}
		p.section, p.last = "", -1
		return "separator"
	}
	if p.section != "" {
		if k := p.urlLine(line); k != "" {
			return k
		}
	}
	if m := reCRLHeader.FindStringSubmatch(line); m != nil {
		c.CRLs = append(c.CRLs, CRL{Number: m[2], Delta: m[1] == "Delta CRL", Element: p.el})
		p.crl = len(c.CRLs) - 1
		return "crl"
	}
	if m := reAppLine.FindStringSubmatch(line); m != nil {
		p.crl = -1
		if m[1] == "Application" && p.el >= 0 {
			c.Elements[p.el].Application = append(c.Elements[p.el].Application, m[3])
		}
		return "usage"
	}
	if m := reFlagLine.FindStringSubmatch(line); m != nil {
		if m[1] == "ChainFlags" {
			c.ChainFlags = append(c.ChainFlags, m[2])
		}
		return "flags"
	}
	if strings.HasPrefix(line, "HCCE_") && !strings.Contains(line, " ") {
		c.Engine = line
		return "engine"
	}
	if strings.HasPrefix(line, "CERT_CHAIN_POLICY_") && !strings.Contains(line, " ") {
		c.Policy = strings.TrimPrefix(line, "CERT_CHAIN_POLICY_")
		return "policy"
	}
	switch line {
	case "Exclude leaf cert:":
		p.hashTarget = &c.ExcludeLeafChain
		return "hash"
	case "Full chain:":
		p.hashTarget = &c.FullChain
		return "hash"
	}
	if isVerdict(line) {
		c.VerdictLines = append(c.VerdictLines, line)
		if strings.Contains(line, "command completed successfully") {
			p.succeeded = true
		}
		if strings.HasPrefix(line, "ERROR") || strings.Contains(line, "FAILED") {
			p.failed = true
		}
		return "verdict"
	}
	if m := reKeyValue.FindStringSubmatch(line); m != nil {
		return p.keyValue(m[1], strings.TrimSpace(m[2]))
	}
	return p.unparsed()
}

func isVerdict(line string) bool {
	for _, pre := range []string{"CertUtil:", "ERROR:", "Leaf certificate", "Verifies against", "Cannot check leaf"} {
		if strings.HasPrefix(line, pre) {
			return true
		}
	}
	return false
}

// urlLine handles the lines of a URL section; "" means not a URL line.
func (p *parser) urlLine(line string) string {
	c := p.c
	if m := reStatusLine.FindStringSubmatch(line); m != nil {
		t, _ := strconv.Atoi(m[3])
		c.Retrievals = append(c.Retrievals, Retrieval{Section: p.section, Result: m[1], What: m[2], Time: t, TimeSuffix: m[4], Element: p.el})
		p.last = len(c.Retrievals) - 1
		return "retrieval"
	}
	if rest, ok := strings.CutPrefix(line, "Error retrieving URL:"); ok {
		if p.last < 0 {
			c.Retrievals = append(c.Retrievals, Retrieval{Section: p.section, Element: p.el})
			p.last = len(c.Retrievals) - 1
		}
		c.Retrievals[p.last].Error = strings.TrimSpace(rest)
		return "retrieval"
	}
	index, url := "", ""
	if m := reIndexed.FindStringSubmatch(line); m != nil {
		index, url = m[1], unbracket(m[2])
	} else if m := reBareURL.FindStringSubmatch(line); m != nil {
		url = m[1]
	} else {
		return ""
	}
	if p.last >= 0 && c.Retrievals[p.last].URL == "" && c.Retrievals[p.last].Result != WordNoURLs {
		c.Retrievals[p.last].URL, c.Retrievals[p.last].Index = url, index
	} else {
		c.Retrievals = append(c.Retrievals, Retrieval{Section: p.section, URL: url, Index: index, Element: p.el})
		p.last = len(c.Retrievals) - 1
	}
	return "url"
}

func unbracket(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		return s[1 : len(s)-1]
	}
	return s
}

func (p *parser) keyValue(key, val string) string {
	c := p.c
	if p.crl >= 0 {
		cr := &c.CRLs[p.crl]
		switch key {
		case "Issuer":
			cr.Issuer = val
			return "crl"
		case "ThisUpdate":
			cr.ThisUpdate = val
			return "crl"
		case "NextUpdate":
			cr.NextUpdate = val
			return "crl"
		case "CRL":
			cr.SHA1 = val
			p.crl = -1
			return "crl"
		}
	}
	switch key {
	case "Issuer", "Subject":
		if val == "" {
			if p.el < 0 {
				p.header = key
				return "header"
			}
			return p.unparsed()
		}
		if p.el < 0 {
			return p.unparsed()
		}
		if key == "Issuer" {
			c.Elements[p.el].Issuer = val
		} else {
			c.Elements[p.el].Subject = val
		}
		return "element"
	case "Cert Serial Number":
		c.Serial = val
		return "header"
	case "Name Hash(sha1)", "Name Hash(md5)":
		return "header"
	case "Chain":
		if p.hashTarget != nil {
			*p.hashTarget = val
			p.hashTarget = nil
			return "hash"
		}
		return p.unparsed()
	case "Verified Issuance Policies":
		return "policy"
	case "Verified Application Policies":
		p.appPolicy = true
		return "policy"
	}
	if p.el < 0 {
		return p.unparsed()
	}
	e := &c.Elements[p.el]
	switch key {
	case "NotBefore":
		e.NotBefore = val
	case "NotAfter":
		e.NotAfter = val
	case "Serial":
		e.Serial = val
	case "Cert":
		e.Cert = val
	case "Revocation Date":
		e.RevocationDate = val
	case "CRL Reason Code":
		e.RevocationReason = val
	case "SubjectAltName", "Template":
	default:
		return p.unparsed()
	}
	return "element"
}

// ChainStatus returns the capture's chain error and info status as the
// chain package's types.
func (c *Capture) ChainStatus() chain.TrustStatus {
	return chain.TrustStatus{ErrorStatus: chain.ErrorStatus(c.ChainErrorStatus), InfoStatus: chain.InfoStatus(c.ChainInfoStatus)}
}
