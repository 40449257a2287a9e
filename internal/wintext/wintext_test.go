package wintext

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16Bytes encodes s as UTF-16 in the byte order asked, with or without
// a BOM, as regedit, PowerShell or a BOM-stripping tool would leave it.
func utf16Bytes(s string, bigEndian, bom bool) []byte {
	u := utf16.Encode([]rune(s))
	if bom {
		u = append([]uint16{0xFEFF}, u...)
	}
	var b []byte
	for _, c := range u {
		if bigEndian {
			b = append(b, byte(c>>8), byte(c))
		} else {
			b = append(b, byte(c), byte(c>>8))
		}
	}
	return b
}

const reg = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Ä]\r\n\"Wert\"=\"Grüße 😀\"\r\n"

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		enc  Encoding
		want string
	}{
		{"UTF-8", []byte(reg), UTF8, reg},
		{"UTF-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, reg...), UTF8BOM, reg},
		{"UTF-16LE BOM (regedit)", utf16Bytes(reg, false, true), UTF16LEBOM, reg},
		{"UTF-16BE BOM", utf16Bytes(reg, true, true), UTF16BEBOM, reg},
		{"UTF-16LE, BOM stripped", utf16Bytes(reg, false, false), UTF16LE, reg},
		{"UTF-16BE, BOM stripped", utf16Bytes(reg, true, false), UTF16BE, reg},
		{"empty", nil, UTF8, ""},
		{"one byte", []byte("A"), UTF8, "A"},
		{"UTF-16LE BOM only", []byte{0xFF, 0xFE}, UTF16LEBOM, ""},
		{"UTF-8 BOM only", []byte{0xEF, 0xBB, 0xBF}, UTF8BOM, ""},
		// Too short for the NUL pattern: read as bytes.
		{"A NUL", []byte("A\x00"), UTF8, "A\x00"},
		// A NUL in UTF-8 text that is not the UTF-16 pattern.
		{"UTF-8 with a NUL", []byte("AB\x00C"), UTF8, "AB\x00C"},
		// Invalid UTF-8: each bad run becomes one U+FFFD.
		{"Latin-1 bytes", []byte("Gr\xfc\xdfe"), UTF8, "Gr\uFFFDe"},
		// An odd trailing byte of a cut UTF-16 file is damage, shown.
		{"UTF-16LE odd length", append(utf16Bytes("AB", false, true), 'C'), UTF16LEBOM, "AB\uFFFD"},
		// An unpaired surrogate.
		{"UTF-16LE lone surrogate", []byte{0xFF, 0xFE, 0x00, 0xD8, 'A', 0}, UTF16LEBOM, "\uFFFDA"},
		// A second BOM is text, not a switch of byte order.
		{"UTF-16LE two BOMs", utf16Bytes("\uFEFFA", false, true), UTF16LEBOM, "\uFEFFA"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Detect(c.in); got != c.enc {
				t.Errorf("Detect = %v, want %v", got, c.enc)
			}
			if got := Decode(c.in); got != c.want {
				t.Errorf("Decode = %q, want %q", got, c.want)
			}
			// The streaming form gives the same text (before the UTF-8
			// validation, which it leaves to the caller), one byte at a time.
			r, enc, err := NewReader(iotest.OneByteReader(bytes.NewReader(c.in)))
			if err != nil {
				t.Fatal(err)
			}
			out, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if enc != c.enc {
				t.Errorf("NewReader encoding = %v, want %v", enc, c.enc)
			}
			if got := strings.ToValidUTF8(string(out), "\uFFFD"); got != c.want {
				t.Errorf("NewReader text = %q, want %q", got, c.want)
			}
		})
	}
}

// NewReader passes bytes that are not UTF-16 through unchanged, so that a
// code page a CAPI2 export declares can still be applied.
func TestNewReaderKeepsCodePageBytes(t *testing.T) {
	in := []byte("<?xml version=\"1.0\" encoding=\"IBM437\"?><a>\x81</a>")
	r, enc, err := NewReader(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(r)
	if enc != UTF8 || !bytes.Equal(out, in) {
		t.Fatalf("got %v %q, want the bytes unchanged", enc, out)
	}
}

func TestNewReaderReportsReadError(t *testing.T) {
	if _, _, err := NewReader(iotest.ErrReader(io.ErrUnexpectedEOF)); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v, want the reader's", err)
	}
}

func TestEncodingString(t *testing.T) {
	for e := UTF8; e <= UTF16BE; e++ {
		if s := e.String(); s == "" || s == "unknown encoding" {
			t.Errorf("%d has no name", int(e))
		}
	}
	if Encoding(99).String() != "unknown encoding" {
		t.Error("out-of-range encoding named")
	}
}

// FuzzDecode: any bytes decode without panic to valid UTF-8, the streaming
// form agrees with Decode, and UTF-16 input never grows by more than half
// (three UTF-8 bytes per two-byte unit, plus one U+FFFD for a trailing odd
// byte).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(reg))
	f.Add(utf16Bytes(reg, false, true))
	f.Add(utf16Bytes(reg, true, true))
	f.Add(utf16Bytes(reg, false, false))
	f.Add(utf16Bytes(reg, true, false))
	f.Add([]byte{0xFF, 0xFE, 0x00, 0xD8})
	f.Add([]byte{0xEF, 0xBB, 0xBF, 0xC3})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Decode(b)
		if !utf8.ValidString(s) {
			t.Fatalf("Decode(%q) = %q: not valid UTF-8", b, s)
		}
		if Detect(b).UTF16() && len(s) > len(b)*3/2+utf8.RuneLen(utf8.RuneError) {
			t.Fatalf("Decode grew %d bytes to %d", len(b), len(s))
		}
		r, _, err := NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ToValidUTF8(string(out), "\uFFFD"); got != s {
			t.Fatalf("NewReader %q, Decode %q", got, s)
		}
	})
}
