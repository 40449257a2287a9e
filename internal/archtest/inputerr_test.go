package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestOneInputErrorType: certs.ParseError is the one error type for "this
// input cannot be loaded" (issue 13). A struct error type elsewhere whose
// fields are only an input name and a cause (Input/File/Name string, Err
// error) is the same type again: use certs.ParseError (its Kind says what
// the input should have been). Types that carry more (a field path, a line,
// a reason) are not caught.
func TestOneInputErrorType(t *testing.T) {
	dups, err := inputErrorTypes("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dups {
		t.Errorf("%s: an input-error type of the same shape as certs.ParseError; use certs.ParseError", d)
	}
}

// The check finds such a type (a copy of the one issue 13 removed from
// package inspect).
func TestOneInputErrorTypeDetects(t *testing.T) {
	dir := t.TempDir()
	src := "package inspect\n\n// Error names the input.\ntype Error struct {\n\tInput string\n\tErr error\n}\n"
	method := "package inspect\n\nfunc (e *Error) Error() string { return e.Input }\n"
	if err := os.MkdirAll(filepath.Join(dir, "inspect"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "inspect", "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// The Error method in another file of the package.
	if err := os.WriteFile(filepath.Join(dir, "inspect", "y.go"), []byte(method), 0o644); err != nil {
		t.Fatal(err)
	}
	dups, err := inputErrorTypes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(dups) != 1 || !strings.Contains(dups[0], "inspect/x.go: Error") {
		t.Fatalf("got %v", dups)
	}
}

// inputErrorTypes lists the struct types outside certs, in non-test files,
// with exactly two fields: a name string (Input, File, Name, Path) and an
// Err error, and an Error method (in any file of the package).
func inputErrorTypes(root string) ([]string, error) {
	fset := token.NewFileSet()
	type typeAt struct{ dir, file, name string }
	var shaped []typeAt
	methods := map[string]bool{} // dir + "." + type name
	err := walkGo(root, func(path string) error {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(rel, "certs/") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		dir := filepath.Dir(rel)
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Name.Name == "Error" && fn.Recv != nil && len(fn.Recv.List) == 1 {
				typ := fn.Recv.List[0].Type
				if st, ok := typ.(*ast.StarExpr); ok {
					typ = st.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					methods[dir+"."+id.Name] = true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok && inputShape(st) {
					shaped = append(shaped, typeAt{dir, rel, ts.Name.Name})
				}
			}
			return true
		})
		return nil
	})
	var out []string
	for _, t := range shaped {
		if methods[t.dir+"."+t.name] {
			out = append(out, t.file+": "+t.name)
		}
	}
	sort.Strings(out)
	return out, err
}

func inputShape(st *ast.StructType) bool {
	var name, cause bool
	n := 0
	for _, f := range st.Fields.List {
		for _, id := range f.Names {
			n++
			typ, _ := f.Type.(*ast.Ident)
			switch {
			case typ != nil && typ.Name == "string" && (id.Name == "Input" || id.Name == "File" || id.Name == "Name" || id.Name == "Path"):
				name = true
			case typ != nil && typ.Name == "error" && id.Name == "Err":
				cause = true
			}
		}
	}
	return n == 2 && name && cause
}
