package main

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

// deepBER is the issue 15 input: d nested indefinite-length SEQUENCEs
// (python3 -c "d=3500000;open('ber.der','wb').write(b'\x30\x80'*d+b'\x00\x00'*d)").
func deepBER(d int) []byte {
	return append(bytes.Repeat([]byte{0x30, 0x80}, d), make([]byte, 2*d)...)
}

// A 14 MB BER object nested 3.5 million levels deep, given as the
// certificate and as each store file, is bad input (exit 2, one line naming
// the file and the limit) within bounded time and memory. Before the bound
// it overflowed the stack (a fatal error, exit 2 as well) after 4 s and
// 1 GB, and 4 MB of it took 5 s and 800 MB.
func TestDeepBERIsBadInput(t *testing.T) {
	dir := t.TempDir()
	ber := filepath.Join(dir, "ber.der")
	if err := os.WriteFile(ber, deepBER(3_500_000), 0o644); err != nil {
		t.Fatal(err)
	}
	leaf := filepath.Join(dir, "leaf.pem")
	demo, err := os.ReadFile("../../testdata/demo/leaf.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leaf, demo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"verify", ber},
		{"verify", "--root", ber, leaf},
		{"verify", "--ca", ber, leaf},
		{"verify", "--extra", ber, leaf},
	} {
		var out, errb bytes.Buffer
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		code := run(args, &out, &errb)
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%v: %v, %d MB allocated", args[1:], took, alloc>>20)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		msg := errb.String()
		if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "ber.der") || !strings.Contains(msg, "MaxBERDepth") {
			t.Errorf("%v: stderr %q: want one line naming ber.der and MaxBERDepth", args, msg)
		}
		// The file is 14 MB and is read once; the limit is hit after 256
		// bytes of structure. Generous bounds for -race on a shared
		// machine; the measured figures are in the log.
		if took > 10*time.Second {
			t.Errorf("%v took %v", args, took)
		}
		if alloc > 128<<20 {
			t.Errorf("%v allocated %d MB", args, alloc>>20)
		}
	}
}

// A crash must never look like exit status 2 (bad input): the Go runtime
// exits 2 on an unrecovered panic and on a fatal error such as a stack
// overflow. guardCrashExit turns both into a death by SIGABRT. The test
// runs itself as a child process that crashes each way.
func TestCrashIsNotAnExitStatus(t *testing.T) {
	if kind := os.Getenv("WINCHAIN_TEST_CRASH"); kind != "" {
		guardCrashExit()
		if kind == "panic" {
			panic("deliberate test panic")
		}
		debug.SetMaxStack(1 << 20) // overflow quickly
		var recurse func(n int) int
		recurse = func(n int) int { return recurse(n+1) + 1 }
		recurse(0)
		return
	}
	for _, kind := range []string{"panic", "overflow"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashIsNotAnExitStatus$")
		cmd.Env = append(os.Environ(), "WINCHAIN_TEST_CRASH="+kind)
		cmd.Dir = t.TempDir() // where a core file would go, if the limit allows one
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("%s: the child did not fail: %v", kind, err)
		}
		// ExitCode is -1 when the process died by a signal.
		if c := ee.ExitCode(); c == 0 || c == 1 || c == 2 {
			t.Errorf("%s: exit status %d looks like a winchain result", kind, c)
		}
		want := map[string]string{"panic": "deliberate test panic", "overflow": "stack overflow"}[kind]
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("%s: stderr does not say %q:\n%.500s", kind, want, stderr.String())
		}
		t.Logf("%s: %v", kind, ee)
	}
}

// scriptCmds are the testscript commands that generate inputs too large to
// commit.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// gen-deep-ber DEPTH FILE writes DEPTH nested indefinite-length
	// SEQUENCEs to FILE (the issue 15 input for DEPTH 3500000).
	"gen-deep-ber": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: gen-deep-ber DEPTH FILE")
		}
		d, err := strconv.Atoi(args[0])
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), deepBER(d), 0o644))
	},
	// gen-mesh N writes a cross-signed mesh of N CAs, each certifying every
	// other: mesh.pem (the N*(N-1) cross-certificates and the certificate
	// the trusted root gives CA 0), meshroot.pem, and meshleaf.pem under
	// CA 0 (issue 15).
	"gen-mesh": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: gen-mesh N")
		}
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		cas := make([]*testpki.CA, n)
		for i := range cas {
			cas[i] = testpki.NewRoot(fmt.Sprintf("Mesh CA %02d", i), testpki.ECDSA)
		}
		root := testpki.NewRoot("Mesh Trusted Root", testpki.ECDSA)
		var pool []*certs.Certificate
		cross := func(issuer *testpki.CA, j int) {
			tm := testpki.Template(fmt.Sprintf("Mesh CA %02d", j), true)
			tm.SubjectKeyId = cas[j].Cert.X.SubjectKeyId
			pool = append(pool, issuer.IssueWithKey(tm, cas[j].Key).Cert)
		}
		for i := range cas {
			for j := range cas {
				if i != j {
					cross(cas[i], j)
				}
			}
		}
		cross(root, 0) // last, as an admin's export might list it
		ts.Check(os.WriteFile(ts.MkAbs("mesh.pem"), testpki.PEM(pool...), 0o644))
		ts.Check(os.WriteFile(ts.MkAbs("meshroot.pem"), testpki.PEM(root.Cert), 0o644))
		ts.Check(os.WriteFile(ts.MkAbs("meshleaf.pem"), testpki.PEM(cas[0].NewLeaf("mesh.example.test", testpki.ECDSA).Cert), 0o644))
	},
	// serve-redirects starts a loopback HTTP server for the rest of the
	// script whose /loop.crl redirects to itself and /tofile.crl to
	// file:///etc/passwd, and writes redir-root.pem with two leaves whose
	// CDP is one of them: leaf-loop.pem, leaf-tofile.pem (issue 15).
	"serve-redirects": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 0 {
			ts.Fatalf("usage: serve-redirects")
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/loop.crl":
				http.Redirect(w, r, "/loop.crl", http.StatusFound)
			case "/tofile.crl":
				http.Redirect(w, r, "file:///etc/passwd", http.StatusMovedPermanently)
			default:
				http.NotFound(w, r)
			}
		}))
		ts.Defer(srv.Close)
		root := testpki.NewRoot("Redirect Test Root", testpki.ECDSA)
		ts.Check(os.WriteFile(ts.MkAbs("redir-root.pem"), testpki.PEM(root.Cert), 0o644))
		for _, name := range []string{"loop", "tofile"} {
			leaf := root.NewLeaf(name+".example.test", testpki.ECDSA, func(c *x509.Certificate) {
				c.CRLDistributionPoints = []string{srv.URL + "/" + name + ".crl"}
			})
			ts.Check(os.WriteFile(ts.MkAbs("leaf-"+name+".pem"), testpki.PEM(leaf.Cert), 0o644))
		}
	},
	// serve-hang starts a loopback HTTP server for the rest of the script
	// that never answers, and writes hang-root.pem and hang-leaf.pem, a
	// leaf with 10 CDP URLs on it (issue 15).
	"serve-hang": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 0 {
			ts.Fatalf("usage: serve-hang")
		}
		root, leaf, stop := hangingPKI()
		ts.Defer(stop)
		ts.Check(os.WriteFile(ts.MkAbs("hang-root.pem"), testpki.PEM(root), 0o644))
		ts.Check(os.WriteFile(ts.MkAbs("hang-leaf.pem"), testpki.PEM(leaf), 0o644))
	},
	// ber-outer IN OUT rewrites the DER file IN with an indefinite length
	// on its outer SEQUENCE, as BER producers write PKCS#7.
	"ber-outer": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: ber-outer IN OUT")
		}
		der, err := os.ReadFile(ts.MkAbs(args[0]))
		ts.Check(err)
		if len(der) < 2 || der[0] != 0x30 {
			ts.Fatalf("%s: not a DER SEQUENCE", args[0])
		}
		hdr := 2
		if der[1]&0x80 != 0 {
			hdr += int(der[1] & 0x7f)
		}
		ber := append(append([]byte{0x30, 0x80}, der[hdr:]...), 0, 0)
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), ber, 0o644))
	},
}
