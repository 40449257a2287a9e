package capi2

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/chain"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "capi2", name))
	require.NoError(t, err)
	return b
}

// readAll reads every operation of data.
func readAll(t testing.TB, data []byte) ([]*Operation, *Reader) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "test.xml")
	require.NoError(t, err)
	g := NewGrouper(r)
	var ops []*Operation
	for {
		op, err := g.Next()
		if errors.Is(err, io.EOF) {
			return ops, r
		}
		require.NoError(t, err)
		ops = append(ops, op)
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	u := utf16.Encode([]rune(s))
	var out []byte
	if bom {
		u = append([]uint16{0xFEFF}, u...)
	}
	for _, c := range u {
		if bigEndian {
			out = append(out, byte(c>>8), byte(c))
		} else {
			out = append(out, byte(c), byte(c>>8))
		}
	}
	return out
}

// TestReadForms: every XML form of spec §7.3 yields the same operation.
func TestReadForms(t *testing.T) {
	src := string(fixture(t, "stale-crl-cache-only.xml"))
	noRoot := regexp.MustCompile(`(?s)<\?xml[^>]*\?>\s*<Events>\n|</Events>\n`).ReplaceAllString(src, "")
	require.NotContains(t, noRoot, "<Events>")
	perLine := regexp.MustCompile(`(?m)^<Event `).ReplaceAllString(noRoot, "<?xml version=\"1.0\" encoding=\"IBM437\"?>\n<Event ")
	indented := strings.ReplaceAll(src, "><", ">\n  <")
	forms := map[string][]byte{
		"Events root with declaration (Event Viewer, wevtutil /e:Events)": []byte(src),
		"stream without a root (wevtutil qe /f:xml)":                      []byte(noRoot),
		"one event per line, each with a declaration (PowerShell Save)":   []byte(perLine),
		"indented":                          []byte(indented),
		"UTF-8 with BOM":                    append([]byte{0xEF, 0xBB, 0xBF}, src...),
		"UTF-16LE with BOM (Out-File)":      utf16Bytes(src, false, true),
		"UTF-16BE with BOM":                 utf16Bytes(src, true, true),
		"UTF-16LE without BOM":              utf16Bytes(noRoot, false, false),
		"UTF-16LE BOM, IBM437 declarations": utf16Bytes(perLine, false, true),
	}
	for name, data := range forms {
		t.Run(name, func(t *testing.T) {
			ops, r := readAll(t, data)
			assert.Equal(t, 13, r.Events())
			require.Len(t, ops, 1)
			assert.Equal(t, []int{10, 40, 50, 51, 41, 40, 50, 51, 42, 41, 90, 11, 30}, ops[0].EventIDs())
			assert.Equal(t, "revocation offline for mail.contoso.test: the CRL in the URL cache was stale (nextUpdate 2026-11-08 06:00 UTC) and the call was cache-only", ops[0].Verdict())
		})
	}
}

// TestCodePageDeclaration: a file without a BOM that declares the console
// code page (PowerShell's Save([Console]::Out), spec §7.3) is decoded with it:
// 0x81 is ü in IBM437.
func TestCodePageDeclaration(t *testing.T) {
	ev := strings.Replace(string(fixture(t, "revoked-leaf.xml")), "The certificate is revoked.", "Zertifikat gesperrt: M\x81ller", -1)
	ops, _ := readAll(t, []byte(ev))
	require.Len(t, ops, 1)
	assert.Equal(t, "Zertifikat gesperrt: Müller", ops[0].Chain().Result.Text)

	_, err := readErr(t, []byte(`<?xml version="1.0" encoding="x-no-such"?><Event/>`))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), `"x-no-such"`)
}

func readErr(t *testing.T, data []byte) ([]*Operation, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "capi2.xml")
	if err != nil {
		return nil, err
	}
	g := NewGrouper(r)
	var ops []*Operation
	for {
		op, err := g.Next()
		if errors.Is(err, io.EOF) {
			return ops, nil
		}
		if err != nil {
			return ops, err
		}
		ops = append(ops, op)
	}
}

// TestEVTXRefused: a binary export gets the conversion command.
func TestEVTXRefused(t *testing.T) {
	_, err := NewReader(bytes.NewReader(append([]byte("ElfFile\x00"), make([]byte, 100)...)), `C:\logs\capi2.evtx`)
	var ee *EVTXError
	require.ErrorAs(t, err, &ee)
	assert.Contains(t, err.Error(), "wevtutil qe capi2.evtx /lf:true /f:xml /e:Events > capi2.xml")
}

// TestDamagedInput: a truncated export returns the operations before the
// cut, then an error naming the file and line; input without events is
// refused.
func TestDamagedInput(t *testing.T) {
	src := fixture(t, "two-processes.xml")
	cut := src[:bytes.LastIndex(src, []byte("<Event "))+200]
	ops, err := readErr(t, cut)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "capi2.xml: line 22: the file ends in the middle of an event")
	assert.Len(t, ops, 2, "both operations were read before the cut")

	for _, data := range []string{"", "hello", "<html><body/></html>", "{\"json\": true}"} {
		_, err := readErr(t, []byte(data))
		require.ErrorAs(t, err, &ie, "%q", data)
		assert.Contains(t, err.Error(), "capi2.xml")
	}
	_, err = readErr(t, []byte("<Events><Event><System></Events>"))
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "not well-formed XML")
}

// TestSkipped: events of other providers and CAPI2 events that are not
// modelled are counted with a reason and never stop the run (docs/cli.md).
func TestSkipped(t *testing.T) {
	ops, r := readAll(t, fixture(t, "kb3212877-policy.xml"))
	require.Len(t, ops, 1)
	assert.Equal(t, 3, r.Events())
	sk, n := r.Skipped()
	assert.Equal(t, 2, n)
	assert.Equal(t, []Skipped{
		{RecordID: 3157, EventID: 4624, Reason: `not a CAPI2 event (provider "Microsoft-Windows-Security-Auditing")`},
		{RecordID: 3158, EventID: 19, Reason: "event 19 (CertFindCertificateInStore) is not modelled"},
	}, sk)
}

// TestOversizedEvent: an event past the node bound is skipped, the next one
// is read.
func TestOversizedEvent(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<Event><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>90</EventID><EventRecordID>7</EventRecordID></System><UserData><X509Objects>`)
	for i := 0; i <= MaxEventNodes; i++ {
		b.WriteString("<CN>x</CN>")
	}
	b.WriteString("</X509Objects></UserData></Event>")
	b.Write(fixture(t, "kb3212877-policy.xml"))
	ops, r := readAll(t, []byte(b.String()))
	assert.Len(t, ops, 1)
	sk, _ := r.Skipped()
	require.NotEmpty(t, sk)
	assert.Equal(t, uint64(7), sk[0].RecordID)
	assert.Contains(t, sk[0].Reason, "larger than the reader's bounds")
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"P14DT15H58M52S": 14*24*time.Hour + 15*time.Hour + 58*time.Minute + 52*time.Second,
		"PT15S":          15 * time.Second,
		"PT0S":           0,
		"PT9H33M48S":     9*time.Hour + 33*time.Minute + 48*time.Second,
		"P1W":            7 * 24 * time.Hour,
		"PT0.5S":         500 * time.Millisecond,
		"-PT1M":          -time.Minute,
	} {
		got, ok := parseDuration(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "P", "PT", "15S", "P1Y", "P1M", "PT1D", "P1H", "PTS", "P1DT", "PT1.2.3S", "P99999999D"} {
		_, ok := parseDuration(bad)
		assert.False(t, ok, bad)
	}
	assert.Equal(t, "14d15h58m52s", Duration{D: 14*24*time.Hour + 15*time.Hour + 58*time.Minute + 52*time.Second, Set: true}.String())
	assert.Equal(t, "15s", Duration{D: 15 * time.Second, Set: true}.String())
	assert.Equal(t, "0s", Duration{Set: true}.String())
}

func TestCodeNames(t *testing.T) {
	for v, want := range map[uint32]string{
		0x2EE2:     "ERROR_WINHTTP_TIMEOUT",
		0x2EE7:     "ERROR_WINHTTP_NAME_NOT_RESOLVED",
		0x80072EE7: "ERROR_WINHTTP_NAME_NOT_RESOLVED",
		0x80092013: "CRYPT_E_REVOCATION_OFFLINE",
		0x80092010: "CRYPT_E_REVOKED",
		0x800B0109: "CERT_E_UNTRUSTEDROOT",
		0x12345678: "0x12345678",
		0:          "",
	} {
		assert.Equal(t, want, Code{Value: v}.Name(), "%X", v)
	}
	v, ok := parseHex32("A0000000")
	assert.True(t, ok)
	assert.Equal(t, uint32(0xA0000000), v)
	v, ok = parseHex32("0x800B0101")
	assert.True(t, ok)
	assert.Equal(t, uint32(0x800B0101), v)
	_, ok = parseHex32("1FFFFFFFF")
	assert.False(t, ok)
}

// TestTypedEvents reads the fields of each modelled event from the stale-CRL
// log (structure of spec §7.3).
func TestTypedEvents(t *testing.T) {
	ops, _ := readAll(t, fixture(t, "stale-crl-cache-only.xml"))
	require.Len(t, ops, 1)
	op := ops[0]
	assert.Equal(t, "OUTLOOK.EXE", op.Process)
	assert.Equal(t, 4242, op.ProcessID)
	ch := op.Chain().Chain
	assert.Equal(t, uint32(0xC0000000), ch.Flags.Value)
	assert.Equal(t, []string{"CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT", "CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY"}, ch.Flags.Names)
	assert.Equal(t, "user", ch.Engine)
	assert.True(t, ch.UsageOr)
	assert.Equal(t, "5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192", ch.Certificate.SHA1)
	require.Len(t, ch.Additional, 2)
	require.Len(t, ch.Chains, 1)
	sc := ch.Chains[0]
	assert.Equal(t, "{0329F7C5-3224-41B2-ACF9-A79196D86FF8}", sc.ChainRef)
	assert.Equal(t, chain.RevocationStatusUnknown|chain.IsOfflineRevocation, sc.TrustStatus.ErrorStatus)
	assert.Equal(t, chain.HasPreferredIssuer, sc.TrustStatus.InfoStatus)
	require.Len(t, sc.Elements, 3)
	assert.Equal(t, chain.HasKeyMatchIssuer|chain.HasPreferredIssuer, sc.Elements[0].TrustStatus.InfoStatus)
	assert.Equal(t, chain.HasNameMatchIssuer|chain.IsSelfSigned|chain.HasPreferredIssuer, sc.Elements[2].TrustStatus.InfoStatus)
	assert.Equal(t, 4096, sc.Elements[1].PublicKey.Bits)
	rev := sc.Elements[1].Revocation
	require.NotNil(t, rev)
	assert.Equal(t, 4*24*time.Hour+2*time.Hour+5*time.Minute+12*time.Second, rev.Freshness.D)
	assert.Equal(t, &ObjectRef{Kind: "crl", Location: "UrlCache", FileRef: "7A7B7C7D7E7F808182838485868788898A8B8C8D.crl", IssuerName: "Contoso Root CA"}, rev.Object)
	assert.Nil(t, sc.Elements[2].Revocation)

	byID := map[int][]*Event{}
	for _, e := range op.Events {
		byID[e.ID] = append(byID[e.ID], e)
	}
	c := byID[EventCache][1].Retrieval
	assert.False(t, c.Wire)
	assert.Equal(t, "crl", c.Kind())
	assert.True(t, c.Flags.Has("CRYPT_CACHE_ONLY_RETRIEVAL"))
	assert.Equal(t, uint64(104857600), c.MaxBytes)
	require.NotNil(t, c.Cache)
	assert.Equal(t, time.Date(2026, 11, 8, 6, 0, 0, 0, time.UTC), c.Cache.NextUpdate)
	assert.Equal(t, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), c.Cache.LastSync)
	assert.True(t, c.Cache.Validated)
	rej := byID[EventRejected][0]
	assert.Equal(t, "CheckTimeValidity", rej.Rejected.Action)
	assert.Equal(t, "mail.contoso.test", rej.Rejected.Subject.Subject)
	assert.Equal(t, 2, rej.Level)
	r41 := byID[EventRevocation][1].Revocation
	assert.Equal(t, uint32(0x80092013), r41.Error.Value)
	assert.True(t, r41.Flags.Has(flagRevCacheOnly))
	assert.Equal(t, 15*time.Second, r41.URLTimeout.D)
	assert.Equal(t, time.Date(2026, 11, 24, 10, 5, 12, 0, time.UTC), r41.TimeToUse)
	pol := op.Policy()
	require.NotNil(t, pol)
	assert.Equal(t, "{7C1D2E3F-4A5B-4C6D-8E9F-A0B1C2D3E4F5}", pol.TaskID, "the policy event has its own TaskId and is linked by chainRef")
	assert.Equal(t, "mail.contoso.test", pol.Policy.ServerName)
	assert.Equal(t, 0, pol.Policy.ElementIndex)

	objs := op.Objects()
	leaf := objs.Certs["5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192.cer"]
	require.NotNil(t, leaf)
	assert.Equal(t, []RDN{{"CN", "mail.contoso.test"}, {"O", "Contoso Ltd"}, {"C", "US"}}, leaf.Subject)
	assert.Equal(t, "3300000A1B2C3D4E5F", leaf.Serial)
	require.NotNil(t, leaf.KeyUsage)
	assert.Equal(t, x509DigitalSignature|x509KeyEncipherment, leaf.KeyUsage.Usage)
	assert.Equal(t, []GeneralName{{"DNSName", "mail.contoso.test"}, {"DNSName", "autodiscover.contoso.test"}}, leaf.SAN)
	assert.Nil(t, leaf.BasicConstraints)
	inter := objs.Certs["A1B2C3D4E5F60718293A4B5C6D7E8F9001122334.cer"]
	require.NotNil(t, inter.BasicConstraints)
	assert.Equal(t, BasicConstraintsInfo{Critical: true, CA: true, PathLen: 0}, *inter.BasicConstraints)
	root := objs.Certs["0F1E2D3C4B5A69788796A5B4C3D2E1F001234567.cer"]
	assert.Equal(t, -1, root.BasicConstraints.PathLen)
	assert.Nil(t, root.AuthorityKeyID)
	crl := objs.CRLs["44649D4C2634C2B5BD91AB9E0A70C5EAFC8B8640.crl"]
	require.NotNil(t, crl)
	assert.Equal(t, "2A", crl.Number)
	assert.Equal(t, time.Date(2026, 11, 7, 6, 0, 0, 0, time.UTC), crl.NextPublish)
}
