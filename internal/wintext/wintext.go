// Package wintext is winchain's one reader of text files written on Windows:
// certutil captures, regedit / `reg export` .reg files and CAPI2 event-log
// exports. Windows tools write such text in UTF-16 (regedit's .reg export
// and PowerShell 5's `>` and Out-File: UTF-16LE with a byte order mark),
// UTF-8 with or without a BOM (PowerShell 7, Notepad, REGEDIT4 files), and
// files pass through tools that drop or swap the BOM. One rule set, in
// [Detect], decides the encoding for all of them:
//
//   - a UTF-8 BOM (EF BB BF): UTF-8, the BOM dropped;
//   - a UTF-16LE BOM (FF FE) or UTF-16BE BOM (FE FF): UTF-16 in that byte
//     order, the BOM dropped;
//   - no BOM, and the first [SniffLen] bytes are two code units of which the
//     high bytes are NUL and the low bytes are not (ASCII text in UTF-16,
//     "<\0?\0" or "W\0i\0"): UTF-16LE, or UTF-16BE for the mirror pattern;
//   - anything else: UTF-8 (or ASCII, or a code page that the format itself
//     declares, as a CAPI2 XML declaration does).
//
// The transcoding is golang.org/x/text/encoding/unicode's; an unpaired
// surrogate or a trailing odd byte becomes U+FFFD. The input is never
// trusted: any byte string decodes without error or panic.
package wintext

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// SniffLen is how many leading bytes [Detect] looks at: the longest BOM is
// 3 bytes (UTF-8); a BOM-less UTF-16 file is recognised by two code units
// (4 bytes), enough to tell "A\0B\0" from UTF-8 text that merely holds a NUL.
const SniffLen = 4

// Encoding is what [Detect] found.
type Encoding int

const (
	// UTF8 is text without a BOM and without the UTF-16 NUL pattern: UTF-8,
	// ASCII, or a code page the format declares.
	UTF8 Encoding = iota
	// UTF8BOM is UTF-8 after an EF BB BF byte order mark.
	UTF8BOM
	// UTF16LEBOM is UTF-16 little-endian after an FF FE byte order mark
	// (regedit's export, PowerShell 5 redirection and Out-File).
	UTF16LEBOM
	// UTF16BEBOM is UTF-16 big-endian after an FE FF byte order mark.
	UTF16BEBOM
	// UTF16LE is UTF-16 little-endian without a BOM (one that was cut off),
	// recognised by the NUL pattern.
	UTF16LE
	// UTF16BE is UTF-16 big-endian without a BOM, recognised by the NUL
	// pattern.
	UTF16BE
)

var encodingNames = [...]string{
	UTF8:       "UTF-8",
	UTF8BOM:    "UTF-8 with BOM",
	UTF16LEBOM: "UTF-16LE with BOM",
	UTF16BEBOM: "UTF-16BE with BOM",
	UTF16LE:    "UTF-16LE without BOM",
	UTF16BE:    "UTF-16BE without BOM",
}

// String names the encoding in words ("UTF-16LE with BOM").
func (e Encoding) String() string {
	if e >= 0 && int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return "unknown encoding"
}

// UTF16 reports whether the text is UTF-16 (and so is transcoded).
func (e Encoding) UTF16() bool { return e >= UTF16LEBOM && e <= UTF16BE }

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Detect decides the encoding of a text from its first bytes (at most
// [SniffLen] are looked at; fewer are fine).
func Detect(head []byte) Encoding {
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		return UTF8BOM
	case bytes.HasPrefix(head, bomUTF16LE):
		return UTF16LEBOM
	case bytes.HasPrefix(head, bomUTF16BE):
		return UTF16BEBOM
	case len(head) < SniffLen:
		return UTF8
	case head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
		return UTF16LE
	case head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
		return UTF16BE
	}
	return UTF8
}

// bomLen is the length of the byte order mark that e starts with.
func (e Encoding) bomLen() int {
	switch e {
	case UTF8BOM:
		return len(bomUTF8)
	case UTF16LEBOM, UTF16BEBOM:
		return len(bomUTF16LE)
	}
	return 0
}

// transformer is the UTF-16 → UTF-8 decoder for the text after the BOM.
func (e Encoding) transformer() transform.Transformer {
	order := unicode.LittleEndian
	if e == UTF16BEBOM || e == UTF16BE {
		order = unicode.BigEndian
	}
	// IgnoreBOM: the BOM that Detect saw is already skipped; a second one is
	// text (U+FEFF), not a byte-order switch.
	return unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder()
}

// Decode returns the text of a whole file as valid UTF-8: the encoding is
// [Detect]'s, the BOM is dropped, and invalid UTF-8 (each run of bad bytes)
// becomes U+FFFD. A UTF-16 text grows by at most half when transcoded.
func Decode(b []byte) string {
	e := Detect(b)
	b = b[e.bomLen():]
	if e.UTF16() {
		out, _, err := transform.Bytes(e.transformer(), b)
		if err == nil {
			return string(out)
		}
		// The x/text UTF-16 decoder does not fail on any input; keep a
		// result all the same.
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// NewReader wraps r for a streaming parser: UTF-16 text is transcoded to
// UTF-8 and a UTF-8 BOM dropped; any other bytes pass through unchanged, so
// that a code page the format declares (a CAPI2 export's XML declaration)
// can still be applied by the caller. It returns the encoding found. The
// error is r's, from reading the first bytes.
func NewReader(r io.Reader) (io.Reader, Encoding, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(SniffLen)
	if err != nil && err != io.EOF {
		return nil, UTF8, err
	}
	e := Detect(head)
	if _, err := br.Discard(e.bomLen()); err != nil {
		return nil, e, err
	}
	if e.UTF16() {
		return transform.NewReader(br, e.transformer()), e, nil
	}
	return br, e, nil
}
