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
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/internal/boundedio"
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
	// Registry, if set, is a `reg export` file (at most
	// client.MaxRegExportSize bytes; "-" is standard input, read once for
	// every reader) copied beside the scenario and named in every group's
	// profile.
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
	if so.Clients <= 0 {
		so.Clients = DefaultScenarioClients
	}
	if so.Revocation == "" {
		so.Revocation = chain.DefaultRevocationMode
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	sw := &scenarioWriter{rel: scenarioUnsafe.ReplaceAllString(base, "_") + "-files", names: map[[20]byte]string{}}
	sw.dir = filepath.Join(filepath.Dir(path), sw.rel)
	if err := os.MkdirAll(sw.dir, 0o755); err != nil {
		return err
	}
	if err := sw.addPKI(r.in, so); err != nil {
		return err
	}
	if err := sw.addNetwork(r.in.observed); err != nil {
		return err
	}
	if so.Registry != "" {
		data, err := boundedio.ReadFile(so.Registry, client.MaxRegExportSize)
		if err != nil {
			return err
		}
		if sw.registry, err = sw.write("chain-config.reg", data); err != nil {
			return err
		}
	}
	return os.WriteFile(path, []byte(sw.render(base, filepath.Base(path), r, so)), 0o644)
}

// scenarioWriter collects the files and YAML lines of a written scenario.
type scenarioWriter struct {
	dir, rel                       string              // the files folder, and its name relative to the scenario
	names                          map[[20]byte]string // certificate name by thumbprint
	certs                          []string            // pki.certs lines
	oldChain, newChain, roots, cas []string
	static, network                []string // static: and network: lines
	registry                       string   // the copied .reg file, if any
}

// write stores a file in the files folder and returns its scenario path.
func (sw *scenarioWriter) write(name string, data []byte) (string, error) {
	if err := os.WriteFile(filepath.Join(sw.dir, name), data, 0o644); err != nil {
		return "", err
	}
	return sw.rel + "/" + name, nil
}

// cert names a certificate (once per thumbprint) and writes it.
func (sw *scenarioWriter) cert(prefix string, i int, c *certs.Certificate) (string, error) {
	if n, ok := sw.names[c.SHA1]; ok {
		return n, nil
	}
	n := fmt.Sprintf("%s-%d", prefix, i)
	f, err := sw.write(n+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.X.Raw}))
	if err != nil {
		return "", err
	}
	sw.names[c.SHA1] = n
	sw.certs = append(sw.certs, fmt.Sprintf("    %s: %s", n, f))
	return n, nil
}

// certList names a list of certificates, numbered from first.
func (sw *scenarioWriter) certList(prefix string, first int, cs []*certs.Certificate) ([]string, error) {
	var out []string
	for i, c := range cs {
		n, err := sw.cert(prefix, first+i, c)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// addPKI writes the two chains and the clients' stores.
func (sw *scenarioWriter) addPKI(in *analysis, so ScenarioOptions) error {
	var err error
	if sw.oldChain, err = sw.certList("old", 0, in.old.Certs); err != nil {
		return err
	}
	if sw.newChain, err = sw.certList("new", 0, in.new.Certs); err != nil {
		return err
	}
	if sw.roots, err = sw.certList("root", 1, so.Roots); err != nil {
		return err
	}
	sw.cas, err = sw.certList("ca", 1, so.CAs)
	return err
}

// addNetwork turns what the network answered into static objects and
// failure rules, in URL order.
func (sw *scenarioWriter) addNetwork(observed map[string]*cache.Result) error {
	urls := make([]string, 0, len(observed))
	for u := range observed {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for i, u := range urls {
		rt := observed[u]
		if rt.OK {
			f, err := sw.write(fmt.Sprintf("url-%d%s", i+1, kindExt(rt.Kind)), rt.Body)
			if err != nil {
				return err
			}
			sw.static = append(sw.static, fmt.Sprintf("  - {url: %s, file: %s}", yamlQuote(u), f))
			continue
		}
		switch reason := cache.ReasonOf(rt.Err); reason {
		case cache.ReasonOffline, cache.ReasonTimeout, cache.ReasonReset:
			sw.network = append(sw.network, fmt.Sprintf("  - {url: %s, fail: %s}", yamlQuote(u), reason))
		case cache.ReasonHTTPStatus:
			sw.network = append(sw.network, fmt.Sprintf("  - {url: %s, status: %d}", yamlQuote(u), rt.Status))
		}
	}
	return nil
}

// render writes the scenario YAML.
func (sw *scenarioWriter) render(base, file string, r *Report, so ScenarioOptions) string {
	in := r.in
	host := in.opts.ServerName
	if host == "" {
		host = in.new.Leaf().X.Subject.CommonName
	}
	start := r.New.Time.Add(-scenarioSwapAt)
	revertAt := scenarioSwapAt + in.opts.RevertAfter
	duration := max(scenarioDuration, revertAt+scenarioAfterRevert)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	lines := func(header string, ls []string) {
		if len(ls) > 0 {
			w("%s", header)
			for _, l := range ls {
				w("%s", l)
			}
		}
	}
	w("# Written by `winchain preflight --scenario`: the planned swap of %s", host)
	w("# (%s -> %s) and its revert, over the clients' network as the preflight saw it.", thumb(in.old.Leaf()), thumb(in.new.Leaf()))
	w("# Run it with: winchain simulate %s", file)
	w("name: %s", yamlQuote(base))
	w("start: %s", start.UTC().Format(time.RFC3339))
	w("duration: %s", shortDur(duration))
	w("step: 5m")
	w("seed: 1")
	lines("pki:\n  certs:", sw.certs)
	lines("static:  # what each URL served during the preflight, served as it is", sw.static)
	lines("network:  # URLs that failed during the preflight, failing the same way", sw.network)
	w("endpoints:")
	w("  - {name: server, host: %s, chain: [%s]}", yamlQuote(host), strings.Join(sw.oldChain, ", "))
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
		w("    roots: [%s]", strings.Join(sw.roots, ", "))
		w("    ca: [%s]", strings.Join(sw.cas, ", "))
		w("    profile:")
		w("      revocation: %s", so.Revocation)
		if sw.registry != "" {
			w("      registry: %s", sw.registry)
		}
		if g.principal != "" {
			w("      principalName: %s", yamlQuote(g.principal))
		}
	}
	w("events:")
	w("  - {at: %s, swap: {endpoint: server, chain: [%s]}}", shortDur(scenarioSwapAt), strings.Join(sw.newChain, ", "))
	w("  - {at: %s, revert: server}", shortDur(revertAt))
	w("asserts:  # every client has connected within 15m of each event")
	for _, g := range groups {
		w("  - {by: %s, group: %s, outcome: trusted, atLeast: 99%%}", shortDur(scenarioSwapAt+30*time.Minute), yamlQuote(g.name))
		w("  - {by: %s, group: %s, outcome: trusted, atLeast: 99%%}", shortDur(revertAt+30*time.Minute), yamlQuote(g.name))
	}
	return b.String()
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
