// Package archtest keeps winchain's layering visible (docs/architecture.md):
// it fails when a package imports one above it in the dependency direction
// (cmd → scenario, capi2, preflight, certutil, inspect → client → chain →
// revocation, aia → cache → (Fetcher) ← netsim; certs and clock at the
// bottom), and when code above client skips it by building the layers
// below itself (cache.NewRetriever, revocation.NewChecker, aia.NewSource,
// chain.NewEngine).
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

// rank orders the top-level packages: a package may import only packages of
// a lower rank. Packages not listed (and internal helpers) are checked only
// when they import something listed above themselves.
var rank = map[string]int{
	"clock":        0,
	"certs":        0,
	"cache":        1,
	"netsim":       2,
	"revocation":   3,
	"aia":          3,
	"chain":        4,
	"client":       5,
	"certutil":     6,
	"scenario":     6,
	"preflight":    6,
	"capi2":        6,
	"inspect":      6,
	"cmd/winchain": 7,
	"examples":     7,
}

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
	write := func(rel, src string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cache/bad.go", "package cache\nimport _ \""+module+"/chain\"\n")
	write("chain/ok.go", "package chain\nimport _ \""+module+"/cache\"\n")
	// Layer skipping: a scenario file building its own Retriever (under an
	// import alias) and a cmd test building an Engine; the same packages
	// may use the layers' types and other functions.
	write("scenario/wire.go", "package scenario\nimport c \""+module+"/cache\"\nvar r, _ = c.NewRetriever(c.Config{})\nvar m, _ = c.OfflinePreset(\"none\")\n")
	write("cmd/winchain/x_test.go", "package main\nimport \""+module+"/chain\"\nvar e = chain.NewEngine(chain.Config{})\n")
	write("client/client.go", "package client\nimport \""+module+"/chain\"\nvar e = chain.NewEngine(chain.Config{})\n")
	v, checked, err := violations(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cache/bad.go: package cache (layer 1) may not import chain",
		"cmd/winchain/x_test.go: calls chain.NewEngine",
		"scenario/wire.go: calls cache.NewRetriever",
	}
	if checked != 5 || len(v) != len(want) {
		t.Fatalf("want %d violations in 5 files, got %d checked, %q", len(want), checked, v)
	}
	for i, w := range want {
		if !strings.HasPrefix(v[i], w) {
			t.Errorf("violation %d = %q, want it to start %q", i, v[i], w)
		}
	}
}

// violations walks a source tree and lists every upward import and every
// layer constructor called above client, sorted by file.
func violations(rootDir string) ([]string, int, error) {
	fset := token.NewFileSet()
	checked := 0
	var out []string
	above := rank["client"]
	err := walkGo(rootDir, func(path string) error {
		isTest := strings.HasSuffix(path, "_test.go")
		rel, _ := filepath.Rel(rootDir, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		from, ok := layer(rel)
		if !ok || (isTest && from <= above) {
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
			to, ok := layer(target)
			if !ok || isTest {
				continue
			}
			if to >= from && layerName(target) != layerName(rel) {
				out = append(out, relPath+": package "+rel+" (layer "+strconv.Itoa(from)+") may not import "+target+" (layer "+strconv.Itoa(to)+"); see docs/architecture.md")
			}
		}
		if from > above {
			out = append(out, layerSkips(f, relPath, names)...)
		}
		return nil
	})
	sort.Strings(out)
	return out, checked, err
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
