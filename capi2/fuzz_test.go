package capi2

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the log reader and the grouping. The
// properties: no panic; the reading ends with io.EOF or an error that names
// the input; every operation renders as text and JSON; an operation's own
// events are in SeqNumber order. Seeds are the logs of testdata/capi2 and
// their UTF-16 forms.
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "capi2", "*.xml"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(utf16Bytes(string(b[:min(len(b), 4000)]), false, true))
	}
	f.Add([]byte("ElfFile\x00"))
	f.Add([]byte(`<?xml version="1.0" encoding="IBM437"?><Event><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>11</EventID></System><UserData><CertGetCertificateChain/></UserData></Event>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.xml")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.xml") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		g := NewGrouper(r)
		for {
			op, err := g.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if !strings.Contains(err.Error(), "fuzz.xml") {
					t.Fatalf("error does not name the input: %v", err)
				}
				return
			}
			if err := op.WriteTimeline(io.Discard); err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(op.Report()); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(op.Events); i++ {
				a, b := op.Events[i-1], op.Events[i]
				if a.TaskID == op.TaskID && b.TaskID == op.TaskID && a.Seq > b.Seq {
					t.Fatalf("events out of SeqNumber order: %d then %d", a.Seq, b.Seq)
				}
			}
		}
	})
}
