// Package archtest keeps winchain's layering visible: it fails when a
// package imports one above it in the dependency direction of
// ARCHITECTURE.md (cmd, scenario, certutil → chain → revocation, aia →
// cache → (Fetcher) ← netsim; certs and clock at the bottom).
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
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
	"cmd/winchain": 7,
	"examples":     7,
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
	v, checked, err := violations(dir)
	if err != nil {
		t.Fatal(err)
	}
	if checked != 2 || len(v) != 1 || !strings.Contains(v[0], "cache/bad.go") {
		t.Fatalf("want exactly the cache → chain violation, got %d checked, %q", checked, v)
	}
}

// violations walks a source tree and lists every upward import.
func violations(rootDir string) ([]string, int, error) {
	fset := token.NewFileSet()
	checked := 0
	var out []string
	err := filepath.WalkDir(rootDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != rootDir && (name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(rootDir, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		from, ok := layer(rel)
		if !ok {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module+"/") {
				continue
			}
			target := strings.TrimPrefix(p, module+"/")
			to, ok := layer(target)
			if !ok {
				continue
			}
			if to >= from && layerName(target) != layerName(rel) {
				relPath, _ := filepath.Rel(rootDir, path)
				out = append(out, filepath.ToSlash(relPath)+": package "+rel+" (layer "+strconv.Itoa(from)+") may not import "+target+" (layer "+strconv.Itoa(to)+"); see ARCHITECTURE.md")
			}
		}
		return nil
	})
	return out, checked, err
}

func layerName(pkg string) string {
	for p := pkg; p != "." && p != ""; p = filepath.Dir(p) {
		if _, ok := rank[p]; ok {
			return p
		}
	}
	return pkg
}
