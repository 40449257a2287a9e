package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/winchain/winchain/scenario"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// TestGolden pins the exact output of verify (text, JSON, certutil
// layout), urlcache, simulate (text, JSON) and demo, byte for byte, on
// fixed inputs: the scenario demo's PKI with CRLs served by a simulated
// network. Restructuring the layers below the CLI must not change a byte
// of what users see; `go test -run TestGolden -update` rewrites the files
// when a change is intended (and the diff then shows what changed).
func TestGolden(t *testing.T) {
	golden, err := filepath.Abs(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeRevocationPKI(dir); err != nil {
		t.Fatal(err)
	}
	// The CRLs writeRevocationPKI signs differ in their ECDSA signatures
	// from run to run (and so in their hashes and sizes in the output):
	// use the copies kept with the golden files. -update keeps new ones.
	for _, f := range []string{"issuing1.crl", "root.crl"} {
		kept, fresh := filepath.Join(golden, "crl", f), filepath.Join(dir, "contoso", f)
		if *update {
			data, err := os.ReadFile(fresh)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(kept), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(kept, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(kept)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fresh, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"outlook-swap.yaml", "root.pem", "issuing.pem", "mail-old.pem", "mail-new.pem", "root.key", "issuing.key"} {
		data, err := scenario.DemoFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg, err := os.ReadFile(filepath.Join("..", "..", "testdata", "cache", "chainengine-config.reg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.reg"), reg, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	at := "--at=2026-11-24T09:00:00Z"
	pki := []string{"--root", "contoso/root.pem", "--ca", "contoso/issuing.pem"}
	v := func(extra ...string) []string {
		return append(append([]string{"verify", at}, pki...), extra...)
	}
	cases := []struct {
		name string
		args []string
	}{
		{"verify-good-text", v("--net", "contoso/net.json", "--cache-dir", "cache", "contoso/mail-old.pem")},
		{"verify-revoked-json", v("--json", "--net", "contoso/net.json", "--cache-dir", "cache", "contoso/mail-new.pem")},
		{"verify-disk-certutil", v("--format", "certutil", "--cache-only", "--cache-dir", "cache", "contoso/mail-old.pem")},
		{"urlcache-list-json", []string{"urlcache", "--cache-dir", "cache", "--json"}},
		{"urlcache-list-text", []string{"urlcache", "--cache-dir", "cache"}},
		{"verify-offline-json", v("--json", "--net", "contoso/down.json", "--negative-cache", "process-backoff", "contoso/mail-old.pem")},
		{"verify-offline-text", v("--net", "contoso/down.json", "contoso/mail-old.pem")},
		{"verify-registry-offline-json", v("--json", "--registry", "config.reg", "--net", "contoso/down.json", "contoso/mail-old.pem")},
		{"verify-aia-json", []string{"verify", "--json", "--revocation", "none", at, "--root", "contoso/root.pem", "--net", "contoso/net.json", "contoso/mail-old.pem"}},
		{"simulate-text", []string{"simulate", "outlook-swap.yaml"}},
		{"simulate-json", []string{"simulate", "--json", "outlook-swap.yaml"}},
		{"demo", []string{"demo"}},
	}
	for _, c := range cases {
		// Not parallel: later cases read the cache earlier ones wrote.
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		got := fmt.Sprintf("$ winchain %q\nexit %d\n-- stdout --\n%s-- stderr --\n%s", c.args, code, stdout.String(), stderr.String())
		path := filepath.Join(golden, c.name+".txt")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to create it)", c.name, err)
		}
		if got != string(want) {
			t.Errorf("%s: output differs from %s:\n%s", c.name, path, firstDiff(string(want), got))
		}
	}
}

// firstDiff shows the first differing line of two outputs.
func firstDiff(want, got string) string {
	wl, gl := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}
