package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pkitsCase is one entry of testdata/pkits/tests.json (its README).
type pkitsCase struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Certs  []string `json:"certs"`
	CRLs   []string `json:"crls"`
	Expect string   `json:"expect"`
}

// pkitsCLIDivergences are the PKITS tests whose Windows result (what
// winchain reproduces through the CLI with revocation on) differs from the
// PKITS expectation. Each ID has a row in docs/windows-divergences.md that
// names it; TestPKITSThroughCLI fails when a listed test starts to agree.
var pkitsCLIDivergences = map[string]string{
	// A CRL must carry the certificate's own issuer name, byte for byte
	// (Mono's PKITS runs on Windows: RevocationStatusUnknown).
	"4.3.3":  "CRL issuer name differs from the certificate's issuer name (white space, case): no CRL accepted",
	"4.3.4":  "CRL issuer name differs from the certificate's issuer name (white space, case): no CRL accepted",
	"4.3.5":  "CRL issuer name differs from the certificate's issuer name (white space, case): no CRL accepted",
	"4.3.11": "CRL issuer name differs from the certificate's issuer name (white space, case): no CRL accepted",
	// The CRL must be signed by the key that issued the certificate (spec
	// §3.3, S19): a separate CRL signer or a self-issued rollover key has no
	// CRL of its own here (Mono's Windows runs: 4.4.19, 4.5.1, 4.5.4, 4.5.6,
	// 4.6.15, 4.6.17 RevocationStatusUnknown).
	"4.4.19":  "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.5.1":   "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.5.4":   "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.5.6":   "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.6.15":  "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.6.17":  "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.9.6":   "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.11.7":  "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.12.7":  "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.12.9":  "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	"4.13.19": "CRL signed by a key other than the one that issued the certificate (separate CRL signer or self-issued rollover key)",
	// Indirect CRLs and separate cRLIssuers are not supported (spec §3.3).
	"4.14.22": "indirect CRL or separate cRLIssuer: not supported",
	"4.14.24": "indirect CRL or separate cRLIssuer: not supported",
	"4.14.25": "indirect CRL or separate cRLIssuer: not supported",
	"4.14.28": "indirect CRL or separate cRLIssuer: not supported",
	"4.14.29": "indirect CRL or separate cRLIssuer: not supported",
	"4.14.30": "indirect CRL or separate cRLIssuer: not supported",
	"4.14.33": "indirect CRL or separate cRLIssuer: not supported",
	// Certificate policies are checked only when the caller asks (spec §1.4);
	// `winchain verify` has no policy flags, so the PKITS policy settings and
	// expectations do not apply.
	"4.8.1.3":   "certificate policy processing not emulated",
	"4.8.2.2":   "certificate policy processing not emulated",
	"4.8.3.2":   "certificate policy processing not emulated",
	"4.8.3.3":   "certificate policy processing not emulated",
	"4.8.4":     "certificate policy processing not emulated",
	"4.8.5":     "certificate policy processing not emulated",
	"4.8.6.3":   "certificate policy processing not emulated",
	"4.8.7":     "certificate policy processing not emulated",
	"4.8.8":     "certificate policy processing not emulated",
	"4.8.9":     "certificate policy processing not emulated",
	"4.8.12":    "certificate policy processing not emulated",
	"4.8.14.2":  "certificate policy processing not emulated",
	"4.9.3":     "certificate policy processing not emulated",
	"4.9.5":     "certificate policy processing not emulated",
	"4.10.1.2":  "certificate policy processing not emulated",
	"4.10.1.3":  "certificate policy processing not emulated",
	"4.10.2.1":  "certificate policy processing not emulated",
	"4.10.2.2":  "certificate policy processing not emulated",
	"4.10.3.1":  "certificate policy processing not emulated",
	"4.10.4":    "certificate policy processing not emulated",
	"4.10.5.2":  "certificate policy processing not emulated",
	"4.10.6.2":  "certificate policy processing not emulated",
	"4.10.7":    "certificate policy processing not emulated",
	"4.10.8":    "certificate policy processing not emulated",
	"4.10.10":   "certificate policy processing not emulated",
	"4.10.13.3": "certificate policy processing not emulated",
	"4.11.1":    "certificate policy processing not emulated",
	"4.11.3":    "certificate policy processing not emulated",
	"4.11.5":    "certificate policy processing not emulated",
	"4.11.6":    "certificate policy processing not emulated",
	"4.12.1":    "certificate policy processing not emulated",
	"4.12.3.2":  "certificate policy processing not emulated",
	"4.12.4":    "certificate policy processing not emulated",
	"4.12.5":    "certificate policy processing not emulated",
	"4.12.6":    "certificate policy processing not emulated",
}

// pkitsDirs are the two copies of the suite the test runs: the project's
// and the shared conformance copy (the same files, checked by hash in the
// README; a copy that is absent is skipped).
var pkitsDirs = []string{
	filepath.Join("..", "..", "testdata", "pkits"),
	filepath.Join("/work", "shared", "conformance", "pkits"),
}

// TestPKITSThroughCLI runs every PKITS test the way a user would, with
// revocation on:
//
//	winchain verify --at 2020-01-01T00:00:00Z --revocation chain-exclude-root \
//	  --root TrustAnchor --ca … --crl … EE
//
// (the CLI in-process through run, so 249 runs stay fast). Exit 0 is
// "valid", 1 "invalid"; 2 (bad input) always fails the test.
func TestPKITSThroughCLI(t *testing.T) {
	for _, dir := range pkitsDirs {
		data, err := os.ReadFile(filepath.Join(dir, "tests.json"))
		if err != nil {
			if dir != pkitsDirs[0] && os.IsNotExist(err) {
				continue
			}
			t.Fatal(err)
		}
		var tests []pkitsCase
		if err := json.Unmarshal(data, &tests); err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(filepath.Dir(dir)), func(t *testing.T) {
			pass := 0
			for _, tc := range tests {
				if runPKITSCase(t, dir, tc) {
					pass++
				}
			}
			t.Logf("%s: %d of %d PKITS tests agree with PKITS, %d listed divergences", dir, pass, len(tests), len(pkitsCLIDivergences))
		})
	}
}

// runPKITSCase runs one test and reports whether winchain agreed with the
// PKITS expectation.
func runPKITSCase(t *testing.T, dir string, tc pkitsCase) bool {
	args := []string{"verify", "--at", "2020-01-01T00:00:00Z", "--revocation", "chain-exclude-root",
		"--root", filepath.Join(dir, "certs", tc.Certs[0])}
	for _, c := range tc.Certs[1 : len(tc.Certs)-1] {
		args = append(args, "--ca", filepath.Join(dir, "certs", c))
	}
	for _, c := range tc.CRLs {
		args = append(args, "--crl", filepath.Join(dir, "crls", c))
	}
	args = append(args, filepath.Join(dir, "certs", tc.Certs[len(tc.Certs)-1]))
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	got := map[int]string{0: "valid", 1: "invalid"}[code]
	if got == "" {
		t.Errorf("%s %s: exit %d: %s", tc.ID, tc.Name, code, stderr.String())
		return false
	}
	if why, listed := pkitsCLIDivergences[tc.ID]; listed {
		if got == tc.Expect {
			t.Errorf("%s %s: listed as a divergence (%s) but now agrees (%s): remove its row", tc.ID, tc.Name, why, got)
		}
		return false
	}
	if got != tc.Expect {
		t.Errorf("%s %s: winchain says %s, PKITS %s, and docs/windows-divergences.md has no row:\n%s", tc.ID, tc.Name, got, tc.Expect, stdout.String())
		return false
	}
	return true
}

// TestPKITSDivergencesDocumented: every listed PKITS divergence is named in
// docs/windows-divergences.md (by its number, alone or in a range a–b of
// the same section).
func TestPKITSDivergencesDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "windows-divergences.md"))
	if err != nil {
		t.Fatal(err)
	}
	named := pkitsNumbers(string(doc))
	for id := range pkitsCLIDivergences {
		if !named[id] && !named[strings.Join(strings.Split(id, ".")[:3], ".")] {
			t.Errorf("PKITS %s is a listed divergence without a row in docs/windows-divergences.md", id)
		}
	}
}

var pkitsRef = regexp.MustCompile(`4\.(\d+)\.(\d+)(?:\.(\d+))?(?:\s*[–-]\s*4\.(\d+)\.(\d+))?`)

// pkitsNumbers returns the PKITS test numbers a text names, with ranges
// ("4.14.28–4.14.30") expanded.
func pkitsNumbers(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range pkitsRef.FindAllStringSubmatch(text, -1) {
		id := "4." + m[1] + "." + m[2]
		if m[3] != "" {
			out[id+"."+m[3]] = true
		}
		out[id] = true
		if m[4] == m[1] && m[5] != "" {
			var from, to int
			for _, c := range m[2] {
				from = from*10 + int(c-'0')
			}
			for _, c := range m[5] {
				to = to*10 + int(c-'0')
			}
			for n := from; n <= to && n-from < 50; n++ {
				out["4."+m[1]+"."+itoa(n)] = true
			}
		}
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
