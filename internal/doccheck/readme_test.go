package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	libraryHeading = "## Library"
	// exampleFile and exampleFunc are the compiled Example the README's
	// library snippet is copied from.
	exampleFile = "client/example_test.go"
	exampleFunc = "Example"
	// setupFunc builds the example's PKI; the README describes its results
	// (root, leaf, crl) in words instead of showing the call.
	setupFunc = "examplePKI"
)

// TestReadmeLibrarySnippetIsTheExample: the Go block under the README's
// "Library" heading is the body of client.Example without its setup line
// (same tokens, whitespace and line breaks aside), and the output the
// README shows in its comments is the Example's `// Output:`.
func TestReadmeLibrarySnippetIsTheExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, exampleFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snippetDrift(string(readme), src) {
		t.Error(p)
	}
}

// The check fails on the drifts it must catch: changed code, a changed
// output, a missing snippet.
func TestSnippetDriftCatchesDrift(t *testing.T) {
	src := []byte("package x_test\n\nfunc Example() {\n\troot := examplePKI() // setup\n\tn := f(root)   // the call\n\tfmt.Println(n, \"http://a/b\")\n\t// Output:\n\t// 1 http://a/b\n}\n")
	readme := func(code string) string {
		return "# x\n\n" + libraryHeading + "\n\nText.\n\n```go\n" + code + "```\n\n## Next\n"
	}
	good := "n := f(root) // the call\nfmt.Println(n,\n\t\"http://a/b\") // 1 http://a/b\n"
	if p := snippetDrift(readme(good), src); len(p) != 0 {
		t.Fatalf("a true snippet: %q", p)
	}
	for _, c := range []struct{ name, readme, want string }{
		{"code", readme("n := g(root) // the call\nfmt.Println(n, \"http://a/b\") // 1 http://a/b\n"), "differs from " + exampleFile},
		{"output", readme("n := f(root) // the call\nfmt.Println(n, \"http://a/b\") // 2 http://a/b\n"), "output"},
		{"no snippet", "# x\n\n" + libraryHeading + "\n\nNo code.\n", "no ```go block"},
	} {
		p := snippetDrift(c.readme, src)
		if len(p) == 0 || !strings.Contains(strings.Join(p, "\n"), c.want) {
			t.Errorf("%s: problems %q, want one about %q", c.name, p, c.want)
		}
	}
}

// snippetDrift compares the README's library snippet with the Example in
// src and says how they differ.
func snippetDrift(readme string, src []byte) []string {
	snippet, err := librarySnippet(readme)
	if err != nil {
		return []string{err.Error()}
	}
	code, comments, output, err := exampleBody(src)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	got, gotComments := tokens(snippet)
	if want := tokens0(code); strings.Join(got, " ") != strings.Join(want, " ") {
		g, w := firstDiff(got, want)
		out = append(out, fmt.Sprintf("README.md %q snippet differs from %s %s (without its %s line):\nREADME:  %s\nExample: %s",
			libraryHeading, exampleFile, exampleFunc, setupFunc, g, w))
	}
	// The README's comments are the Example's own, plus the output lines
	// it shows beside the Println calls.
	var shown []string
	for _, c := range gotComments {
		if len(comments) > 0 && c == comments[0] {
			comments = comments[1:]
			continue
		}
		shown = append(shown, c)
	}
	if len(comments) > 0 {
		out = append(out, fmt.Sprintf("README.md snippet lacks the Example's comments %q", comments))
	}
	if strings.Join(shown, "\n") != strings.Join(output, "\n") {
		out = append(out, fmt.Sprintf("README.md snippet shows the output %q; %s %s asserts %q", shown, exampleFile, exampleFunc, output))
	}
	return out
}

// diffContext is how many tokens firstDiff shows on each side of the
// first difference.
const diffContext = 6

// firstDiff shows both token lists around their first difference.
func firstDiff(a, b []string) (string, string) {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	around := func(t []string) string {
		from, to := max(i-diffContext, 0), min(i+diffContext, len(t))
		s := strings.Join(t[from:to], " ")
		if i >= len(t) {
			s += " <end>"
		}
		return "… " + s + " …"
	}
	return around(a), around(b)
}

// librarySnippet returns the first ```go block under the Library heading.
func librarySnippet(readme string) (string, error) {
	i := strings.Index(readme, "\n"+libraryHeading+"\n")
	if i < 0 {
		return "", fmt.Errorf("README.md has no %q section", libraryHeading)
	}
	section := readme[i+len(libraryHeading)+2:]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	start := strings.Index(section, "```go\n")
	if start < 0 {
		return "", fmt.Errorf("README.md %q section has no ```go block", libraryHeading)
	}
	body := section[start+len("```go\n"):]
	end := strings.Index(body, "```")
	if end < 0 {
		return "", fmt.Errorf("README.md %q section: the ```go block is not closed", libraryHeading)
	}
	return body[:end], nil
}

// exampleBody returns the source of the Example's statements after the
// setup, their comments, and the lines of its `// Output:` comment.
func exampleBody(src []byte) (code string, comments, output []string, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, exampleFile, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return "", nil, nil, err
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && d.Recv == nil && d.Name.Name == exampleFunc {
			fn = d
		}
	}
	if fn == nil || fn.Body == nil {
		return "", nil, nil, fmt.Errorf("%s has no func %s", exampleFile, exampleFunc)
	}
	stmts := fn.Body.List
	for len(stmts) > 0 && callsSetup(stmts[0]) {
		stmts = stmts[1:]
	}
	if len(stmts) == 0 {
		return "", nil, nil, fmt.Errorf("%s %s has no statements after its setup", exampleFile, exampleFunc)
	}
	from := fset.Position(stmts[0].Pos()).Offset
	// To the end of the last statement's line, so a trailing comment is kept.
	to := fset.Position(stmts[len(stmts)-1].End()).Offset
	if nl := strings.IndexByte(string(src[to:]), '\n'); nl >= 0 {
		to += nl
	}
	code = string(src[from:to])
	_, comments = tokens(code)
	inOutput := false
	for _, g := range f.Comments {
		if g.Pos() < fn.Body.Lbrace || g.End() > fn.Body.Rbrace {
			continue
		}
		for _, c := range g.List {
			text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
			switch {
			case text == "Output:":
				inOutput = true
			case inOutput:
				output = append(output, text)
			}
		}
	}
	return code, comments, output, nil
}

// callsSetup reports whether s is `… := setupFunc(…)`.
func callsSetup(s ast.Stmt) bool {
	as, ok := s.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	return ok && id.Name == setupFunc
}

// tokens scans Go statements into their tokens (without the semicolons Go
// inserts at line ends, so line breaks do not count) and their comments'
// texts.
func tokens(src string) (toks, comments []string) {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("snippet", -1, len(src))
	s.Init(file, []byte(src), nil, scanner.ScanComments)
	for {
		_, tok, lit := s.Scan()
		switch {
		case tok == token.EOF:
			return toks, comments
		case tok == token.COMMENT:
			comments = append(comments, strings.TrimSpace(strings.TrimPrefix(lit, "//")))
		case tok == token.SEMICOLON && lit == "\n":
		case lit != "":
			toks = append(toks, lit)
		default:
			toks = append(toks, tok.String())
		}
	}
}

// tokens0 is tokens without the comments.
func tokens0(src string) []string {
	t, _ := tokens(src)
	return t
}
