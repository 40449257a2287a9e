package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/preflight"
)

// runCLI runs winchain in-process and returns the exit status and output.
func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
	require.NoError(t, os.WriteFile(dst, data, 0o644))
}

// The results layout the lab kit documents (preflight.LabLayout, copied
// into lab.json) is read back by the winchain commands it names: a results
// folder built here the way run.ps1 builds one (certutil-shaped output and
// the URL cache folder of a verification of the case, a CAPI2 export
// captured on Windows — not of this case: only Windows writes one — and
// the certificates by thumbprint) goes through each documented command,
// which must accept it.
func TestLabResultsLayoutReadBack(t *testing.T) {
	demo := filepath.Join("..", "..", "scenario", "demo")
	dir := t.TempDir()
	kit := filepath.Join(dir, "kit")
	code, out, errs := runCLI("lab", "--out", kit, "--root", filepath.Join(demo, "root.pem"), "--ca", filepath.Join(demo, "issuing.pem"), filepath.Join(demo, "mail-new.pem"))
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "lab kit for CN=mail.contoso.test,O=Contoso (mail-new) written to")

	// The results folder, as run.ps1 leaves it.
	res := filepath.Join(dir, "results")
	flags := []string{"--at", "2026-11-24T09:00:00Z", "--root", filepath.Join(demo, "root.pem"), "--ca", filepath.Join(demo, "issuing.pem"), "--net", filepath.Join(demo, "net.json")}
	verify := append(append([]string{"verify", "--format", "certutil"}, flags...), "--cache-dir", filepath.Join(res, preflight.LabURLCacheDir), filepath.Join(kit, "case", "leaf.cer"))
	code, out, errs = runCLI(verify...)
	require.Equal(t, 0, code, errs)
	require.NoError(t, os.WriteFile(filepath.Join(res, preflight.LabCertutilFile), []byte(out), 0o644))
	copyFile(t, filepath.Join(kit, "case", "leaf.cer"), filepath.Join(res, preflight.LabLeafFile))
	copyFile(t, filepath.Join(kit, preflight.LabManifestFile), filepath.Join(res, preflight.LabManifestFile))
	copyFile(t, filepath.Join("..", "..", "testdata", "capi2", "network-timeout.xml"), filepath.Join(res, preflight.LabCAPI2File))
	var manifest struct {
		Files   []struct{ File, SHA1, Kind string }
		Results []struct {
			Path, ReadBy string
		}
	}
	data, err := os.ReadFile(filepath.Join(kit, preflight.LabManifestFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &manifest))
	for _, f := range manifest.Files {
		if f.Kind == "certificate" {
			copyFile(t, filepath.Join(kit, filepath.FromSlash(f.File)), filepath.Join(res, preflight.LabCertsDir, f.SHA1+".cer"))
		}
	}

	// Every documented reader, run as documented.
	readers := 0
	for _, l := range manifest.Results {
		_, err := os.Stat(filepath.Join(res, filepath.FromSlash(strings.TrimSuffix(l.Path, "/"))))
		require.NoError(t, err, "the layout names %s", l.Path)
		if !strings.HasPrefix(l.ReadBy, "winchain ") {
			continue
		}
		readers++
		var args []string
		for _, a := range strings.Fields(strings.TrimPrefix(l.ReadBy, "winchain ")) {
			switch {
			case a == "[verify":
				args = append(args, flags...)
			case a == "flags]":
			case strings.HasPrefix(a, "results/"):
				args = append(args, filepath.Join(res, filepath.FromSlash(strings.TrimPrefix(a, "results/"))))
			default:
				args = append(args, a)
			}
		}
		code, out, errs := runCLI(args...)
		assert.Equal(t, 0, code, "%s: %s", l.ReadBy, errs)
		switch args[0] {
		case "diff":
			assert.Contains(t, out, "no differences", l.ReadBy)
		case "urlcache":
			assert.Contains(t, out, "http://pki.contoso.test/issuing1.crl", l.ReadBy)
		case "capi2":
			assert.Contains(t, out, "verdict:", l.ReadBy)
		default:
			t.Errorf("no check for %s", l.ReadBy)
		}
	}
	assert.Equal(t, 3, readers, "diff --certutil, urlcache and capi2 --replay")
}

// The preflight example of README.md is what the command prints.
func TestREADMEPreflight(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	s := string(readme)
	i := strings.Index(s, "<!-- preflight-example")
	require.GreaterOrEqual(t, i, 0, "README.md has no preflight example")
	s = s[i:]
	start := strings.Index(s, "```\n$ ") + len("```\n$ ")
	end := strings.Index(s[start:], "\n```")
	require.Greater(t, end, 0)
	block := s[start : start+end+1]
	nl := strings.Index(block, "\n")
	cmdline, want := block[:nl], block[nl+1:]
	args := strings.Fields(cmdline)
	require.Equal(t, "winchain", args[0])
	for j, a := range args {
		if strings.HasPrefix(a, "scenario/") {
			args[j] = filepath.Join("..", "..", a)
		}
	}
	code, out, errs := runCLI(args[1:]...)
	assert.Equal(t, 1, code, errs)
	assert.Equal(t, want, out)
}
