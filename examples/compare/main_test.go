package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/winchain/winchain/certutil"
)

// The example prints certutil-shaped text that our own parser reads back
// without an unknown line, with the demo chain's Windows bits.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"CertContext[0][0]: dwInfoStatus=102 dwErrorStatus=0\n",
		"CertContext[0][2]: dwInfoStatus=10c dwErrorStatus=0\n",
		"Subject: CN=mail.contoso.test, O=Contoso\n",
		"CertUtil: -verify command completed successfully.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	c, err := certutil.ParseVerify(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Unparsed) != 0 || len(c.Elements) != 3 || !c.Passed {
		t.Errorf("parsed back: %d elements, passed %v, unparsed %q", len(c.Elements), c.Passed, c.Unparsed)
	}
}
