package client_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/client"
)

func utf16File(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

func TestApplyRegExport_Spec8(t *testing.T) {
	// testdata/cache/chainengine-config.reg is a UTF-16LE regedit export.
	path := filepath.Join("..", "testdata", "cache", "chainengine-config.reg")
	var reg client.Registry
	if err := reg.LoadRegExport(path); err != nil {
		t.Fatal(err)
	}
	if reg.URLRetrievalTimeout != 5*time.Second {
		t.Errorf("timeout %v (the policy key's 5000 ms must win over the local 20000)", reg.URLRetrievalTimeout)
	}
	if reg.AccumulativeTimeout != 30*time.Second || reg.MaxAIARetrievalBytes != 200000 || reg.FlushExempt != cache.FlushDisabled || reg.OCSPValidity != time.Hour {
		t.Errorf("registry %+v", reg)
	}
	wantResync := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	if !reg.ResyncBefore.Equal(wantResync) {
		t.Errorf("ChainCacheResyncFiletime = %v, want %v", reg.ResyncBefore, wantResync)
	}
	if reg.MaxURLRetrievalBytes != 0 {
		t.Errorf("an absent value changed: %d", reg.MaxURLRetrievalBytes)
	}
}

func TestApplyRegExport_Errors(t *testing.T) {
	key := "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\ChainEngine\\Config]\r\n"
	cases := []struct{ name, text, want string }{
		{"wrong type", "REGEDIT4\r\n" + key + "\"ChainUrlRetrievalTimeoutMilliseconds\"=\"15000\"\r\n", "x.reg:3: ChainUrlRetrievalTimeoutMilliseconds: want REG_DWORD"},
		{"bad dword", "REGEDIT4\r\n" + key + "\"MaxUrlRetrievalByteCount\"=dword:zz\r\n", "x.reg:3: value \"MaxUrlRetrievalByteCount\": bad dword"},
		{"short FILETIME", "REGEDIT4\r\n" + key + "\"ChainCacheResyncFiletime\"=hex:00,01\r\n", "8-byte FILETIME"},
		{"no config key", "REGEDIT4\r\n[HKEY_CURRENT_USER\\Software]\r\n\"a\"=dword:1\r\n", "no ChainEngine\\Config key"},
		{"value before key", "\"a\"=dword:1\r\n", "x.reg:1: value \"a\" before any [key]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var reg client.Registry
			err := reg.ApplyRegExport("x.reg", []byte(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// A deleted value ("name"=-) in a later key goes back to the default.
func TestApplyRegExport_DeleteRestoresDefault(t *testing.T) {
	text := "REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\OID\\EncodingType 0\\CertDllCreateCertificateChainEngine\\Config]\r\n" +
		"\"MaxAIAUrlCountInCert\"=dword:00000002\r\n" +
		"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\ChainEngine\\Config]\r\n" +
		"\"MaxAIAUrlCountInCert\"=-\r\n"
	var reg client.Registry
	if err := reg.ApplyRegExport("x.reg", []byte(text)); err != nil {
		t.Fatal(err)
	}
	if reg.MaxAIAURLCountInCert != 0 {
		t.Errorf("MaxAIAURLCountInCert = %d, want 0 (the default)", reg.MaxAIAURLCountInCert)
	}
}

// FuzzRegExport: the parser never panics and names the file in its errors,
// and applying what it parsed never panics either.
func FuzzRegExport(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "testdata", "cache", "chainengine-config.reg")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("REGEDIT4\n[HKLM\\x\\CertDllCreateCertificateChainEngine\\Config]\n\"ChainCacheResyncFiletime\"=hex:00,\\\n  80,3e,d5,de,b1,9d,01\n"))
	f.Add(utf16File("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\ChainEngine\\Config]\r\n\"OcspValiditySeconds\"=dword:00000e10\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := client.ParseRegExport("fuzz.reg", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.reg") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, v := range vals {
			if v.Line < 1 {
				t.Fatalf("value %q without a line", v.Name)
			}
		}
		var reg client.Registry
		reg.ApplyRegExport("fuzz.reg", b)
	})
}

// A regedit export that a tool re-encoded (UTF-16BE, or its BOM stripped)
// or converted to UTF-8 loads the same values as the original UTF-16LE
// file with a BOM.
func TestLoadRegExport_ReencodedFiles(t *testing.T) {
	orig := filepath.Join("..", "testdata", "cache", "chainengine-config.reg")
	var want client.Registry
	if err := want.LoadRegExport(orig); err != nil {
		t.Fatal(err)
	}
	if want.URLRetrievalTimeout == 0 || want.OCSPValidity == 0 {
		t.Fatalf("the original export set nothing: %+v", want)
	}
	raw, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 2 || raw[0] != 0xFF || raw[1] != 0xFE || len(raw)%2 != 0 {
		t.Fatal("testdata export is no longer UTF-16LE with a BOM")
	}
	units := make([]uint16, 0, len(raw)/2-1)
	for i := 2; i+1 < len(raw); i += 2 {
		units = append(units, binary.LittleEndian.Uint16(raw[i:]))
	}
	text := string(utf16.Decode(units))
	encode := func(order binary.AppendByteOrder, bom bool) []byte {
		var b []byte
		if bom {
			b = order.AppendUint16(b, 0xFEFF)
		}
		for _, u := range utf16.Encode([]rune(text)) {
			b = order.AppendUint16(b, u)
		}
		return b
	}
	for name, data := range map[string][]byte{
		"utf16be-bom.reg":   encode(binary.BigEndian, true),
		"utf16le-nobom.reg": encode(binary.LittleEndian, false),
		"utf16be-nobom.reg": encode(binary.BigEndian, false),
		"utf8.reg":          []byte(text),
		"utf8-bom.reg":      append([]byte{0xEF, 0xBB, 0xBF}, text...),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			var got client.Registry
			if err := got.LoadRegExport(p); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("registry %+v, want %+v", got, want)
			}
		})
	}
}
