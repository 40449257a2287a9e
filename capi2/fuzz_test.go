package capi2

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the log reader and the grouping. The
// properties: no panic; the reading ends with io.EOF or an error that names
// the input; every operation renders as text and JSON; an operation's own
// events are in SeqNumber order.
var (
	eventLineRE = regexp.MustCompile(`(?m)^<Event .*</Event>$`)
	eventIDRE   = regexp.MustCompile(`<EventID>\d+</EventID>`)
)

func FuzzReader(f *testing.F) {
	// Small seeds run fast: one event of each modelled ID from the
	// realistic logs, a whole operation (the German log) and the KB 3212877
	// policy event with skipped neighbours.
	byID := map[string]bool{}
	for _, file := range []string{"stale-crl-cache-only.xml", "network-timeout.xml", "revoked-leaf.xml"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "capi2", file))
		if err != nil {
			f.Fatal(err)
		}
		for _, ev := range eventLineRE.FindAll(b, -1) {
			id := string(eventIDRE.Find(ev))
			if !byID[id] {
				byID[id] = true
				f.Add(ev)
			}
		}
	}
	for _, file := range []string{"german-cache-only.xml", "kb3212877-policy.xml"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "capi2", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(utf16Bytes(`<Events><Event><System><Provider Name="Microsoft-Windows-CAPI2"/><EventID>41</EventID></System><UserData><CertVerifyRevocation><Result value="80092013">Ü</Result></CertVerifyRevocation></UserData></Event></Events>`, false, true))
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
