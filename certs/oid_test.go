package certs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOIDsDefinedOnce: every OID the module's code writes out as an
// asn1.ObjectIdentifier literal is written in one place; other packages
// refer to the certs definition (one home per fact). Test files and the
// test PKI (internal/testpki, which builds deliberately odd objects) are
// not checked.
func TestOIDsDefinedOnce(t *testing.T) {
	fset := token.NewFileSet()
	where := map[string][]string{}
	root := ".."
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") && p != root || p == filepath.Join(root, "internal", "testpki") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			sel, ok := lit.Type.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "ObjectIdentifier" {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "asn1" || len(lit.Elts) == 0 {
				return true
			}
			var arcs []string
			for _, e := range lit.Elts {
				b, ok := e.(*ast.BasicLit)
				if !ok {
					return true
				}
				arcs = append(arcs, b.Value)
			}
			oid := strings.Join(arcs, ".")
			where[oid] = append(where[oid], fset.Position(lit.Pos()).String())
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(where) < 40 {
		t.Fatalf("found only %d OIDs: the walk missed the module's files", len(where))
	}
	for oid, at := range where {
		if len(at) > 1 {
			t.Errorf("OID %s is defined %d times: %s", oid, len(at), strings.Join(at, ", "))
		}
	}
}
