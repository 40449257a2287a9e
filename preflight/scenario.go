package preflight

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// Defaults of ScenarioOptions.
const (
	// DefaultScenarioClients is the size of each group when
	// ScenarioOptions.Clients is zero.
	DefaultScenarioClients = 1000
	// scenarioSwapAt places the swap in the written scenario (an offset
	// from its start; the revert follows Options.RevertAfter later);
	// scenarioDuration is the least run length, and the run lasts at least
	// scenarioAfterRevert past the revert: every client connects a few
	// times after each event.
	scenarioSwapAt      = time.Hour
	scenarioDuration    = 6 * time.Hour
	scenarioAfterRevert = 2 * time.Hour
)

// ScenarioOptions describe the fleet of a written scenario. The zero value
// writes DefaultScenarioClients clients per group, revocation
// chain-exclude-root, no registry file.
type ScenarioOptions struct {
	// Clients is the number of clients of each group; zero means
	// DefaultScenarioClients.
	Clients int
	// Roots and CAs are the clients' Root and CA stores.
	Roots, CAs []*certs.Certificate
	// Revocation is the profile's revocation mode (none, end, chain,
	// chain-exclude-root); empty means chain-exclude-root.
	Revocation string
	// Registry, if set, is a `reg export` file copied beside the scenario
	// and named in every group's profile.
	Registry string
}

// scenarioName keeps generated names to what scenario files accept.
var scenarioUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// WriteScenario writes a scenario file for `winchain simulate` of the
// swap and the revert the report judged, over the fleet so describes: the
// server presents the old chain, swaps to the new one an hour after the
// start (at Options.At) and reverts RevertAfter later; one group of
// clients without a principal name and one per principal name; the
// network as the preflight saw it (each object it fetched served as it is
// under static:, each failing URL failing the same way under network:).
// The certificates and fetched objects go to a folder beside path
// ("NAME-files"). Asserts make simulate exit 1 when fewer than 99 % of a
// group are trusted after the swap or after the revert.
func WriteScenario(path string, r *Report, so ScenarioOptions) error {
	if r == nil || r.in == nil {
		return errors.New("preflight: WriteScenario needs a report from Analyze")
	}
	in := r.in
	if so.Clients <= 0 {
		so.Clients = DefaultScenarioClients
	}
	if so.Revocation == "" {
		so.Revocation = "chain-exclude-root"
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	filesRel := scenarioUnsafe.ReplaceAllString(base, "_") + "-files"
	filesDir := filepath.Join(filepath.Dir(path), filesRel)
	if err := os.MkdirAll(filesDir, 0o755); err != nil {
		return err
	}
	write := func(name string, data []byte) (string, error) {
		if err := os.WriteFile(filepath.Join(filesDir, name), data, 0o644); err != nil {
			return "", err
		}
		return filesRel + "/" + name, nil
	}

	// Certificates, one name per thumbprint.
	names := map[[20]byte]string{}
	var certLines []string
	addCert := func(prefix string, i int, c *certs.Certificate) (string, error) {
		if n, ok := names[c.SHA1]; ok {
			return n, nil
		}
		n := fmt.Sprintf("%s-%d", prefix, i)
		f, err := write(n+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.X.Raw}))
		if err != nil {
			return "", err
		}
		names[c.SHA1] = n
		certLines = append(certLines, fmt.Sprintf("    %s: %s", n, f))
		return n, nil
	}
	chainNames := func(prefix string, ch *Chain) ([]string, error) {
		var out []string
		for i, c := range ch.Certs {
			n, err := addCert(prefix, i, c)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	}
	oldNames, err := chainNames("old", in.old)
	if err != nil {
		return err
	}
	newNames, err := chainNames("new", in.new)
	if err != nil {
		return err
	}
	var rootNames, caNames []string
	for i, c := range so.Roots {
		n, err := addCert("root", i+1, c)
		if err != nil {
			return err
		}
		rootNames = append(rootNames, n)
	}
	for i, c := range so.CAs {
		n, err := addCert("ca", i+1, c)
		if err != nil {
			return err
		}
		caNames = append(caNames, n)
	}

	// The network as the clients saw it.
	urls := make([]string, 0, len(in.observed))
	for u := range in.observed {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	var static, network []string
	for i, u := range urls {
		rt := in.observed[u]
		if rt.OK {
			f, err := write(fmt.Sprintf("url-%d%s", i+1, kindExt(rt.Kind)), rt.Body)
			if err != nil {
				return err
			}
			static = append(static, fmt.Sprintf("  - {url: %s, file: %s}", yamlQuote(u), f))
			continue
		}
		switch reason := cache.ReasonOf(rt.Err); reason {
		case cache.ReasonOffline, cache.ReasonTimeout, cache.ReasonReset:
			network = append(network, fmt.Sprintf("  - {url: %s, fail: %s}", yamlQuote(u), reason))
		case cache.ReasonHTTPStatus:
			network = append(network, fmt.Sprintf("  - {url: %s, status: %d}", yamlQuote(u), rt.Status))
		}
	}
	var registry string
	if so.Registry != "" {
		data, err := os.ReadFile(so.Registry)
		if err != nil {
			return err
		}
		if registry, err = write("chain-config.reg", data); err != nil {
			return err
		}
	}

	host := in.opts.ServerName
	if host == "" {
		host = in.new.Leaf().X.Subject.CommonName
	}
	start := r.New.Time.Add(-scenarioSwapAt)
	revertAt := scenarioSwapAt + in.opts.RevertAfter
	duration := max(scenarioDuration, revertAt+scenarioAfterRevert)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# Written by `winchain preflight --scenario`: the planned swap of %s", host)
	w("# (%s -> %s) and its revert, over the clients' network as the preflight saw it.", thumb(in.old.Leaf()), thumb(in.new.Leaf()))
	w("# Run it with: winchain simulate %s", filepath.Base(path))
	w("name: %s", yamlQuote(base))
	w("start: %s", start.UTC().Format(time.RFC3339))
	w("duration: %s", shortDur(duration))
	w("step: 5m")
	w("seed: 1")
	w("pki:")
	w("  certs:")
	for _, l := range certLines {
		w("%s", l)
	}
	if len(static) > 0 {
		w("static:  # what each URL served during the preflight, served as it is")
		for _, l := range static {
			w("%s", l)
		}
	}
	if len(network) > 0 {
		w("network:  # URLs that failed during the preflight, failing the same way")
		for _, l := range network {
			w("%s", l)
		}
	}
	w("endpoints:")
	w("  - {name: server, host: %s, chain: [%s]}", yamlQuote(host), strings.Join(oldNames, ", "))
	groups := []struct{ name, principal string }{{"clients", ""}}
	for _, pn := range in.opts.PrincipalNames {
		name, _ := parsePrincipal(pn)
		groups = append(groups, struct{ name, principal string }{"outlook-" + scenarioUnsafe.ReplaceAllString(name, "_"), pn})
	}
	w("groups:")
	for _, g := range groups {
		w("  - name: %s", yamlQuote(g.name))
		w("    count: %d", so.Clients)
		w("    connectEvery: 15m")
		w("    roots: [%s]", strings.Join(rootNames, ", "))
		w("    ca: [%s]", strings.Join(caNames, ", "))
		w("    profile:")
		w("      revocation: %s", so.Revocation)
		if registry != "" {
			w("      registry: %s", registry)
		}
		if g.principal != "" {
			w("      principalName: %s", yamlQuote(g.principal))
		}
	}
	w("events:")
	w("  - {at: %s, swap: {endpoint: server, chain: [%s]}}", shortDur(scenarioSwapAt), strings.Join(newNames, ", "))
	w("  - {at: %s, revert: server}", shortDur(revertAt))
	w("asserts:  # every client has connected within 15m of each event")
	for _, g := range groups {
		w("  - {by: %s, group: %s, outcome: trusted, atLeast: 99%%}", shortDur(scenarioSwapAt+30*time.Minute), yamlQuote(g.name))
		w("  - {by: %s, group: %s, outcome: trusted, atLeast: 99%%}", shortDur(revertAt+30*time.Minute), yamlQuote(g.name))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// shortDur writes a duration as a scenario file would ("1h", "2h30m").
func shortDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func kindExt(k cache.Kind) string {
	switch k {
	case cache.KindAIA:
		return ".crt"
	case cache.KindOCSP:
		return ".ocsp"
	}
	return ".crl"
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
