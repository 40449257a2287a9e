package certutil

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/wintext"
)

func parseFile(t testing.TB, path string) (*Capture, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	c, err := ParseVerify(bytes.NewReader(raw))
	require.NoError(t, err)
	return c, string(raw)
}

var (
	reRawCertContext = regexp.MustCompile(`dwInfoStatus=([0-9a-fA-F]+) dwErrorStatus=([0-9a-fA-F]+)`)
	reRawURL         = regexp.MustCompile(`(?:https?|ldap)://[^\s>]+`)
)

// Every sample of spec §7.1 parses without losing a status word or a URL
// line: each "dwInfoStatus=… dwErrorStatus=…" pair of the raw text is an
// element with those words, each roll-up name line is recorded, and each
// line holding an http:// or ldap:// URL is a retrieval with that URL.
func TestSamplesKeepEveryStatusWordAndURL(t *testing.T) {
	for _, path := range sampleFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c, raw := parseFile(t, path)
			pairs := reRawCertContext.FindAllStringSubmatch(raw, -1)
			require.Len(t, c.Elements, len(pairs))
			for i, m := range pairs {
				require.Equal(t, strings.ToLower(m[1]), strings.TrimLeft(strings.ToLower(hexWord(c.Elements[i].InfoStatus)), "0")+zeroIf(c.Elements[i].InfoStatus), "info of element %d", i)
				require.Equal(t, strings.ToLower(m[2]), strings.TrimLeft(strings.ToLower(hexWord(c.Elements[i].ErrorStatus)), "0")+zeroIf(c.Elements[i].ErrorStatus), "error of element %d", i)
			}
			require.Equal(t, strings.Count(raw, "ChainContext.dwErrorStatus"), len(c.ChainErrors))
			require.Equal(t, strings.Count(raw, "ChainContext.dwInfoStatus"), len(c.ChainInfo))
			elementNames := 0
			for _, e := range c.Elements {
				elementNames += len(e.Errors) + len(e.Info)
			}
			require.Equal(t, strings.Count(raw, "Element.dwInfoStatus")+strings.Count(raw, "Element.dwErrorStatus"), elementNames)

			var urlLines []string
			for _, l := range strings.Split(raw, "\n") {
				if u := reRawURL.FindString(l); u != "" {
					urlLines = append(urlLines, u)
				}
			}
			var got []string
			for _, r := range c.Retrievals {
				if r.URL != "" {
					got = append(got, r.URL)
				}
			}
			require.Equal(t, urlLines, trimURLs(got), "URL lines")
			for _, u := range c.Unparsed {
				require.NotRegexp(t, `dwErrorStatus|dwInfoStatus|http://|ldap://`, u)
			}
			// The JSON has the field names of docs/cli.md.
			b, err := json.Marshal(c)
			require.NoError(t, err)
			for _, f := range []string{`"elements"`, `"chainErrorStatus"`, `"retrievals"`, `"verdict"`, `"unparsed"`} {
				require.Contains(t, string(b), f)
			}
		})
	}
}

// trimURLs cuts each URL where the raw-text regexp would (at whitespace or >).
func trimURLs(us []string) []string {
	var out []string
	for _, u := range us {
		out = append(out, reRawURL.FindString(u))
	}
	return out
}

func hexWord(w Word) string { return strings.ToLower(strings.TrimPrefix(mustJSON(w), "0x")) }
func zeroIf(w Word) string {
	if w == 0 {
		return "0"
	}
	return ""
}

func mustJSON(w Word) string {
	b, _ := json.Marshal(w)
	return strings.Trim(string(b), `"`)
}

func TestSampleDetails(t *testing.T) {
	a, _ := parseFile(t, filepath.Join(fixtures, "sampleA-S35-verify-urlfetch.txt"))
	require.Len(t, a.Elements, 3)
	require.Equal(t, Word(0x102), a.Elements[0].InfoStatus)
	require.Equal(t, Word(0x10c), a.Elements[2].InfoStatus)
	require.Equal(t, "CN=IDMDCPRD06.MATC.Madison.Login", a.Elements[0].Subject)
	require.Equal(t, "CN=MCICA01, DC=MATC, DC=Madison, DC=Login", a.Elements[0].Issuer)
	require.Equal(t, "efdd3818e8e4fe8dc2b2b8694a7270555d82cc8f", a.Elements[0].Cert)
	require.Equal(t, "1d0001d8ec61dacb7425ceb8a800000001d8ec", a.Elements[0].Serial)
	require.Equal(t, []string{"1.3.6.1.5.5.7.3.2 Client Authentication", "1.3.6.1.5.5.7.3.1 Server Authentication"}, a.Elements[0].Application)
	require.True(t, a.ChainContextSeen)
	require.Equal(t, Word(0), a.ChainErrorStatus)
	require.Equal(t, Word(0x100), a.ChainInfoStatus)
	require.Equal(t, []string{"CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT"}, a.ChainFlags)
	require.Equal(t, "HCCE_LOCAL_MACHINE", a.Engine)
	require.Equal(t, "BASE", a.Policy)
	require.Equal(t, "b5c88c49ba27e91ef3e0b361b2ba15176ecebff4", a.ExcludeLeafChain)
	require.Equal(t, "89350a2bf63781ae5899c84dc5bef0cba1d22418", a.FullChain)
	require.True(t, a.Passed)
	require.Equal(t, "Leaf certificate revocation check passed\nCertUtil: -verify command completed successfully.", a.Verdict)
	require.Len(t, a.CRLs, 2)
	require.Equal(t, CRL{Number: "067e", Issuer: "CN=MCICA01, DC=MATC, DC=Madison, DC=Login", ThisUpdate: "9/5/2023 4:05 PM", NextUpdate: "9/13/2023 4:25 AM", SHA1: "148ac780f70a135d6ee29fb97e687b84e3ccafc3", Element: 0}, a.CRLs[0])
	// The two excerpt markers are the only lines not modelled.
	require.Equal(t, []string{"...", "..."}, a.Unparsed)
	var words []string
	for _, r := range a.Retrievals {
		words = append(words, r.Section+"/"+r.Result+"/"+r.Index)
	}
	require.Equal(t, []string{
		"AIA/Verified/0.0", "AIA/Verified/1.0", "AIA/Verified/2.0",
		"CDP/Verified/0.0", "CDP/Verified/0.0.0", "CDP/Verified/0.0.1", "CDP/Verified/0.0.2", "CDP/Verified/1.0",
		"Base CRL CDP/OK/0.0", "OCSP/No URLs/",
		"CDP/Verified/0.0", "CDP/Expired/1.0",
		"AIA/No URLs/", "CDP/No URLs/", "OCSP/No URLs/",
	}, words)
	require.Equal(t, "http://cert01.matc.madison.login/Certs/CAPRD02.MATC.Madison.Login_MCICA01.crt", a.Retrievals[1].URL)
	require.Equal(t, 2, a.Retrievals[len(a.Retrievals)-1].Element)

	c, _ := parseFile(t, filepath.Join(fixtures, "sampleC-S34-url-failures.txt"))
	require.Empty(t, c.Unparsed)
	require.Len(t, c.Retrievals, 5)
	require.Equal(t, Retrieval{Section: "AIA", URL: "http://corppki/aia/mswww(6).crt", Result: "Failed", What: "AIA",
		Error: "The server name or address could not be resolved 0x80072ee7 (WIN32: 12007)", Element: -1}, c.Retrievals[1])
	require.Equal(t, "Base CRL (5a)", c.Retrievals[2].What)

	d, _ := parseFile(t, filepath.Join(fixtures, "sampleD-S36-offline-trailer.txt"))
	require.False(t, d.Passed)
	require.Equal(t, Word(chain.CRYPT_E_REVOCATION_OFFLINE), d.VerdictError)
	require.Len(t, d.VerdictLines, 2)

	e, _ := parseFile(t, filepath.Join(fixtures, "sampleE-S37-ocsp.txt"))
	require.Equal(t, []Retrieval{{Section: "OCSP", Result: "Verified", What: "OCSP", Element: -1}}, e.Retrievals)

	f, _ := parseFile(t, filepath.Join(fixtures, "sampleF-S44b-offline-zh.txt"))
	require.Empty(t, f.Unparsed)
	require.Equal(t, Word(0x1000040), f.ChainErrorStatus)
	require.Equal(t, Word(0x1000040), f.SimpleChainErrorStatus)
	require.Equal(t, Word(0x1000040), f.Elements[0].ErrorStatus)
	require.Equal(t, Word(0x102), f.Elements[0].InfoStatus)
}

// PowerShell's `>` writes UTF-16LE with a BOM and CRLF: it parses the same.
func TestParseUTF16AndCRLF(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(fixtures, "sampleA-S35-verify-urlfetch.txt"))
	require.NoError(t, err)
	want, err := ParseVerify(bytes.NewReader(raw))
	require.NoError(t, err)
	crlf := strings.ReplaceAll(string(raw), "\n", "\r\n")
	for name, enc := range map[string][]byte{
		"utf16le-bom": append([]byte{0xFF, 0xFE}, utf16Bytes(crlf, binary.LittleEndian)...),
		"utf16be-bom": append([]byte{0xFE, 0xFF}, utf16Bytes(crlf, binary.BigEndian)...),
		"utf16le":     utf16Bytes(crlf, binary.LittleEndian),
		"utf8-bom":    append([]byte{0xEF, 0xBB, 0xBF}, crlf...),
		"crlf":        []byte(crlf),
	} {
		got, err := ParseVerify(bytes.NewReader(enc))
		require.NoError(t, err, name)
		got.kinds, want.kinds = nil, nil
		require.Equal(t, want, got, name)
	}
}

func utf16Bytes(s string, order binary.AppendByteOrder) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

// Localized lines are kept, not fatal; the English status lines around
// them still parse.
func TestParseLocalizedAndGarbage(t *testing.T) {
	in := "CertContext[0][0]: dwInfoStatus=102 dwErrorStatus=1000040\n" +
		"颁发者: CN=R3, O=Let's Encrypt\n" +
		"---------------- Certificate CDP ----------------\n" +
		"失败 \"CDP\" 时间: 0\n" +
		"Verified \"Base CRL (01)\" Time: 1 0123456789abcdef0123456789abcdef01234567\n" +
		"[0.0] http://crl.example.test/a.crl\n" +
		"\x00\xff garbage\n"
	c, err := ParseVerify(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, c.Elements, 1)
	require.Equal(t, []string{"颁发者: CN=R3, O=Let's Encrypt", "失败 \"CDP\" 时间: 0", "\x00\ufffd garbage"}, c.Unparsed)
	require.Equal(t, []Retrieval{{Section: "CDP", URL: "http://crl.example.test/a.crl", Result: "Verified", What: "Base CRL (01)",
		Index: "0.0", Time: 1, TimeSuffix: "0123456789abcdef0123456789abcdef01234567"}}, c.Retrievals)
}

// Our render, read back by our parser, keeps every field, and diffs clean.
func TestRoundTrip(t *testing.T) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			cc, st := s.run(t)
			text := render(t, cc, st)
			c, err := ParseVerify(strings.NewReader(text))
			require.NoError(t, err)
			require.Empty(t, c.Unparsed)
			els := cc.Chains[0].Elements
			require.Len(t, c.Elements, len(els))
			for i, el := range els {
				ce := c.Elements[i]
				require.Equal(t, i, ce.Index)
				require.Equal(t, Word(el.TrustStatus.ErrorStatus), ce.ErrorStatus)
				require.Equal(t, Word(el.TrustStatus.InfoStatus), ce.InfoStatus)
				require.Equal(t, el.TrustStatus.ErrorStatus.Names(), nilIfEmpty(ce.Errors))
				require.Equal(t, el.TrustStatus.InfoStatus.Names(), nilIfEmpty(ce.Info))
				require.Equal(t, dn(el.Cert.X.Subject), ce.Subject)
				require.Equal(t, dn(el.Cert.X.Issuer), ce.Issuer)
				require.Equal(t, strings.ToLower(el.Cert.Thumbprint()), ce.Cert)
				require.Equal(t, strings.ToLower(el.Cert.SerialHex()), ce.Serial)
			}
			require.True(t, c.ChainContextSeen)
			require.Equal(t, Word(cc.TrustStatus.ErrorStatus), c.ChainErrorStatus)
			require.Equal(t, Word(cc.TrustStatus.InfoStatus), c.ChainInfoStatus)
			require.Equal(t, Word(cc.Chains[0].TrustStatus.ErrorStatus), c.SimpleChainErrorStatus)
			require.Equal(t, "BASE", c.Policy)
			require.Equal(t, chainHash(els), c.FullChain)
			require.Equal(t, chainHash(els[1:]), c.ExcludeLeafChain)
			require.Equal(t, st.OK(), c.Passed)
			require.Equal(t, Word(st.Error), c.VerdictError)
			// Every retrieval of the chain context is a URL line.
			atts := attribute(cc)
			n := 0
			for ei := range els {
				for _, r := range atts[ei] {
					n++
					found := false
					for _, cr := range c.Retrievals {
						if cr.URL == r.url && cr.Element == ei && (cr.Result != WordFailed) == r.res.OK {
							found = true
						}
					}
					require.True(t, found, "retrieval %s of element %d", r.url, ei)
				}
			}
			require.Equal(t, len(cc.Retrievals), n)
			require.Empty(t, Diff(c, cc, st))
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// A captured-style text that disagrees with winchain on one bit of one
// element and on one URL: the diff names exactly those two.
func TestDiffNamesOneBitAndOneURL(t *testing.T) {
	cc, st := scenarios[0].run(t) // good
	text := render(t, cc, st)
	edited := strings.Replace(text, "CertContext[0][1]: dwInfoStatus=102 dwErrorStatus=0", "CertContext[0][1]: dwInfoStatus=102 dwErrorStatus=40", 1)
	edited = strings.Replace(edited, "Verified \"Base CRL (067e)\" Time: 0\n[1.0] "+urlCRL2,
		"Failed \"CDP\" Time: 0\nError retrieving URL: The server name or address could not be resolved 0x80072ee7 (WIN32: 12007)\n"+urlCRL2, 1)
	require.NotEqual(t, text, edited)
	c, err := ParseVerify(strings.NewReader(edited))
	require.NoError(t, err)
	diffs := Diff(c, cc, st)
	require.Equal(t, []Difference{
		{Kind: "element", Element: 1, Field: "errorStatus", Certutil: "0x00000040 (CERT_TRUST_REVOCATION_STATUS_UNKNOWN)", Winchain: "0x00000000 (CERT_TRUST_NO_ERROR)"},
		{Kind: "url", Element: 0, Field: "result:CDP", URL: urlCRL2, Certutil: "failed", Winchain: "ok"},
	}, diffs)
	require.Equal(t, "element 1 errorStatus: certutil 0x00000040 (CERT_TRUST_REVOCATION_STATUS_UNKNOWN), winchain 0x00000000 (CERT_TRUST_NO_ERROR)", diffs[0].String())
	require.Equal(t, "url "+urlCRL2+" (CDP): certutil failed, winchain ok", diffs[1].String())
}

// The verdict and the chain roll-up are compared too; Sample D against a
// passing chain names the verdict only.
func TestDiffVerdictAndChain(t *testing.T) {
	cc, st := scenarios[0].run(t)
	d, _ := parseFile(t, filepath.Join(fixtures, "sampleD-S36-offline-trailer.txt"))
	require.Equal(t, []Difference{{Kind: "verdict", Element: -1, Field: "error",
		Certutil: "0x80092013 (CRYPT_E_REVOCATION_OFFLINE)", Winchain: "passed"}}, Diff(d, cc, st))

	f, _ := parseFile(t, filepath.Join(fixtures, "sampleF-S44b-offline-zh.txt"))
	diffs := Diff(f, cc, st)
	var fields []string
	for _, df := range diffs {
		fields = append(fields, df.Kind+"/"+df.Field)
	}
	require.Equal(t, []string{"element/count", "element/errorStatus", "chain/errorStatus"}, fields)
}

func TestRenderURLCache(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(fixtures, "urlcache-S45a-second-online.txt"))
	require.NoError(t, err)
	var buf bytes.Buffer
	entries := []*urlcache.Entry{{Name: "X", Meta: urlcache.NewMetaData("http://10.10.16.52:8888/pwned.pcap", 3, at, "")}}
	require.NoError(t, RenderURLCache(&buf, entries, URLCacheOptions{Network: NetworkOnline}))
	require.Equal(t, string(want), buf.String())

	// From a real disk folder, deleted form, no banner.
	d, err := urlcache.Open(t.TempDir(), urlcache.Options{})
	require.NoError(t, err)
	body := readPKI(t, "issuing.crl")
	require.NoError(t, d.Put("", urlcache.NewMetaData(urlCRL2, len(body), at, `"v1"`), body))
	list, problems, err := d.List()
	require.NoError(t, err)
	require.Empty(t, problems)
	buf.Reset()
	require.NoError(t, RenderURLCache(&buf, list, URLCacheOptions{Deleted: true}))
	require.Equal(t, urlCRL2+"\n\nWinHttp Cache entries deleted: 1\n\nCertUtil: -URLCache command completed successfully.\n", buf.String())
	buf.Reset()
	require.NoError(t, RenderURLCache(&buf, nil, URLCacheOptions{Network: NetworkOffline}))
	require.Equal(t, "WinHttp Cache entries: 0\n\n****  OFFLINE  ****\nCertUtil: -URLCache command completed successfully.\n", buf.String())
}

// FuzzParseVerify: any input parses without panic, and every non-empty
// line is accounted for — recognised or kept in Unparsed.
func FuzzParseVerify(f *testing.F) {
	for _, path := range sampleFiles(f) {
		b, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(b)
	}
	golden, _ := filepath.Glob(filepath.Join(fixtures, "golden", "*.txt"))
	for _, path := range golden {
		b, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseVerify(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(wintext.Decode(data), "\n")
		if len(lines) != len(c.kinds) {
			t.Fatalf("%d lines, %d kinds", len(lines), len(c.kinds))
		}
		var unparsed []string
		for i, l := range lines {
			trimmed := strings.TrimSpace(strings.TrimRight(l, "\r"))
			switch {
			case trimmed == "" && c.kinds[i] != "":
				t.Fatalf("blank line %d classified %q", i, c.kinds[i])
			case trimmed != "" && c.kinds[i] == "":
				t.Fatalf("line %d %q lost", i, l)
			case c.kinds[i] == "unparsed":
				unparsed = append(unparsed, trimmed)
			}
		}
		if len(unparsed) != len(c.Unparsed) {
			t.Fatalf("unparsed %q, kept %q", unparsed, c.Unparsed)
		}
		for i := range unparsed {
			if unparsed[i] != c.Unparsed[i] {
				t.Fatalf("unparsed line %q kept as %q", unparsed[i], c.Unparsed[i])
			}
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatal(err)
		}
	})
}
