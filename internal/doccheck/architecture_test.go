package doccheck

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const packagesHeading = "## Packages"

// TestArchitectureListsEveryPackage: docs/architecture.md's package table
// has a row for every folder of the module that holds Go files (a row
// written `dir/` covers the folders below dir, as `examples/` does), and
// names no package that is gone.
func TestArchitectureListsEveryPackage(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := goPackages(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("only %d packages found: the walk is broken", len(pkgs))
	}
	for _, p := range architectureGaps(string(doc), pkgs) {
		t.Error(p)
	}
}

// The check fails on a package missing from the table and on a row whose
// package is gone.
func TestArchitectureGapsCatchesDrift(t *testing.T) {
	doc := packagesHeading + "\n\n| package | its one job | Windows counterpart |\n|---|---|---|\n" +
		"| `certs` | x | — |\n| `examples/` | x | — |\n| `gone` | x | — |\n\n## Next\n\n| `later` | not this table | |\n"
	got := architectureGaps(doc, []string{"certs", "examples/a", "examples/b", "internal/newpkg", "later"})
	want := []string{
		"docs/architecture.md names package gone, which has no Go files",
		"docs/architecture.md: package internal/newpkg has no row under \"## Packages\"",
		"docs/architecture.md: package later has no row under \"## Packages\"",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := architectureGaps(doc, []string{"certs", "examples/a", "gone"}); len(got) != 0 {
		t.Errorf("a true table: %q", got)
	}
}

// architectureGaps compares the package table of the architecture document
// with the module's packages (module-relative folder names).
func architectureGaps(doc string, pkgs []string) []string {
	rows := map[string]bool{}
	if i := strings.Index(doc, packagesHeading); i >= 0 {
		for _, line := range strings.Split(doc[i+len(packagesHeading):], "\n") {
			if strings.HasPrefix(line, "## ") {
				break
			}
			if !strings.HasPrefix(line, "| `") {
				continue
			}
			name := strings.Trim(splitRow(line)[0], "`")
			rows[name] = true
		}
	}
	var out []string
	covered := map[string]bool{}
	for _, p := range pkgs {
		row := p
		for dir := filepath.Dir(p); dir != "."; dir = filepath.Dir(dir) {
			if rows[dir+"/"] {
				row = dir + "/"
			}
		}
		if !rows[row] {
			out = append(out, fmt.Sprintf("docs/architecture.md: package %s has no row under %q", p, packagesHeading))
		}
		covered[row] = true
	}
	for r := range rows {
		if !covered[r] {
			out = append(out, fmt.Sprintf("docs/architecture.md names package %s, which has no Go files", strings.TrimSuffix(r, "/")))
		}
	}
	sort.Strings(out)
	return out
}

// goPackages lists the module-relative folders below root that hold .go
// files (test files too: internal/archtest has nothing else), as `go list
// ./...` does, skipping testdata and hidden folders.
func goPackages(root string) ([]string, error) {
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		seen[filepath.ToSlash(rel)] = true
		return nil
	})
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, err
}
