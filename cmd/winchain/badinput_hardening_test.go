package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/certutil"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/netsim"
	"github.com/winchain/winchain/scenario"
)

// TestBadInputExitTwoOneLine runs the bad-input table of issue 9 through the
// CLI entry point and checks the contract of docs/cli.md exactly: exit
// status 2 (testscript's "! exec" only checks non-zero), one line on
// stderr, and that line names the input. The messages themselves are
// golden in testdata/script/badinput_*.txtar and verify_badinput.txtar.
func TestBadInputExitTwoOneLine(t *testing.T) {
	dir := t.TempDir()
	demo, err := os.ReadFile("../../testdata/demo/leaf.pem")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"leaf.pem":       string(demo),
		"notacert.txt":   "hello\n",
		"empty.pem":      "",
		"key.pem":        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n",
		"trunc.der":      "0\x82\x03",
		"junk.der":       "0\x03\x02\x01\x00",
		"badjson.json":   `{"http://x.test/a.crl": {"file": `,
		"badyaml.yaml":   "http://x.test/a.crl: [file: x\n",
		"badfail.json":   `{"http://x.test/a.crl": {"fail": "sometimes"}}`,
		"colour.yaml":    "colour: blue\nsize: big\n",
		"afile":          "x\n",
		"unreadable.pem": string(demo),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Sparse files just over each size limit: refused before they are read
	// (reading them would cost their size in memory, not disk).
	for name, size := range map[string]int64{
		"huge.pem":  certs.MaxFileSize + 1,
		"huge.json": netsim.MaxNetFileSize + 1,
		"huge.yaml": scenario.MaxFileSize + 1,
		"huge.reg":  client.MaxRegExportSize + 1,
		"huge.txt":  certutil.MaxCaptureSize + 1,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
	}
	// A YAML alias bomb ("billion laughs"): each level doubles the nodes,
	// 2^40 at the last. The typed decoders never expand it (an alias is
	// only followed into a field that takes it), so it fails at once, and
	// the error line lists 6 of its 40 errors.
	bomb := "a: &a [x, x]\n"
	for i := 1; i < 40; i++ {
		bomb += fmt.Sprintf("a%d: &a%d [*%s, *%s]\n", i, i, prev(i), prev(i))
	}
	for _, name := range []string{"bomb.yaml", "bombnet.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(bomb), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unreadable := filepath.Join(dir, "unreadable.pem")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	_, readErr := os.ReadFile(unreadable) // root reads a mode-000 file
	t.Chdir(dir)

	cases := []struct {
		name  string
		args  []string
		input string // what the line must name
		want  string // and, when set, the problem it must state
	}{
		{"not a certificate", []string{"verify", "notacert.txt"}, "notacert.txt", ""},
		{"truncated DER", []string{"verify", "trunc.der"}, "trunc.der", ""},
		{"wrong PEM type", []string{"verify", "key.pem"}, "key.pem", ""},
		{"empty file", []string{"verify", "empty.pem"}, "empty.pem", ""},
		{"directory instead of file", []string{"verify", "adir"}, "adir", ""},
		{"missing file", []string{"verify", "missing.pem"}, "missing.pem", ""},
		{"unreadable file", []string{"verify", "unreadable.pem"}, "unreadable.pem", ""},
		{"store: not a certificate", []string{"verify", "--root", "notacert.txt", "leaf.pem"}, "notacert.txt", ""},
		{"store: directory", []string{"verify", "--ca", "adir", "leaf.pem"}, "adir", ""},
		{"CRL: junk", []string{"verify", "--crl", "junk.der", "leaf.pem"}, "junk.der", ""},
		{"CRL: a certificate", []string{"verify", "--crl", "leaf.pem", "leaf.pem"}, "leaf.pem", ""},
		{"bad --at", []string{"verify", "--at", "yesterday", "leaf.pem"}, "--at", ""},
		{"bad --now", []string{"verify", "--now", "2026-11-24", "leaf.pem"}, "--now", ""},
		{"unknown --policy", []string{"verify", "--policy", "authenticode", "leaf.pem"}, "--policy", ""},
		{"unknown --revocation", []string{"verify", "--revocation", "sometimes", "leaf.pem"}, "--revocation", ""},
		{"unknown --negative-cache", []string{"verify", "--negative-cache", "forever", "leaf.pem"}, "--negative-cache", ""},
		{"bad --usage", []string{"verify", "--usage", "serverAuth", "leaf.pem"}, "--usage", ""},
		{"bad boolean", []string{"verify", "--json=maybe", "leaf.pem"}, "-json", ""},
		{"unknown flag", []string{"verify", "--no-such-flag", "leaf.pem"}, "-no-such-flag", ""},
		{"--net bad JSON", []string{"verify", "--net", "badjson.json", "leaf.pem"}, "badjson.json", ""},
		{"--net bad YAML", []string{"verify", "--net", "badyaml.yaml", "leaf.pem"}, "badyaml.yaml", ""},
		{"--net bad fail", []string{"verify", "--net", "badfail.json", "leaf.pem"}, "badfail.json", ""},
		{"--net directory", []string{"verify", "--net", "adir", "leaf.pem"}, "adir", ""},
		{"--cache-dir a file", []string{"verify", "--cache-dir", "afile", "leaf.pem"}, "afile", ""},
		{"--registry junk", []string{"verify", "--registry", "afile", "leaf.pem"}, "afile", ""},
		{"simulate: bad scenario", []string{"simulate", "colour.yaml"}, "colour.yaml", ""},
		{"simulate: directory", []string{"simulate", "adir"}, "adir", ""},
		{"simulate: unknown flag", []string{"simulate", "--frob", "colour.yaml"}, "-frob", ""},
		{"urlcache: a file", []string{"urlcache", "--cache-dir", "afile"}, "afile", ""},
		{"certificate over the size limit", []string{"verify", "huge.pem"}, "huge.pem", "104857601 bytes is over the limit of 104857600 bytes"},
		{"store over the size limit", []string{"verify", "--ca", "huge.pem", "leaf.pem"}, "huge.pem", "over the limit"},
		{"CRL over the size limit", []string{"verify", "--crl", "huge.pem", "leaf.pem"}, "huge.pem", "over the limit"},
		{"--net over the size limit", []string{"verify", "--net", "huge.json", "leaf.pem"}, "huge.json", "16777217 bytes is over the limit"},
		{"--registry over the size limit", []string{"verify", "--registry", "huge.reg", "leaf.pem"}, "huge.reg", "over the limit"},
		{"certutil parse: capture over the size limit", []string{"certutil", "parse", "huge.txt"}, "huge.txt", "67108865 bytes is over the limit of 67108864 bytes"},
		{"certutil parse: a directory", []string{"certutil", "parse", "adir"}, "adir", "is a directory"},
		{"simulate: scenario over the size limit", []string{"simulate", "huge.yaml"}, "huge.yaml", "16777217 bytes is over the limit"},
		{"simulate: YAML alias bomb", []string{"simulate", "bomb.yaml"}, "bomb.yaml", `line 6: unknown field "a5"; (and 34 more)`},
		{"--net YAML alias bomb", []string{"verify", "--net", "bombnet.yaml", "leaf.pem"}, "bombnet.yaml", "(and 34 more)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "unreadable file" && readErr == nil {
				t.Skip("running as root: a mode-000 file is still readable, so this case cannot fail")
			}
			var stdout, stderr bytes.Buffer
			rc := run(c.args, &stdout, &stderr)
			msg := stderr.String()
			if rc != 2 {
				t.Errorf("exit status %d, want 2 (stderr %q)", rc, msg)
			}
			if strings.HasPrefix(c.name, "unknown flag") || strings.HasSuffix(c.name, "unknown flag") {
				// An unknown flag: one line naming it, then the
				// command's usage (issue 17).
				first, rest, _ := strings.Cut(msg, "\n")
				if !strings.HasPrefix(rest, "usage: winchain ") {
					t.Errorf("no usage after the first line: %q", msg)
				}
				msg = first + "\n"
			}
			if n := strings.Count(msg, "\n"); n != 1 || !strings.HasSuffix(msg, "\n") {
				t.Errorf("stderr has %d lines, want one: %q", n, msg)
			}
			prefix := "winchain " + c.args[0] + ": "
			if c.args[0] == "certutil" {
				prefix = "winchain certutil " + c.args[1] + ": " // COMMAND is "certutil parse"
			}
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("stderr does not start with %q: %q", prefix, msg)
			}
			if !strings.Contains(msg, c.input) {
				t.Errorf("stderr does not name %q: %q", c.input, msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("stderr does not say %q: %q", c.want, msg)
			}
		})
	}
}

// prev names the anchor before level i of the alias bomb.
func prev(i int) string {
	if i == 1 {
		return "a"
	}
	return fmt.Sprintf("a%d", i-1)
}
