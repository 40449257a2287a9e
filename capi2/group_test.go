package capi2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInterleavedProcesses: two processes' operations interleaved in one
// log come apart by TaskId, each in SeqNumber order with its policy check.
func TestInterleavedProcesses(t *testing.T) {
	ops, r := readAll(t, fixture(t, "two-processes.xml"))
	assert.Equal(t, 22, r.Events())
	require.Len(t, ops, 2)
	byProc := map[string]*Operation{}
	for _, op := range ops {
		byProc[op.Process] = op
		for i := 1; i < len(op.Events); i++ {
			a, b := op.Events[i-1], op.Events[i]
			if a.TaskID == op.TaskID && b.TaskID == op.TaskID {
				assert.Less(t, a.Seq, b.Seq, "%s events in SeqNumber order", op.Process)
			}
		}
		require.NotNil(t, op.Policy(), op.Process)
		assert.Equal(t, op.ChainRef(), op.Policy().Policy.ChainRef)
	}
	require.Contains(t, byProc, "OUTLOOK.EXE")
	require.Contains(t, byProc, "chrome.exe")
	assert.Equal(t, 4242, byProc["OUTLOOK.EXE"].ProcessID)
	assert.Equal(t, []int{10, 40, 50, 51, 41, 40, 52, 53, 41, 90, 11, 30}, byProc["OUTLOOK.EXE"].EventIDs())
	assert.Equal(t, []int{10, 40, 41, 40, 52, 53, 41, 90, 11, 30}, byProc["chrome.exe"].EventIDs())
	assert.Contains(t, byProc["OUTLOOK.EXE"].Verdict(), "ERROR_WINHTTP_TIMEOUT after 15s")
	assert.Contains(t, byProc["chrome.exe"].Verdict(), "revoked: mail.contoso.test is revoked")
}

// TestNewestFirst: Get-WinEvent writes the newest event first; the
// operation is the same and its policy event (own TaskId, seen before the
// chain) is still linked.
func TestNewestFirst(t *testing.T) {
	src := string(fixture(t, "stale-crl-cache-only.xml"))
	events := regexp.MustCompile(`(?m)^<Event .*</Event>$`).FindAllString(src, -1)
	require.Len(t, events, 13)
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	ops, _ := readAll(t, []byte(strings.Join(events, "\n")))
	require.Len(t, ops, 1)
	assert.Equal(t, []int{10, 40, 50, 51, 41, 40, 50, 51, 42, 41, 90, 11, 30}, ops[0].EventIDs())
	require.NotNil(t, ops[0].Policy())
}

// synthetic writes n one-event operations (event 41s), each its own TaskId.
func synthetic(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<Events>\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>41</EventID><Level>4</Level><TimeCreated SystemTime="2026-11-24T10:%02d:%02d.%07dZ"/><EventRecordID>%d</EventRecordID><Execution ProcessID="%d" ThreadID="1"/></System><UserData><CertVerifyRevocation><Certificate fileRef="5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192.cer" subjectName="host%d.contoso.test"/><IssuerCertificate fileRef="A1B2C3D4E5F60718293A4B5C6D7E8F9001122334.cer" subjectName="Contoso Issuing CA 01"/><Flags value="0"/><RevocationStatus index="0" error="0" reason="0" actualFreshnessTime="PT1H"/><CertificateRevocationList location="UrlCache" url="http://pki.contoso.test/ca.crl" fileRef="44649D4C2634C2B5BD91AB9E0A70C5EAFC8B8640.crl" issuerName="Contoso Issuing CA 01"/><EventAuxInfo ProcessName="svchost.exe"/><CorrelationAuxInfo TaskId="{%08X-0000-4000-8000-000000000000}" SeqNumber="1"/><Result value="0"/></CertVerifyRevocation></UserData></Event>`+"\n",
			(i/60000)%60, (i/1000)%60, (i%1000)*10000, i+1, 1000+i%7, i, i)
	}
	b.WriteString("</Events>\n")
	return b.Bytes()
}

// TestStreaming: the first operation is handed on long before the end of a
// large log, and the operations held open stay bounded.
func TestStreaming(t *testing.T) {
	n := IdleEvents + ReorderWindow + 500
	r, err := NewReader(bytes.NewReader(synthetic(n)), "big.xml")
	require.NoError(t, err)
	g := NewGrouper(r)
	op, err := g.Next()
	require.NoError(t, err)
	assert.Less(t, r.Events(), n, "the first operation came before the whole log was read")
	assert.LessOrEqual(t, len(g.open), IdleEvents+1)
	assert.Equal(t, "revocation good for host0.contoso.test", op.Verdict())
	count := 1
	for {
		_, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		count++
	}
	assert.Equal(t, n, count)
}

// TestVerdicts: one line per log, in an admin's words.
func TestVerdicts(t *testing.T) {
	for file, want := range map[string]string{
		// Event 11 with CACHE_ONLY and a CRL from the memory cache past its
		// nextUpdate, German texts (structure and values of the msedge.exe
		// capture in github.com/BetaHydri/GetCapiCorrelationTask README.md).
		"german-cache-only.xml":    "revocation offline for r.bing.com: the CRL in memory was stale (nextUpdate 2022-10-18 22:09 UTC) and the call was cache-only",
		"stale-crl-cache-only.xml": "revocation offline for mail.contoso.test: the CRL in the URL cache was stale (nextUpdate 2026-11-08 06:00 UTC) and the call was cache-only",
		"network-timeout.xml":      "revocation offline for mail.contoso.test: fetching http://pki.contoso.test/crl/ContosoIssuingCA01.crl failed (ERROR_WINHTTP_TIMEOUT after 15s)",
		"revoked-leaf.xml":         "revoked: mail.contoso.test is revoked (CRL on the network)",
		// Event 30 as published in Microsoft KB 3212877.
		"kb3212877-policy.xml": "policy failed: SSL CERT_E_UNTRUSTEDROOT (the root is not trusted)",
	} {
		t.Run(file, func(t *testing.T) {
			ops, _ := readAll(t, fixture(t, file))
			require.Len(t, ops, 1)
			assert.Equal(t, want, ops[0].Verdict())
		})
	}
}

// TestLocalised: a German log is read by its values, not its texts, which
// are kept as logged.
func TestLocalised(t *testing.T) {
	ops, _ := readAll(t, fixture(t, "german-cache-only.xml"))
	require.Len(t, ops, 1)
	ch := ops[0].Chain()
	assert.Equal(t, uint32(0x80092013), ch.Result.Value)
	assert.Equal(t, "Die Sperrfunktion konnte die Sperrung nicht überprüfen, da der Sperrserver offline war.", ch.Result.Text)
	assert.Equal(t, "Serverauthentifizierung", ch.Chain.Usage[0].Name)
	objs := ops[0].Objects()
	leaf := objs.Certs["930F5167FA5112F077FC65AB3DFFE8A347F5BD9B.cer"]
	require.NotNil(t, leaf)
	// KeyUsage value="B0": digitalSignature, keyEncipherment, dataEncipherment.
	assert.Equal(t, x509DigitalSignature|x509KeyEncipherment|x509DataEncipherment, leaf.KeyUsage.Usage)
	ocsp := objs.OCSP["D3B95EBB9474B2AC60FEE68BF670ACCF0168CEDE.bin"]
	require.NotNil(t, ocsp)
	assert.Equal(t, []RDN{{"CN", "Baltimore Cybertrust Validation 2025"}, {"O", "DigiCert, Inc."}, {"C", "US"}}, ocsp.DelegatedSigner)
	require.Len(t, ocsp.Responses, 1)
	assert.Equal(t, 0, ocsp.Responses[0].CertStatus)
	root := objs.Certs["D4DE20D05E66FC53FE1A50882C78DB2852CAE474.cer"]
	assert.Equal(t, "SHA1", root.SignatureAlgorithm.Hash)
	assert.Len(t, root.PropertyEKU, 2, "Properties/ExtendedKeyUsage is a store property, kept apart from the extensions")
	assert.False(t, root.HasEKU)
}

// TestKeyUsageValue: without the named attributes the value's bit blob is
// read (0x80 = digitalSignature … 0x01 encipherOnly, second byte 0x80
// decipherOnly).
func TestKeyUsageValue(t *testing.T) {
	for v, want := range map[string]uint32{"80": 1, "06": 1<<5 | 1<<6, "B0": 1 | 1<<2 | 1<<3, "0080": 1 << 8, "": 0} {
		ku := keyUsageOf(&node{attrs: attrs("value", v)})
		assert.Equal(t, want, uint32(ku.Usage), v)
	}
}

// TestPublicCaptureEvent41: an event 41 as PowerShell's
// ([xml]$_.ToXml()).Save([Console]::Out) prints it, with the IBM437
// declaration (structure of the capture in
// github.com/sovetov/sovetov.github.io debugging-revocation-cehck.md).
func TestPublicCaptureEvent41(t *testing.T) {
	ev := `<?xml version="1.0" encoding="IBM437"?>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-CAPI2" Guid="{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}" />
    <EventID>41</EventID>
    <Version>0</Version>
    <Level>2</Level>
    <Task>41</Task>
    <Opcode>2</Opcode>
    <Keywords>0x4000000000000005</Keywords>
    <TimeCreated SystemTime="2023-11-27T02:07:57.5609376Z" />
    <EventRecordID>4204</EventRecordID>
    <Correlation ActivityID="{011a12e2-1f9d-0004-9413-1a019d1fda01}" />
    <Execution ProcessID="1360" ThreadID="4380" />
    <Channel>Microsoft-Windows-CAPI2/Operational</Channel>
    <Computer>DESKTOP-1</Computer>
    <Security UserID="S-1-5-21-1-2-3-1001" />
  </System>
  <UserData>
    <CertVerifyRevocation>
      <Certificate fileRef="4C0D178CF1307C3A6F9B8EB4830E5CBDED173E95.cer" subjectName="*.google.com" />
      <IssuerCertificate fileRef="1E7EF647CBA150281C60897257102878C4BD8CDC.cer" subjectName="GTS CA 1C3" />
      <Flags value="0" />
      <AdditionalParameters currentTime="2023-11-27T02:07:57.375Z" />
      <RevocationStatus index="0" error="80092013" reason="0" thirdPartyProviderUsed="C:\Windows\System32\cryptnet.dll" />
      <EventAuxInfo ProcessName="lsass.exe" impersonateToken="S-1-5-21-1-2-3-1001" />
      <CorrelationAuxInfo TaskId="{B3C609FC-D773-4517-A317-556F11C0B3C4}" SeqNumber="19" />
      <Result value="80092013">The revocation function was unable to check revocation because the revocation server was offline.</Result>
    </CertVerifyRevocation>
  </UserData>
</Event>
`
	ops, _ := readAll(t, []byte(ev))
	require.Len(t, ops, 1)
	op := ops[0]
	assert.Equal(t, "lsass.exe", op.Process)
	assert.Equal(t, 19, op.Events[0].Seq)
	assert.Equal(t, `C:\Windows\System32\cryptnet.dll`, op.Events[0].Revocation.Provider)
	assert.Equal(t, "revocation CRYPT_E_REVOCATION_OFFLINE for *.google.com: no revocation server answered", op.Verdict())
	assert.Equal(t, "2023-11-27T02:07:57.375Z", rfc(op.Time()))
}

// TestPublicCaptureEvent53: a failed network fetch with the name-resolution
// error 12007 (values of the event 53 posted in Microsoft Q&A 63671, "ADFS
// 4.0 CRL Revocation Check not working (CAPI2)").
func TestPublicCaptureEvent53(t *testing.T) {
	ev := `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-CAPI2" Guid="{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}" /><EventID>53</EventID><Version>0</Version><Level>2</Level><Task>53</Task><Opcode>2</Opcode><Keywords>0x4000000000000036</Keywords><TimeCreated SystemTime="2020-08-10T12:40:27.774475300Z" /><EventRecordID>108</EventRecordID><Execution ProcessID="2412" ThreadID="720" /><Channel>Microsoft-Windows-CAPI2/Operational</Channel></System><UserData><CryptRetrieveObjectByUrlWire><URL scheme="http">http://crl3.digicert.com/DigiCertGlobalRootCA.crl</URL><Object type="CONTEXT_OID_CRL" constant="2" /><Timeout>PT15S</Timeout><Flags value="202005" CRYPT_RETRIEVE_MULTIPLE_OBJECTS="true" CRYPT_WIRE_ONLY_RETRIEVAL="true" CRYPT_LDAP_SCOPE_BASE_ONLY_RETRIEVAL="true" CRYPT_PROXY_CACHE_RETRIEVAL="true" /><AuxInfo maxUrlRetrievalByteCount="104857600" fProxyCacheRetrieval="true" /><AdditionalInfo><NetworkConnectivityStatus value="1" _SENSAPI_NETWORK_ALIVE_LAN="true" /></AdditionalInfo><Action name="Call_WinHttpSendRequest"><Error value="2EE7">The server name or address could not be resolved</Error></Action><EventAuxInfo ProcessName="Microsoft.IdentityServer.ServiceHost.exe" /><CorrelationAuxInfo TaskId="{15140D67-0627-40B3-8D5E-137AD20679F2}" SeqNumber="6" /><Result value="2EE7">The server name or address could not be resolved</Result></CryptRetrieveObjectByUrlWire></UserData></Event>`
	ops, _ := readAll(t, []byte(ev))
	require.Len(t, ops, 1)
	r := ops[0].Events[0].Retrieval
	assert.True(t, r.Wire)
	assert.Equal(t, "Call_WinHttpSendRequest", r.Action)
	assert.Equal(t, uint32(12007), r.ActionError.Value)
	assert.Equal(t, []string{"CRYPT_RETRIEVE_MULTIPLE_OBJECTS", "CRYPT_WIRE_ONLY_RETRIEVAL", "CRYPT_LDAP_SCOPE_BASE_ONLY_RETRIEVAL", "CRYPT_PROXY_CACHE_RETRIEVAL"}, r.Flags.Names)
	assert.Equal(t, []string{"_SENSAPI_NETWORK_ALIVE_LAN"}, r.Network.Names)
	assert.Equal(t, "fetching http://crl3.digicert.com/DigiCertGlobalRootCA.crl failed (ERROR_WINHTTP_NAME_NOT_RESOLVED)", ops[0].Verdict())
	rep := ops[0].Report()
	require.Len(t, rep.Retrievals, 1)
	assert.Equal(t, RetrievalJSON{URL: "http://crl3.digicert.com/DigiCertGlobalRootCA.crl", Kind: "crl", From: "network", Error: "0x00002EE7",
		ErrorName: "ERROR_WINHTTP_NAME_NOT_RESOLVED", Timeout: "15s", FlagNames: r.Flags.Names}, rep.Retrievals[0])
}

// TestNestedChainBuild: a revocation check that validates an OCSP
// responder's certificate builds a chain inside the operation, under the
// same TaskId (Microsoft's OCSP troubleshooting sequence 40, 52, 53, 10,
// 11, 30, 41). The operation's chain is the outer one (its event 11 comes
// last), and its policy is the check of that chain.
func TestNestedChainBuild(t *testing.T) {
	const task, outer, inner = "{11111111-2222-4333-8444-555555555555}", "{AAAAAAAA-0000-4000-8000-000000000001}", "{BBBBBBBB-0000-4000-8000-000000000002}"
	var b strings.Builder
	seq := 0
	ev := func(id int, body string) {
		seq++
		fmt.Fprintf(&b, `<Event><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>%d</EventID><TimeCreated SystemTime="2026-11-24T10:00:00.%03dZ"/><EventRecordID>%d</EventRecordID></System><UserData><X>%s<EventAuxInfo ProcessName="svchost.exe"/><CorrelationAuxInfo TaskId="%s" SeqNumber="%d"/><Result value="0"/></X></UserData></Event>`+"\n", id, seq, seq, body, task, seq)
	}
	chainBody := func(subject, ref string) string {
		return fmt.Sprintf(`<Certificate fileRef="5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192.cer" subjectName="%s"/><Flags value="0"/><CertificateChain chainRef="%s"><TrustStatus><ErrorStatus value="0"/><InfoStatus value="100"/></TrustStatus><ChainElement><Certificate fileRef="5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192.cer" subjectName="%s"/><TrustStatus><ErrorStatus value="0"/><InfoStatus value="102"/></TrustStatus></ChainElement></CertificateChain>`, subject, ref, subject)
	}
	ev(10, "")
	ev(40, `<Certificate fileRef="5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192.cer" subjectName="www.contoso.test"/>`)
	ev(52, `<URL>http://ocsp.contoso.test/MFEw</URL><Object type="CONTEXT_OID_OCSP_RESP"/>`)
	ev(53, `<URL>http://ocsp.contoso.test/MFEw</URL><Object type="CONTEXT_OID_OCSP_RESP"/>`)
	ev(10, "")
	ev(11, chainBody("Contoso OCSP Responder", inner))
	ev(30, `<Policy type="CERT_CHAIN_POLICY_BASE"/><CertificateChain chainRef="`+inner+`"/><Status chainIndex="-1" elementIndex="-1"/>`)
	ev(41, `<Certificate fileRef="5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192.cer" subjectName="www.contoso.test"/><RevocationStatus index="0" error="0"/><OCSPResponse location="Wire" url="http://ocsp.contoso.test/MFEw" fileRef="D3B95EBB9474B2AC60FEE68BF670ACCF0168CE01.bin"/>`)
	ev(11, chainBody("www.contoso.test", outer))
	ops, _ := readAll(t, []byte(b.String()))
	require.Len(t, ops, 1)
	op := ops[0]
	assert.Equal(t, []int{10, 40, 52, 53, 10, 11, 30, 41, 11}, op.EventIDs())
	assert.Equal(t, "www.contoso.test", op.Chain().Chain.Certificate.Subject)
	assert.Equal(t, outer, op.ChainRef())
	assert.Nil(t, op.Policy(), "the only policy event checked the responder's chain")
	assert.Equal(t, "trusted: the chain to www.contoso.test is valid", op.Verdict())
}

func TestOCSPBase(t *testing.T) {
	for in, want := range map[string]string{
		"http://ocsp.rt.test/MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABBSjxJzVpC88LVxQ4ZmFhGPKorf8rwQUQTbJQYaZh%2FQLe3QQbDBh7oTvcNECAgPu": "http://ocsp.rt.test/",
		"http://ocsp.example.com/MyCA/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ4q2Xc9rZ3CCqAzGlRYw9ABBg4HAQU":                            "http://ocsp.example.com/MyCA/",
		"http://ocsp.example.com/MyCA/": "http://ocsp.example.com/MyCA/",
		"http://ocsp.example.com":       "http://ocsp.example.com",
	} {
		assert.Equal(t, want, ocspBase(in), in)
	}
}
