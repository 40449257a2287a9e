package netsim_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

var netDir = filepath.Join("..", "testdata", "cache", "net")

func fetch(t *testing.T, n *netsim.Network, url string, req cache.FetchRequest) (*cache.FetchResponse, error) {
	t.Helper()
	req.URL = url
	if req.Timeout == 0 {
		req.Timeout = cache.DefaultURLRetrievalTimeout
	}
	return n.Fetch(context.Background(), &req)
}

func TestLoad_CLIFormat(t *testing.T) {
	n, err := netsim.Load(filepath.Join(netDir, "net.json"), clock.Fixed(t0))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		url    string
		body   string
		status int
		reason cache.Reason
	}{
		{"http://pki.example.test/inter.crt", "issuer cert", 200, ""},
		{"http://pki.example.test/inter.crl", "inter crl v1", 200, ""},
		{"http://ocsp.example.test/", "", 0, cache.ReasonOffline},
		{"http://pki.example.test/root.crl", "", 0, cache.ReasonTimeout},
		{"http://pki.example.test/gone.crl", "", 404, ""},
		{"http://not-in-the-map.example.test/", "", 0, cache.ReasonOffline},
	}
	for _, c := range cases {
		resp, err := fetch(t, n, c.url, cache.FetchRequest{})
		if cache.ReasonOf(err) != c.reason {
			t.Errorf("%s: err %v, want %q", c.url, err, c.reason)
			continue
		}
		if err == nil && (resp.Status != c.status || string(resp.Body) != c.body) {
			t.Errorf("%s: %d %q", c.url, resp.Status, resp.Body)
		}
		if c.reason == cache.ReasonTimeout {
			var re *cache.RetrievalError
			errors.As(err, &re)
			if re.Elapsed != cache.DefaultURLRetrievalTimeout {
				t.Errorf("timeout charged %v, want the full 15 s", re.Elapsed)
			}
		}
	}
	if n.Count("http://ocsp.example.test/") != 1 || n.Total() != len(cases) {
		t.Errorf("counts: %d / %d", n.Count("http://ocsp.example.test/"), n.Total())
	}
}

func TestLoad_TimelineYAML(t *testing.T) {
	clk := clock.NewManual(t0)
	n, err := netsim.Load(filepath.Join(netDir, "timeline.yaml"), clk)
	if err != nil {
		t.Fatal(err)
	}
	const u = "http://pki.example.test/inter.crl"
	steps := []struct {
		at     time.Time
		body   string
		etag   string
		reason cache.Reason
	}{
		{t0, "inter crl v1", `"v1"`, ""},
		{t0.Add(time.Hour), "", "", cache.ReasonOffline}, // outage from 10:00
		{t0.Add(9*time.Hour - time.Nanosecond), "", "", cache.ReasonOffline},
		{t0.Add(9 * time.Hour), "inter crl v2", `"v2"`, ""}, // new CRL at 18:00
	}
	for _, s := range steps {
		clk.Set(s.at)
		resp, err := fetch(t, n, u, cache.FetchRequest{})
		if cache.ReasonOf(err) != s.reason || (err == nil && (string(resp.Body) != s.body || resp.ETag != s.etag || resp.Elapsed != 200*time.Millisecond)) {
			t.Errorf("at %s: %+v %v", s.at.Format(time.Kitchen), resp, err)
		}
	}
	resp, err := fetch(t, n, u, cache.FetchRequest{IfNoneMatch: `"v2"`})
	if err != nil || resp.Status != 304 {
		t.Errorf("conditional GET: %+v %v", resp, err)
	}
	// 20 s latency is over the 15 s default timeout.
	if _, err := fetch(t, n, "http://pki.example.test/slow.crl", cache.FetchRequest{}); cache.ReasonOf(err) != cache.ReasonTimeout {
		t.Errorf("slow: %v", err)
	}
}

func TestParse_Errors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"unknown failure", `{"http://a/": {"fail": "offlin"}}`, `n.json: http://a/: fail: unknown failure "offlin"`},
		{"missing file", `{"http://a/": {"file": "nope.crl"}}`, "n.json: http://a/: file:"},
		{"fail and file", `{"http://a/": {"fail": "reset", "file": "x"}}`, "fail: cannot be combined"},
		{"bad latency", `{"http://a/": {"status": 200, "latency": "soon"}}`, `latency: "soon" is not a duration`},
		{"bad status", `{"http://a/": {"status": 42}}`, "status: 42"},
		{"unknown field", `{"http://a/": {"stauts": 404}}`, "n.json"},
		{"nothing", `{"http://a/": {}}`, "http://a/: want one of file, fail, status"},
		{"window upside down", "http://a/:\n  timeline:\n    - {from: 2026-01-02T00:00:00Z, until: 2026-01-01T00:00:00Z, fail: offline}\n", "http://a/: timeline[0]: until:"},
		{"bad time", "http://a/:\n  timeline:\n    - {from: yesterday, fail: offline}\n", `timeline[0]: from: "yesterday"`},
		{"empty", "", "n.json: empty network file"},
		{"not a map", "[1,2]", "n.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := netsim.Parse("n.json", []byte(c.text), netDir, clock.Fixed(t0))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestNetwork_WithRetriever_OutageThenNewCRL(t *testing.T) {
	clk := clock.NewManual(t0)
	n := netsim.New(clk)
	const u = "http://pki.example.test/inter.crl"
	n.Serve(u, []byte("v1"))
	n.Schedule(u, t0.Add(time.Hour), t0.Add(2*time.Hour), netsim.Response{Fail: netsim.FailTimeout})
	n.Schedule(u, t0.Add(3*time.Hour), time.Time{}, netsim.Response{Body: []byte("v2")})
	r, _ := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: n})
	opts := cache.Options{WireOnly: true}
	var got []string
	for _, at := range []time.Duration{0, time.Hour, 150 * time.Minute, 3 * time.Hour} {
		clk.Set(t0.Add(at))
		res, err := r.Retrieve(context.Background(), u, cache.KindCRL, opts)
		got = append(got, fmt.Sprintf("%s:%s%s", at, res.Body, cache.ReasonOf(err)))
	}
	want := "0s:v1 1h0m0s:timeout 2h30m0s:v1 3h0m0s:v2"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}

func TestNetwork_Concurrent(t *testing.T) {
	n := netsim.New(clock.Fixed(t0))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			u := fmt.Sprintf("http://x/%d", g%2)
			for i := 0; i < 100; i++ {
				n.Serve(u, []byte("b"))
				n.Fetch(context.Background(), &cache.FetchRequest{URL: u})
			}
		}(g)
	}
	wg.Wait()
	if n.Count("http://x/0")+n.Count("http://x/1") != 800 || len(n.Requests()) != 800 {
		t.Errorf("counts %d %d", n.Count("http://x/0"), n.Count("http://x/1"))
	}
}

// FuzzNetFile: Parse never panics, and every error names the file.
func FuzzNetFile(f *testing.F) {
	for _, name := range []string{"net.json", "timeline.yaml"} {
		if b, err := os.ReadFile(filepath.Join(netDir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"http://a/": {"status": 404, "latency": "1s"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := netsim.Parse("fuzz.net", b, netDir, clock.Fixed(t0))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.net") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, u := range n.URLs() {
			n.Fetch(context.Background(), &cache.FetchRequest{URL: u, Timeout: time.Second, MaxBytes: 1 << 20})
		}
	})
}

// A CDP that times out for two hours, then comes back with a new CRL; the
// client's clock is charged 15 s for each timeout.
func ExampleNetwork() {
	clk := clock.NewManual(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	n := netsim.New(clk)
	const cdp = "http://pki.example.test/inter.crl"
	n.Serve(cdp, []byte("CRL #1"))
	n.Schedule(cdp, clk.Now().Add(time.Hour), clk.Now().Add(3*time.Hour), netsim.Response{Fail: netsim.FailTimeout})
	n.Schedule(cdp, clk.Now().Add(3*time.Hour), time.Time{}, netsim.Response{Body: []byte("CRL #2")})

	r, _ := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: n})
	for _, hour := range []int{0, 1, 3} {
		clk.Set(time.Date(2026, 11, 24, 9+hour, 0, 0, 0, time.UTC))
		res, err := r.Retrieve(context.Background(), cdp, cache.KindCRL, cache.Options{WireOnly: true})
		fmt.Printf("%s %q %v blocked=%s\n", clk.Now().Format("15:04:05"), res.Body, cache.ReasonOf(err), res.Blocked)
	}
	fmt.Println("wire fetches:", n.Count(cdp))
	// Output:
	// 09:00:00 "CRL #1"  blocked=0s
	// 10:00:15 "" timeout blocked=15s
	// 12:00:00 "CRL #2"  blocked=0s
	// wire fetches: 3
}

// TestParse_PrefixRule: a key ending in "*" answers every URL under it
// (an OCSP responder's GET URLs); an exact rule and a longer prefix win over
// it; other hosts stay offline.
func TestParse_PrefixRule(t *testing.T) {
	text := `{
  "http://ocsp.example.test/*": {"status": 200, "latency": "100ms"},
  "http://ocsp.example.test/special/*": {"status": 503},
  "http://ocsp.example.test/exact": {"status": 404}
}`
	n, err := netsim.Parse("n.json", []byte(text), netDir, clock.Fixed(t0))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		url    string
		status int
		reason cache.Reason
	}{
		{"http://ocsp.example.test/MFMwUTBPME0wSzAJBgUrDgMCGgUABBRI%2F%3D", 200, ""},
		{"http://ocsp.example.test/", 200, ""},
		{"http://ocsp.example.test/special/MFM", 503, ""},
		{"http://ocsp.example.test/exact", 404, ""},
		{"http://ocsp.example.test", 0, cache.ReasonOffline}, // not under the prefix
		{"http://other.example.test/MFM", 0, cache.ReasonOffline},
	} {
		resp, err := fetch(t, n, c.url, cache.FetchRequest{})
		if cache.ReasonOf(err) != c.reason || (err == nil && resp.Status != c.status) {
			t.Errorf("%s: %+v %v, want %d %q", c.url, resp, err, c.status, c.reason)
		}
	}
	if _, err := netsim.Parse("n.json", []byte(`{"*": {"status": 200}}`), netDir, clock.Fixed(t0)); err == nil {
		t.Error(`a bare "*" key was accepted`)
	}
}
