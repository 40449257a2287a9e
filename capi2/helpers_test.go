package capi2

import (
	"crypto/x509"
	"encoding/xml"
	"regexp"
)

const (
	x509DigitalSignature = x509.KeyUsageDigitalSignature
	x509KeyEncipherment  = x509.KeyUsageKeyEncipherment
)

const x509DataEncipherment = x509.KeyUsageDataEncipherment

func attrs(kv ...string) []xml.Attr {
	var out []xml.Attr
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, xml.Attr{Name: xml.Name{Local: kv[i]}, Value: kv[i+1]})
	}
	return out
}

// regexp90 matches event 90 lines of a one-event-per-line log.
var regexp90 = regexp.MustCompile(`(?m)^<Event [^\n]*<EventID>90</EventID>[^\n]*\n`)
