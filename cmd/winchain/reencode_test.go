package main

import (
	"encoding/binary"
	"os"
	"unicode/utf16"

	"github.com/rogpeppe/go-internal/testscript"
)

// The testscript command that writes a text file the way Windows tools
// leave it: in UTF-16, which a script cannot hold as text.
func init() {
	// utf16 le|be|le-nobom|be-nobom SRC DST writes the UTF-8 text of SRC to
	// DST as UTF-16 in that byte order, with a BOM (regedit's export is
	// le) or without one (a tool stripped it).
	scriptCmds["utf16"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 {
			ts.Fatalf("usage: utf16 le|be|le-nobom|be-nobom SRC DST")
		}
		var order binary.AppendByteOrder = binary.LittleEndian
		bom := true
		switch args[0] {
		case "le":
		case "be":
			order = binary.BigEndian
		case "le-nobom":
			bom = false
		case "be-nobom":
			order, bom = binary.BigEndian, false
		default:
			ts.Fatalf("utf16: unknown form %q", args[0])
		}
		text, err := os.ReadFile(ts.MkAbs(args[1]))
		ts.Check(err)
		var out []byte
		if bom {
			out = order.AppendUint16(out, 0xFEFF)
		}
		for _, u := range utf16.Encode([]rune(string(text))) {
			out = order.AppendUint16(out, u)
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[2]), out, 0o644))
	}
}
