package revocation

import (
	"testing"
	"time"
)

func TestReasonName(t *testing.T) {
	for code, want := range map[int]string{0: "unspecified", 1: "keyCompromise", 6: "certificateHold", 10: "aACompromise", 7: "reason 7", -1: "reason -1"} {
		if got := ReasonName(code); got != want {
			t.Errorf("ReasonName(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestExplainRevoked(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		source, url, from string
		at                time.Time
		want              string
	}{
		{"crl", "http://pki.test/a.crl", "disk", at, "the CRL http://pki.test/a.crl (from disk) lists it as revoked since 2026-11-24T00:00:00Z, reason keyCompromise"},
		{"crl", "", "store", at, "the CRL (from store) lists it as revoked since 2026-11-24T00:00:00Z, reason keyCompromise"},
		{"ocsp", "http://ocsp.test/", "network", at, "the OCSP response http://ocsp.test/ (from network) says it is revoked since 2026-11-24T00:00:00Z, reason keyCompromise"},
		{"", "", "", time.Time{}, "the revocation information lists it as revoked, reason keyCompromise"},
	} {
		if got := ExplainRevoked(c.source, c.url, c.from, c.at, 1); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}
