// Package archtest keeps winchain's layering visible (docs/architecture.md):
// it fails when a package imports one above it in the dependency direction
// (cmd → scenario, capi2, preflight, certutil, inspect → client → chain →
// revocation, aia → cache → (Fetcher) ← netsim; certs and clock under
// everything, the internal helpers under them), when a package has no place
// in that picture, when code below client uses the simulated network or
// production code uses the test PKIs, and when code above client skips it
// by building the layers below itself (cache.NewRetriever,
// revocation.NewChecker, aia.NewSource, chain.NewEngine).
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/winchain/winchain"

// rank orders the packages: a non-test file may import only packages of a
// lower rank (a package below a listed one, such as cache/urlcache, has the
// rank of the listed one). Every package must be listed: one that is not is
// a violation, so a new package gets its place here and in
// docs/architecture.md. Test files below client are not held to the order
// (they may use testpki, netsim and the layers above their own).
var rank = map[string]int{
	// The internal helpers import no winchain package.
	"internal/boundedio": 0,
	"internal/decodeerr": 0,
	"internal/wintext":   0,
	"clock":              1,
	"certs":              1,
	"cache":              2,
	"internal/testpki":   2, // imports certs; production code may not import it (testOnly)
	"netsim":             3, // a cache.Fetcher; imported only from client up (fromClientUp)
	"revocation":         4,
	"aia":                4,
	"chain":              5,
	"client":             6,
	"certutil":           7,
	"scenario":           7,
	"preflight":          7,
	"capi2":              7,
	"inspect":            7,
	"cmd/winchain":       8,
	"examples":           8,
	"internal/archtest":  8, // tests only
	"internal/doccheck":  8, // tests only
}

// testOnly are the packages that only test files may import.
var testOnly = map[string]bool{"internal/testpki": true}

// fromClientUp are the packages that non-test code below client may not
// import: the simulated network is one of the Fetchers a client is given
// (docs/architecture.md draws it beside cache, not under the retrieval
// layers), so revocation, aia and chain see it only as a cache.Fetcher.
var fromClientUp = map[string]bool{"netsim": true}

// assembly are the layer constructors only package client calls: above it,
// code asks a client.Client instead, so one Config reaches every layer
// (issue 13). Test files above client are held to it too.
var assembly = map[string][]string{
	"cache":      {"NewRetriever"},
	"revocation": {"NewChecker"},
	"aia":        {"NewSource"},
	"chain":      {"NewEngine"},
}

func layer(pkg string) (int, bool) {
	for p := pkg; p != "." && p != ""; p = filepath.Dir(p) {
		if r, ok := rank[p]; ok {
			return r, true
		}
	}
	return 0, false
}

func TestLayering(t *testing.T) {
	v, checked, err := violations(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files checked: the walk is broken")
	}
	for _, s := range v {
		t.Error(s)
	}
}

// TestLayeringDetectsViolation proves the check can fail: a fixture tree
// whose cache package imports chain.
func TestLayeringDetectsViolation(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, src string) { writeFixture(t, dir, rel, src) }
	write("cache/bad.go", "package cache\nimport _ \""+module+"/chain\"\n")
	write("chain/ok.go", "package chain\nimport _ \""+module+"/cache\"\n")
	// Layer skipping: a scenario file building its own Retriever (under an
	// import alias) and a cmd test building an Engine; the same packages
	// may use the layers' types and other functions.
	write("scenario/wire.go", "package scenario\nimport c \""+module+"/cache\"\nvar r, _ = c.NewRetriever(c.Config{})\nvar m, _ = c.OfflinePreset(\"none\")\n")
	write("cmd/winchain/x_test.go", "package main\nimport \""+module+"/chain\"\nvar e = chain.NewEngine(chain.Config{})\n")
	write("client/client.go", "package client\nimport \""+module+"/chain\"\nvar e = chain.NewEngine(chain.Config{})\n")
	wantViolations(t, dir, 5,
		"cache/bad.go: package cache (layer 2) may not import chain",
		"cmd/winchain/x_test.go: calls chain.NewEngine",
		"scenario/wire.go: calls cache.NewRetriever",
	)
}

// TestLayeringDetectsHelperRules proves the rules beyond the layer order
// can fail: an internal helper importing a layer, a package without a rank,
// production code using the test PKIs, a layer below client using the
// simulated network. The same imports from test files, and netsim from
// client and above, pass.
func TestLayeringDetectsHelperRules(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, src string) { writeFixture(t, dir, rel, src) }
	imp := func(pkg, target string) string {
		return "package " + pkg + "\nimport _ \"" + module + "/" + target + "\"\n"
	}
	write("internal/boundedio/bad.go", imp("boundedio", "cache"))
	write("internal/newhelper/x.go", "package newhelper\n")
	write("chain/pki.go", imp("chain", "internal/testpki"))
	write("chain/pki_test.go", imp("chain", "internal/testpki"))
	write("scenario/pki_test.go", imp("scenario", "internal/testpki"))
	write("revocation/net.go", imp("revocation", "netsim"))
	write("revocation/net_test.go", imp("revocation", "netsim"))
	write("client/net.go", imp("client", "netsim"))
	write("scenario/sim.go", imp("scenario", "netsim"))
	wantViolations(t, dir, 6,
		"chain/pki.go: imports internal/testpki, which only test files may import",
		"internal/boundedio/bad.go: package internal/boundedio (layer 0) may not import cache",
		"internal/newhelper: package has no layer",
		"revocation/net.go: package revocation is below client and may not import netsim",
	)
}

// writeFixture writes one file of a fixture tree below dir.
func writeFixture(t *testing.T, dir, rel, src string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantViolations checks the fixture tree dir: checked files parsed, and
// violations starting with want, in order.
func wantViolations(t *testing.T, dir string, checked int, want ...string) {
	t.Helper()
	v, n, err := violations(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != checked || len(v) != len(want) {
		t.Fatalf("want %d violations in %d checked files, got %d checked, %q", len(want), checked, n, v)
	}
	for i, w := range want {
		if !strings.HasPrefix(v[i], w) {
			t.Errorf("violation %d = %q, want it to start %q", i, v[i], w)
		}
	}
}

// violations walks a source tree and lists every upward import, every
// package without a rank, every import that testOnly or fromClientUp
// forbids, and every layer constructor called above client, sorted by
// file.
func violations(rootDir string) ([]string, int, error) {
	fset := token.NewFileSet()
	checked := 0
	var out []string
	above := rank["client"]
	unranked := map[string]bool{}
	err := walkGo(rootDir, func(path string) error {
		isTest := strings.HasSuffix(path, "_test.go")
		rel, _ := filepath.Rel(rootDir, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		from, ok := layer(rel)
		if !ok {
			if !unranked[rel] {
				unranked[rel] = true
				out = append(out, rel+": package has no layer: give it a rank in internal/archtest and a place in docs/architecture.md")
			}
			return nil
		}
		if isTest && from <= above {
			return nil
		}
		mode := parser.ImportsOnly
		if from > above {
			mode = 0
		}
		f, err := parser.ParseFile(fset, path, nil, mode)
		if err != nil {
			return err
		}
		checked++
		relPath, _ := filepath.Rel(rootDir, path)
		relPath = filepath.ToSlash(relPath)
		names := map[string]string{} // local import name → package (module-relative)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module+"/") {
				continue
			}
			target := strings.TrimPrefix(p, module+"/")
			local := filepath.Base(target)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			names[local] = target
			if isTest {
				continue
			}
			out = append(out, importProblems(relPath, rel, from, target)...)
		}
		if from > above {
			out = append(out, layerSkips(f, relPath, names)...)
		}
		return nil
	})
	sort.Strings(out)
	return out, checked, err
}

// importProblems says what is wrong with a non-test import of target by the
// file relPath of package rel (of rank from).
func importProblems(relPath, rel string, from int, target string) []string {
	var out []string
	to, ok := layer(target)
	if ok && to >= from && layerName(target) != layerName(rel) {
		out = append(out, relPath+": package "+rel+" (layer "+strconv.Itoa(from)+") may not import "+target+" (layer "+strconv.Itoa(to)+"); see docs/architecture.md")
	}
	if testOnly[layerName(target)] && layerName(target) != layerName(rel) {
		out = append(out, relPath+": imports "+target+", which only test files may import")
	}
	if fromClientUp[layerName(target)] && from < rank["client"] && layerName(target) != layerName(rel) {
		out = append(out, relPath+": package "+rel+" is below client and may not import "+target+" (a cache.Fetcher given to a client); see docs/architecture.md")
	}
	return out
}

// walkGo calls fn for every .go file below root, skipping testdata and
// hidden folders.
func walkGo(root string, fn func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		return fn(path)
	})
}

// layerSkips lists the layer constructors of [assembly] that file f refers
// to, through whatever name it imported their package under.
func layerSkips(f *ast.File, relPath string, names map[string]string) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		pkg := names[id.Name]
		for _, fn := range assembly[pkg] {
			if sel.Sel.Name == fn {
				out = append(out, relPath+": calls "+pkg+"."+fn+"; above package client, build a client.Client instead (docs/architecture.md)")
			}
		}
		return true
	})
	return out
}

func layerName(pkg string) string {
	for p := pkg; p != "." && p != ""; p = filepath.Dir(p) {
		if _, ok := rank[p]; ok {
			return p
		}
	}
	return pkg
}
