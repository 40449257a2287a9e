package certs

import (
	"bytes"
	"os"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// DER is BER already: the conversion returns it unchanged.
func TestBERToDER_DERUnchanged(t *testing.T) {
	der, err := os.ReadFile("../testdata/aia/bundle.p7c")
	if err != nil {
		t.Fatal(err)
	}
	out, err := berToDER(der)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, der) {
		t.Fatal("DER input changed by the conversion")
	}
}

// FuzzBERToDER: the converter never panics; what it returns is one DER
// element (cryptobyte reads it whole) that converts to itself.
func FuzzBERToDER(f *testing.F) {
	for _, name := range []string{"bundle-ber.p7c", "bundle.p7c", "truncated.p7c"} {
		b, err := os.ReadFile("../testdata/aia/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	deep := append(bytes.Repeat([]byte{0x30, 0x80}, MaxBERDepth+10), make([]byte, 2*(MaxBERDepth+10))...)
	f.Add(deep)
	f.Add(append([]byte{0x30, 0x80}, append(bytes.Repeat([]byte{0x04, 0x00}, 20_000), 0, 0)...))
	f.Add([]byte{0x3f, 0x81, 0x01, 0x80, 0x04, 0x01, 0xff, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := berToDER(b)
		if err != nil {
			return
		}
		s := cryptobyte.String(out)
		var el cryptobyte.String
		// cryptobyte reads single-byte tags only; high tag numbers are
		// checked by the idempotence below.
		if out[0]&0x1f != 0x1f && (!s.ReadAnyASN1Element(&el, nil) || !s.Empty()) {
			t.Fatalf("not one DER element: % x", out[:min(len(out), 32)])
		}
		again, err := berToDER(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("DER output does not convert to itself: %v", err)
		}
	})
}
