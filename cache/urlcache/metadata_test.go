package urlcache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
)

// publishedNames are the five name/URL pairs of spec §4.3, taken from real
// Windows caches (S27) and checked there by recomputation.
var publishedNames = []struct{ url, name string }{
	{"http://x1.c.lencr.org/", "103621DE9CD5414CC2538780B4B75751"},
	{"http://crl3.digicert.com/DigiCertGlobalG2TLSRSASHA2562020CA1-1.crl", "1E2DBD58769A756A24A9D033F9B07F3D"},
	{"http://r3.o.lencr.org/MFMwUTBPME0wSzAJBgUrDgMCGgUABBRI2smg%2ByvTLU%2Fw3mjS9We3NfmzxAQUFC6zF7dYVsuuUAlA5h%2BvnYsUwsYCEgNJysJh3kjaVPgcXCDHUNNWsA%3D%3D", "FA29C1BB6FD1E1E853C21E880ECD12C7"},
	{"http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab", "57C8EDB95DF3F0AD4EE2DC2B8CFD4157"},
	// The OCSP entry stored as 50CD3D75D026C82E2E718570BD6F44D0_02835C…: the
	// part after '_' is the MD5 of the URL.
	{"http://ocsp.digicert.com/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQrHR6YzPN2BNbByL0VoiTIBBMAOAQUCrwIKReMpTlteg7OM8cus%2B37w3oCEAuJBTcSX0UQ1jcqECipKaU%3D", "02835C6072261A584AE38D197B622594"},
}

func TestURLName_PublishedPairs_Spec4_3(t *testing.T) {
	for _, p := range publishedNames {
		if got := URLName(p.url); got != p.name {
			t.Errorf("URLName(%q) = %s, want %s", p.url, got, p.name)
		}
	}
	// The name is case-sensitive on the URL: the lower-cased URL must not match.
	u := publishedNames[1].url
	if URLName(strings.ToLower(u)) == publishedNames[1].name {
		t.Errorf("URLName of the lower-cased URL matched; the key must be case-sensitive")
	}
}

func TestIsEntryName(t *testing.T) {
	for name, want := range map[string]bool{
		"103621DE9CD5414CC2538780B4B75751":                                  true,
		"50CD3D75D026C82E2E718570BD6F44D0_02835C6072261A584AE38D197B622594": true,
		".winchain":                            false,
		".winchain-tmp-1234":                   false,
		"103621DE9CD5414CC2538780B4B7575":      false,
		"_103621DE9CD5414CC2538780B4B75751":    false,
		"XYZ_103621DE9CD5414CC2538780B4B75751": false,
	} {
		if got := IsEntryName(name); got != want {
			t.Errorf("IsEntryName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFiletime(t *testing.T) {
	// 0x01CA8A755C6E0000 is WeakRsaPubKeyTime = 2010-01-01 (spec §8).
	want := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := FiletimeToTime(0x01CA8A755C6E0000); !got.Equal(want) {
		t.Errorf("FiletimeToTime = %v, want %v", got, want)
	}
	if got := TimeToFiletime(want); got != 0x01CA8A755C6E0000 {
		t.Errorf("TimeToFiletime = %#x", got)
	}
	if !FiletimeToTime(0).IsZero() || TimeToFiletime(time.Time{}) != 0 {
		t.Errorf("zero FILETIME must map to the zero time and back")
	}
}

// windowsRecord builds a MetaData record byte by byte at the offsets of spec
// §4.4, independently of Marshal, the way Windows lays it out: 0x70 in the
// first DWORD, the pre-fetch type DWORDs at 0x58, a quoted ETag.
func windowsRecord(url string, lastDownload uint64, field58 [8]byte, etag string, contentSize uint32) []byte {
	u := utf16LE(url, true)
	var e []byte
	if etag != "" {
		e = utf16LE(etag, true)
	}
	b := make([]byte, 0x74)
	binary.LittleEndian.PutUint32(b[0:], 0x70)
	binary.LittleEndian.PutUint32(b[0x0C:], uint32(len(u)))
	binary.LittleEndian.PutUint64(b[0x10:], lastDownload)
	copy(b[0x58:], field58[:])
	binary.LittleEndian.PutUint32(b[0x64:], uint32(len(e)))
	binary.LittleEndian.PutUint32(b[0x70:], contentSize)
	return append(append(b, u...), e...)
}

func TestParseMetaData_WindowsLayout_Spec4_4(t *testing.T) {
	// 2023-04-15T10:03:46.388216Z, the x1.c.lencr.org entry of S27.
	ld := time.Date(2023, 4, 15, 10, 3, 46, 388216000, time.UTC)
	f58 := [8]byte{0x28, 0, 0, 0, 0, 0, 0, 0}
	rec := windowsRecord("http://x1.c.lencr.org/", TimeToFiletime(ld), f58, `"6439ef9c-2cd"`, 717)
	m, err := ParseMetaData("x1", rec)
	if err != nil {
		t.Fatal(err)
	}
	if m.URL != "http://x1.c.lencr.org/" || m.ETag != `"6439ef9c-2cd"` || m.ContentSize != 717 || !m.LastDownload.Equal(ld) || m.Field58 != f58 {
		t.Errorf("parsed %+v", m)
	}
	if got := m.Marshal(); !bytes.Equal(got, rec) {
		t.Errorf("round trip changed the record:\n got %x\nwant %x", got, rec)
	}
	// A record winchain writes reads back with the same fields.
	n := NewMetaData("http://crl.example.test/a.crl", 1234, ld, "")
	m2, err := ParseMetaData("new", n.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if m2.URL != n.URL || m2.ContentSize != 1234 || !m2.LastDownload.Equal(ld) || m2.ETag != "" || binary.LittleEndian.Uint32(m2.Header[:]) != 0x70 {
		t.Errorf("winchain record read back as %+v", m2)
	}
}

func TestParseMetaData_Corrupt(t *testing.T) {
	full := windowsRecord("http://x1.c.lencr.org/", 1, [8]byte{}, `"e"`, 3)
	odd := windowsRecord("http://x/", 1, [8]byte{}, "", 0)
	binary.LittleEndian.PutUint32(odd[0x0C:], 7) // odd UrlSize: a byte of the NUL missing
	cases := []struct {
		name   string
		rec    []byte
		want   string // substring of the error; "" = parses
		offset int64
	}{
		{"empty file", nil, "truncated at byte 0", 0},
		{"cut inside the fixed header", full[:52], "MetaData record truncated at byte 52", 52},
		{"header only, URL missing", full[:0x74], "truncated at byte 116", 116},
		{"cut inside the URL", full[:0x80], "truncated at byte 128", 128},
		{"cut inside the ETag", full[:len(full)-1], "ETag", int64(len(full) - 1)},
		{"absurd UrlSize", func() []byte {
			b := append([]byte(nil), full...)
			binary.LittleEndian.PutUint32(b[0x0C:], 0xFFFFFFF0)
			return b
		}(), "UrlSize", 0x0C},
		{"odd UrlSize parses", odd[:0x74+7], "", 0},
		{"trailing bytes kept", append(append([]byte(nil), full...), 1, 2, 3), "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseMetaData("MetaData/X", c.rec)
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if !bytes.Equal(m.Marshal(), c.rec) {
					t.Errorf("round trip changed the record")
				}
				return
			}
			var ce *CorruptEntryError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *CorruptEntryError", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "MetaData/X") || ce.Offset != c.offset {
				t.Errorf("err = %v (offset %d), want %q at offset %d naming the file", err, ce.Offset, c.want, c.offset)
			}
		})
	}
}

// FuzzMetaData: parsing never panics, and whatever parses marshals back to
// the same bytes and re-parses to the same fields (STYLE §3d.8).
func FuzzMetaData(f *testing.F) {
	for _, p := range publishedNames {
		f.Add(windowsRecord(p.url, 0x01D96F8B00000000, [8]byte{0x20, 0, 0, 0, 3, 0, 0, 0}, `"746787a3f0d91:0"`, 4770))
		f.Add(NewMetaData(p.url, 10, time.Unix(1700000000, 0), "").Marshal())
	}
	f.Add([]byte{})
	f.Add(make([]byte, 0x74))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetaData("fuzz", b)
		if err != nil {
			var ce *CorruptEntryError
			if !errors.As(err, &ce) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		out := m.Marshal()
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip:\n in %x\nout %x", b, out)
		}
		m2, err := ParseMetaData("fuzz2", out)
		if err != nil || m2.URL != m.URL || m2.ETag != m.ETag || m2.ContentSize != m.ContentSize || !m2.LastDownload.Equal(m.LastDownload) {
			t.Fatalf("re-parse differs: %v", err)
		}
	})
}
