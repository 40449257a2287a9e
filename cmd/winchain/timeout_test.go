package main

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

// hangingPKI starts a loopback server that never answers and returns a
// root and a leaf whose 10 CDP URLs point at it, and the server's stop.
func hangingPKI() (root, leaf *certs.Certificate, stop func()) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute): // never leave a handler behind
		}
	}))
	ca := testpki.NewRoot("Hanging CDP Root", testpki.ECDSA)
	var urls []string
	for i := range 10 {
		urls = append(urls, fmt.Sprintf("%s/hang%d.crl", srv.URL, i))
	}
	l := ca.NewLeaf("hang.example.test", testpki.ECDSA, func(c *x509.Certificate) { c.CRLDistributionPoints = urls })
	return ca.Cert, l.Cert, func() {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// Real HTTP to 10 CDP URLs that never answer: each may take the whole
// per-URL timeout (15 s, 150 s in all, issue 15) unless
// --accumulative-timeout makes them share one budget or --deadline stops
// the run. Timeouts are kept tiny; the run must end within a bound of its
// budget.
func TestVerifyTimeBoundsOverRealHTTP(t *testing.T) {
	root, leaf, stop := hangingPKI()
	defer stop()
	dir := t.TempDir()
	rootFile, leafFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(rootFile, testpki.PEM(root), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leafFile, testpki.PEM(leaf), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"verify", "--revocation", "end", "--root", rootFile}
	for _, tc := range []struct {
		name   string
		flags  []string
		budget time.Duration
		want   []string
	}{
		{"accumulative timeout", []string{"--accumulative-timeout", "300ms"}, 300 * time.Millisecond,
			[]string{"FAILED timeout", "CRYPT_E_REVOCATION_OFFLINE"}},
		{"deadline", []string{"--deadline", "400ms"}, 400 * time.Millisecond,
			[]string{"Path building stopped at a limit: --deadline (400ms)", "CRYPT_E_REVOCATION_OFFLINE"}},
		{"both", []string{"--deadline", "5s", "--accumulative-timeout", "200ms"}, 200 * time.Millisecond,
			[]string{"FAILED timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append(append(append([]string{}, base...), tc.flags...), leafFile)
			start := time.Now()
			code := run(args, &out, &errb)
			took := time.Since(start)
			t.Logf("%v: exit %d in %v", tc.flags, code, took)
			if code != 1 {
				t.Errorf("exit %d, want 1 (revocation offline); stderr %s", code, errb.String())
			}
			// The budget plus setup; far below one 15 s per-URL timeout.
			if took > tc.budget+3*time.Second {
				t.Errorf("took %v for a budget of %v", took, tc.budget)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	for _, bad := range []struct{ flag, value, want string }{
		{"--deadline", "soon", `--deadline "soon": want a positive duration such as 20s or 500ms`},
		{"--deadline", "-1s", `--deadline "-1s"`},
		{"--accumulative-timeout", "0", `--accumulative-timeout "0": want a positive duration such as 20s or 500ms or default`},
	} {
		var out, errb bytes.Buffer
		if code := run(append(append([]string{}, base...), bad.flag, bad.value, leafFile), &out, &errb); code != 2 || !strings.Contains(errb.String(), bad.want) {
			t.Errorf("%s %s: exit %d, stderr %q", bad.flag, bad.value, code, errb.String())
		}
	}
}
