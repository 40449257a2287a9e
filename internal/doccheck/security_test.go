package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the repository root, from this package's folder.
const root = "../.."

const tableHeading = "## What is bounded, by what, tested where"

var (
	// A Go name as the table writes it: `pkg.Name`.
	qualified = regexp.MustCompile("`([a-z][a-z0-9]*)\\.([A-Z][A-Za-z0-9_]*)`")
	// A test as the table writes it: `dir/file_test.go:TestName`.
	testRef = regexp.MustCompile("`([A-Za-z0-9_./-]+_test\\.go):((?:Test|Fuzz|Benchmark|Example)[A-Za-z0-9_]*)`")
	// A CLI script: `dir/testdata/script/name.txtar`.
	scriptRef = regexp.MustCompile("`([A-Za-z0-9_./-]+\\.txtar)`")
)

// TestSecurityBoundsTable checks SECURITY.md's bounds table against the
// code: every `pkg.Name` in the first column is declared in package pkg,
// every row names at least one test (or says **untested**), and every test
// and script it names exists.
func TestSecurityBoundsTable(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "SECURITY.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tableRows(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := declarations(root)
	if err != nil {
		t.Fatal(err)
	}
	untested := 0
	for _, row := range rows {
		for _, p := range checkRow(row, idx, root) {
			t.Error(p)
		}
		if strings.Contains(row[len(row)-1], "**untested**") {
			untested++
		}
	}
	if len(rows) < 30 {
		t.Errorf("only %d rows found under %q: the table was not read", len(rows), tableHeading)
	}
	t.Logf("%d rows, %d with a bound marked untested", len(rows), untested)
}

// The checker fails on what it must catch: a renamed constant, a missing
// test, a missing script, a row without a test.
func TestCheckRowCatchesDrift(t *testing.T) {
	idx, err := declarations(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ row, want string }{
		{"| `chain.NoSuchLimit` | 1 | x | `chain/limits_test.go:TestMeshIsBounded` |", "chain.NoSuchLimit is not declared"},
		{"| `chain.DefaultMaxDepth` | 1 | x | `chain/limits_test.go:TestNoSuchTest` |", "TestNoSuchTest"},
		{"| `chain.DefaultMaxDepth` | 1 | x | `chain/no_such_test.go:TestMeshIsBounded` |", "no_such_test.go"},
		{"| `chain.DefaultMaxDepth` | 1 | x | `cmd/winchain/testdata/script/nope.txtar` |", "nope.txtar"},
		{"| `chain.DefaultMaxDepth` | 1 | x | by hand |", "names no test"},
	} {
		problems := checkRow(splitRow(c.row), idx, root)
		if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), c.want) {
			t.Errorf("%s: problems %q, want one about %q", c.row, problems, c.want)
		}
	}
	if p := checkRow(splitRow("| `chain.DefaultMaxDepth` | 20 | x | `chain/limits_test.go:TestConfiguredLimits` |"), idx, root); len(p) != 0 {
		t.Errorf("a true row: %q", p)
	}
}

func checkRow(row []string, idx map[string]map[string]bool, root string) []string {
	var problems []string
	if len(row) < 4 {
		return []string{fmt.Sprintf("row %q: want 4 columns", strings.Join(row, " | "))}
	}
	for _, m := range qualified.FindAllStringSubmatch(row[0], -1) {
		if !idx[m[1]][m[2]] {
			problems = append(problems, fmt.Sprintf("%s.%s is not declared in package %s", m[1], m[2], m[1]))
		}
	}
	last := row[len(row)-1]
	tests := testRef.FindAllStringSubmatch(last, -1)
	scripts := scriptRef.FindAllStringSubmatch(last, -1)
	if len(tests)+len(scripts) == 0 && !strings.Contains(last, "**untested**") {
		problems = append(problems, fmt.Sprintf("row %q names no test", row[0]))
	}
	for _, m := range tests {
		src, err := os.ReadFile(filepath.Join(root, m[1]))
		if err != nil {
			problems = append(problems, fmt.Sprintf("row %q: %s: %v", row[0], m[1], err))
			continue
		}
		if !regexp.MustCompile(`(?m)^func ` + m[2] + `\(`).Match(src) {
			problems = append(problems, fmt.Sprintf("row %q: %s has no func %s", row[0], m[1], m[2]))
		}
	}
	for _, m := range scripts {
		if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
			problems = append(problems, fmt.Sprintf("row %q: %s: %v", row[0], m[1], err))
		}
	}
	return problems
}

// tableRows returns the cells of the rows of the first table under the
// heading.
func tableRows(doc string) ([][]string, error) {
	i := strings.Index(doc, tableHeading)
	if i < 0 {
		return nil, fmt.Errorf("SECURITY.md has no %q section", tableHeading)
	}
	var rows [][]string
	inTable := false
	for _, line := range strings.Split(doc[i+len(tableHeading):], "\n") {
		if strings.HasPrefix(line, "## ") {
			break
		}
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		if strings.HasPrefix(line, "|---") || strings.HasPrefix(line, "| what is bounded") {
			continue
		}
		rows = append(rows, splitRow(line))
	}
	return rows, nil
}

// splitRow splits a Markdown table row on the | that are not escaped or
// inside backticks.
func splitRow(line string) []string {
	var cells []string
	var cur strings.Builder
	tick := false
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(strings.TrimSuffix(line, "|"), "|")
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '`':
			tick = !tick
		case c == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
			continue
		case c == '|' && !tick:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// declarations maps each package name of the module to the names it
// declares at top level in its non-test files.
func declarations(root string) (map[string]map[string]bool, error) {
	idx := map[string]map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		names := idx[f.Name.Name]
		if names == nil {
			names = map[string]bool{}
			idx[f.Name.Name] = names
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					}
				}
			}
		}
		return nil
	})
	return idx, err
}
