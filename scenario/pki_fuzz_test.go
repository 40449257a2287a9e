package scenario

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

// FuzzLoadPKI feeds arbitrary bytes to the scenario's PKI loading as a
// certificate file and as a key file (issue 15): loading never panics; a
// refusal is a *Error naming the file and the pki.* field; a key that
// loads signs.
func FuzzLoadPKI(f *testing.F) {
	for _, name := range []string{"root.pem", "issuing.pem", "root.key", "issuing.key"} {
		b, err := DemoFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	key, _ := DemoFile("root.key")
	// Deep and large inputs: nested BER, a long PEM body, many blocks.
	f.Add(append(bytes.Repeat([]byte{0x30, 0x80}, 5000), make([]byte, 10000)...))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n" + strings.Repeat("QUFB", 50000) + "\n-----END PRIVATE KEY-----\n"))
	f.Add(bytes.Repeat(key, 200))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &Spec{
			PKI:   PKISpec{Certs: map[string]string{"c": "c.pem"}, Keys: map[string]string{"k": "k.key"}},
			files: func(string) ([]byte, error) { return data, nil },
		}
		p, err := s.loadPKI()
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.File == "" || !strings.HasPrefix(se.Field, "pki.") || se.Err == nil {
				t.Fatalf("refusal %T %v does not name the file and field", err, err)
			}
			if p != nil {
				t.Fatal("result with an error")
			}
		}
		// The key on its own: either a signer or an error, never both.
		k, kerr := parseKey(data)
		if (k == nil) == (kerr == nil) {
			t.Fatalf("parseKey: key %v, error %v", k, kerr)
		}
		if k != nil {
			digest := sha256.Sum256([]byte("winchain"))
			if _, err := k.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
				t.Fatalf("a loaded key cannot sign: %v", err)
			}
		}
	})
}
