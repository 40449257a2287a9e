package capi2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// revocationEvent writes one event 41 of the operation whose TaskId is
// derived from task, with the given SeqNumber.
func revocationEvent(b *bytes.Buffer, task, seq, record int) {
	fmt.Fprintf(b, `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>41</EventID><Level>4</Level><TimeCreated SystemTime="2026-11-24T10:%02d:%02d.%07dZ"/><EventRecordID>%d</EventRecordID><Execution ProcessID="1000" ThreadID="1"/></System><UserData><CertVerifyRevocation><Certificate fileRef="5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192.cer" subjectName="host%d.contoso.test"/><IssuerCertificate fileRef="A1B2C3D4E5F60718293A4B5C6D7E8F9001122334.cer" subjectName="Contoso Issuing CA 01"/><Flags value="0"/><RevocationStatus index="0" error="0" reason="0" actualFreshnessTime="PT1H"/><CertificateRevocationList location="UrlCache" url="http://pki.contoso.test/ca.crl" fileRef="44649D4C2634C2B5BD91AB9E0A70C5EAFC8B8640.crl" issuerName="Contoso Issuing CA 01"/><EventAuxInfo ProcessName="svchost.exe"/><CorrelationAuxInfo TaskId="{%08X-0000-4000-8000-000000000000}" SeqNumber="%d"/><Result value="0"/></CertVerifyRevocation></UserData></Event>`+"\n",
		(record/60000)%60, (record/1000)%60, (record%1000)*10000, record, task, task, seq)
}

// TestDeepEvent: an event nested deeper than MaxEventDepth is skipped with
// its record id and reason; the events after it are still read.
func TestDeepEvent(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<Event><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>90</EventID><EventRecordID>9</EventRecordID></System><UserData>`)
	// Event and UserData are two levels: MaxEventDepth more puts the
	// innermost element past the bound.
	for i := 0; i < MaxEventDepth; i++ {
		b.WriteString("<X509Objects>")
	}
	for i := 0; i < MaxEventDepth; i++ {
		b.WriteString("</X509Objects>")
	}
	b.WriteString("</UserData></Event>")
	b.Write(fixture(t, "kb3212877-policy.xml"))
	ops, r := readAll(t, []byte(b.String()))
	require.Len(t, ops, 1, "the operation after the deep event is read")
	require.NotNil(t, ops[0].Policy())
	sk, n := r.Skipped()
	require.NotEmpty(t, sk)
	assert.Equal(t, uint64(9), sk[0].RecordID)
	assert.Contains(t, sk[0].Reason, fmt.Sprintf("%d levels", MaxEventDepth))
	assert.Equal(t, 3, n, "the deep event and the fixture's two skipped events")

	// One level less is within the bound: not skipped as oversized.
	var ok strings.Builder
	ok.WriteString(`<Event><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>90</EventID><EventRecordID>9</EventRecordID></System><UserData>`)
	ok.WriteString(strings.Repeat("<X509Objects>", MaxEventDepth-3) + strings.Repeat("</X509Objects>", MaxEventDepth-3))
	ok.WriteString("</UserData></Event>")
	r2, err := NewReader(strings.NewReader(ok.String()), "ok.xml")
	require.NoError(t, err)
	ev, err := r2.Next()
	require.NoError(t, err)
	assert.Equal(t, uint64(9), ev.RecordID)
	_, n = r2.Skipped()
	assert.Zero(t, n)
}

// TestSkippedKept: past MaxSkippedKept skipped events, further ones are
// counted but not listed, and the modelled events are still read.
func TestSkippedKept(t *testing.T) {
	extra := 250
	var b bytes.Buffer
	b.WriteString("<Events>\n")
	for i := 0; i < MaxSkippedKept+extra; i++ {
		fmt.Fprintf(&b, `<Event><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4624</EventID><EventRecordID>%d</EventRecordID></System></Event>`+"\n", i+1)
	}
	revocationEvent(&b, 1, 1, MaxSkippedKept+extra+1)
	b.WriteString("</Events>\n")
	ops, r := readAll(t, b.Bytes())
	require.Len(t, ops, 1)
	sk, n := r.Skipped()
	assert.Equal(t, MaxSkippedKept+extra, n)
	require.Len(t, sk, MaxSkippedKept)
	assert.Equal(t, uint64(1), sk[0].RecordID)
	assert.Equal(t, uint64(MaxSkippedKept), sk[len(sk)-1].RecordID, "the first ones are kept")
	assert.Equal(t, MaxSkippedKept+extra+1, r.Events())
}

// TestMaxOpenOperations: past the bound on open operations the one idle
// longest is completed, so the operations held stay at the bound. The
// bound is lowered below IdleEvents, which otherwise always acts first.
func TestMaxOpenOperations(t *testing.T) {
	const bound, tasks = 50, 200
	old := maxOpenOperations
	maxOpenOperations = bound
	defer func() { maxOpenOperations = old }()

	// Every operation's first event, then every operation's second: all
	// 200 would be open at once, well within IdleEvents.
	var b bytes.Buffer
	b.WriteString("<Events>\n")
	rec := 0
	for seq := 1; seq <= 2; seq++ {
		for i := 0; i < tasks; i++ {
			rec++
			revocationEvent(&b, i, seq, rec)
		}
	}
	b.WriteString("</Events>\n")
	r, err := NewReader(bytes.NewReader(b.Bytes()), "open.xml")
	require.NoError(t, err)
	g := NewGrouper(r)
	count, events := 0, 0
	for {
		op, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		assert.LessOrEqual(t, len(g.open), bound)
		count++
		events += len(op.Events)
	}
	assert.Equal(t, 2*tasks, events, "no event is lost")
	// Completed before their second event arrived, every operation is
	// split in two; without the bound there would be 200 of two events.
	assert.Equal(t, 2*tasks, count)
}

// TestCertsDirTooMany: a --certs folder with more than MaxCertsDirFiles
// files is refused before any is read, naming the folder and the count.
// The bound is lowered to 500 (creating 10,001 files takes seconds on a
// busy disk); the check is the same.
func TestCertsDirTooMany(t *testing.T) {
	const bound = 500
	old := maxCertsDirFiles
	maxCertsDirFiles = bound
	defer func() { maxCertsDirFiles = old }()
	dir := t.TempDir()
	for i := 0; i <= bound; i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%05d.txt", i)))
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	_, err := LoadCertsDir(dir)
	require.Error(t, err)
	assert.Equal(t, fmt.Sprintf("--certs %s: %d files, more than the %d read", dir, bound+1, bound), err.Error())

	// At the bound the folder is read.
	require.NoError(t, os.Remove(filepath.Join(dir, "00000.txt")))
	_, err = LoadCertsDir(dir)
	require.NoError(t, err)
}
