package capi2

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"

	"github.com/winchain/winchain/internal/wintext"
)

// evtxMagic opens every binary EVTX file ("ElfFile\0", the file header
// signature of the Windows XML Event Log format).
var evtxMagic = []byte("ElfFile\x00")

// EVTXError says that the input is a binary .evtx file, which winchain does
// not read: wevtutil converts it to the XML form that it does read.
type EVTXError struct {
	// Input names the file.
	Input string
}

func (e *EVTXError) Error() string {
	return fmt.Sprintf("%s: this is a binary .evtx event log; convert it to XML on Windows first: wevtutil qe %s /lf:true /f:xml /e:Events > %s",
		e.Input, winName(e.Input), strings.TrimSuffix(winName(e.Input), ".evtx")+".xml")
}

// winName is the file's base name as a user would type it on Windows.
func winName(input string) string {
	if i := strings.LastIndexAny(input, `/\`); i >= 0 {
		input = input[i+1:]
	}
	if input == "" || input == "-" {
		return "FILE.evtx"
	}
	return input
}

// InputError says that the input could not be read as a CAPI2 XML export:
// an XML syntax error (a truncated or damaged file), an unknown declared
// encoding, or an input that holds no events at all.
type InputError struct {
	// Input names the file; Line is the 1-based line of the problem when
	// known (0 otherwise).
	Input string
	Line  int
	// Reason says what is wrong, in words.
	Reason string
	Err    error
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %s", e.Input, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Input, e.Reason)
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// inputBufferSize is the read buffer of a CAPI2 export: large enough for
// the .evtx signature and the encoding check, and for the XML decoder's
// small reads to hit memory.
const inputBufferSize = 64 << 10

// decodeInput wraps r so that the XML decoder sees UTF-8: a UTF-16 file
// (PowerShell Out-File writes UTF-16LE with a BOM, spec §7.3; also one
// whose BOM was cut off) is transcoded, a UTF-8 BOM is dropped, by the
// rules of internal/wintext. It returns whether the text was transcoded, so
// a later encoding declaration is not applied twice.
func decodeInput(r io.Reader, input string) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(r, inputBufferSize)
	head, err := br.Peek(len(evtxMagic))
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, false, &InputError{Input: input, Reason: "cannot read: " + err.Error(), Err: err}
	}
	if bytes.HasPrefix(head, evtxMagic) {
		return nil, false, &EVTXError{Input: input}
	}
	// wintext.NewReader reuses br (its buffer is larger than bufio's
	// default), so the head peeked above is not read twice.
	text, enc, err := wintext.NewReader(br)
	if err != nil {
		return nil, false, &InputError{Input: input, Reason: "cannot read: " + err.Error(), Err: err}
	}
	return text, enc.UTF16(), nil
}

// charsetReader is the xml.Decoder's CharsetReader. An XML declaration that
// names a code page (PowerShell's Save([Console]::Out) writes
// encoding="IBM437", the console code page, spec §7.3) is honoured once,
// for a file that was not already transcoded from UTF-16; later
// declarations (one per event in a PowerShell loop) and declarations that
// a UTF-16 file's BOM contradicts change nothing.
func charsetReader(transcoded bool) func(string, io.Reader) (io.Reader, error) {
	switched := transcoded
	return func(label string, r io.Reader) (io.Reader, error) {
		l := strings.ToLower(strings.TrimSpace(label))
		if switched || strings.HasPrefix(l, "utf-16") || l == "unicode" || l == "utf-8" || l == "utf8" {
			return r, nil
		}
		enc := lookupEncoding(l)
		if enc == nil {
			return nil, fmt.Errorf("the XML declaration names encoding %q, which winchain does not know", label)
		}
		switched = true
		return transform.NewReader(r, enc.NewDecoder()), nil
	}
}

// lookupEncoding finds a code page by its IANA or WHATWG name ("IBM437",
// "windows-1252", "ibm850").
func lookupEncoding(label string) encoding.Encoding {
	if e, err := ianaindex.IANA.Encoding(label); err == nil && e != nil {
		return e
	}
	if e, err := htmlindex.Get(label); err == nil {
		return e
	}
	return nil
}

// syntaxLine extracts the line of an encoding/xml syntax error.
func syntaxLine(err error) int {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Line
	}
	return 0
}
