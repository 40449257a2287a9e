package preflight_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/preflight"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func demoCert(t *testing.T, name string) *certs.Certificate {
	t.Helper()
	cs, err := certs.LoadFile(filepath.Join("..", "scenario", "demo", name))
	require.NoError(t, err)
	return cs[0]
}

// labCase is the seed story's new certificate with its stores, a CRL and
// the registry values of a .reg export: every kind of file the kit has.
func labCase(t *testing.T) preflight.LabCase {
	t.Helper()
	crl, err := os.ReadFile("testdata/issuing1.crl")
	require.NoError(t, err)
	reg, err := os.ReadFile("testdata/chain-config.reg")
	require.NoError(t, err)
	vals, err := client.ParseRegExport("chain-config.reg", reg)
	require.NoError(t, err)
	return preflight.LabCase{
		Name:     "outlook-swap",
		Chain:    &preflight.Chain{Certs: []*certs.Certificate{demoCert(t, "mail-new.pem"), demoCert(t, "issuing.pem")}},
		Roots:    []*certs.Certificate{demoCert(t, "root.pem")},
		CAs:      []*certs.Certificate{demoCert(t, "issuing.pem")},
		CRLs:     [][]byte{crl},
		Registry: vals,
	}
}

// The generated kit, byte for byte (go test ./preflight -run Golden -update
// rewrites the golden files after a deliberate change).
func TestLabScriptGolden(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, preflight.WriteLab(dir, labCase(t)))
	for _, name := range []string{preflight.LabScript, preflight.LabManifestFile} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		golden := filepath.Join("testdata", "lab", name)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
			require.NoError(t, os.WriteFile(golden, got, 0o644))
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s differs from %s (run with -update after a deliberate change)", name, golden)
	}
	for _, f := range []string{"case/leaf.cer", "case/sent-1.cer", "case/root-1.cer", "case/ca-1.cer", "case/crl-1.crl"} {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f)))
		assert.NoError(t, err, f)
	}
	// A second write gives the same bytes (the kit is deterministic).
	again := t.TempDir()
	require.NoError(t, preflight.WriteLab(again, labCase(t)))
	a, _ := os.ReadFile(filepath.Join(dir, preflight.LabScript))
	b, _ := os.ReadFile(filepath.Join(again, preflight.LabScript))
	assert.Equal(t, a, b)
}

// What the script must do, checked on the generated text so a regression
// names the missing step: the kit's contract of the issue, in the order it
// runs.
func TestLabScriptSteps(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, preflight.WriteLab(dir, labCase(t)))
	b, err := os.ReadFile(filepath.Join(dir, preflight.LabScript))
	require.NoError(t, err)
	s := string(b)
	steps := []string{
		"#Requires -Version 5.1",
		"[switch]$Keep",
		"ConvertTo-Json -Depth 5 | Set-Content -Encoding UTF8 -LiteralPath $stateFile", // the original state, once
		"this script will change the machine as follows",                               // says it before
		"Import-Certificate -FilePath",
		"'-addstore', $f.Store",
		"New-ItemProperty -LiteralPath $r.Key -Name $r.Name -PropertyType $r.Kind",
		"@('-urlcache', '*', 'delete')",
		"@('-setreg', 'chain\\ChainCacheResyncFiletime', '@now')",
		"@('sl', $capi2, '/e:true')",
		"@('cl', $capi2)",
		"@('-verify', '-urlfetch'",
		"@('qe', $capi2, '/f:xml', '/e:Events')",
		"Copy-Item -LiteralPath $urlCache",
		"$_.Attributes = 'Normal'", // Compress-Archive skips hidden files
		"Compress-Archive",
		"if ($Keep)",
		"Restore-RegState $s",
		"Remove-Item -LiteralPath $p -Force",
		"'-delstore', $c.Store, $c.Hash",
	}
	at := 0
	for _, step := range steps {
		i := strings.Index(s[at:], step)
		require.GreaterOrEqual(t, i, 0, "missing or out of order: %s", step)
		at += i
	}
	assert.Contains(t, s, "Name = 'ChainUrlRetrievalTimeoutMilliseconds'; Kind = 'DWord'; Value = 0x00001388")
	assert.Contains(t, s, "'HKLM:\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\ChainEngine\\Config'")
	for _, ps7 := range []string{" ?? ", "?.", " && ", " || "} {
		assert.NotContains(t, s, ps7, "PowerShell 7 syntax in a 5.1 script")
	}
}

// The kit refuses what it must not write.
func TestLabRefuses(t *testing.T) {
	c := labCase(t)
	c.Registry = []client.RegValue{{Key: `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\Tcpip`, Name: "X", Type: "dword", Line: 3}}
	err := preflight.WriteLab(t.TempDir(), c)
	var le *preflight.LabError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, err.Error(), "is not ChainEngine\\Config")
	c = labCase(t)
	c.Name = "../escape"
	require.Error(t, preflight.WriteLab(t.TempDir(), c))
	c = labCase(t)
	c.Chain = &preflight.Chain{}
	require.Error(t, preflight.WriteLab(t.TempDir(), c))
}
