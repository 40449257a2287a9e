package cache_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/clock"
)

// The crash and concurrency tests re-execute the test binary as a writer
// process (helper mode selected by WINCHAIN_CACHE_HELPER).
const (
	envHelper = "WINCHAIN_CACHE_HELPER"
	envDir    = "WINCHAIN_CACHE_DIR"
	envSeed   = "WINCHAIN_CACHE_SEED"
	envWrites = "WINCHAIN_CACHE_WRITES" // 0: write until killed
	// envCrashIterations raises the number of crash iterations (default 50).
	envCrashIterations = "WINCHAIN_CRASH_ITERATIONS"
	// envSameSize makes every body of the writer the same size, so that
	// only the check of the MetaData against the Content can tell writes
	// apart (issue 15: same-size re-published CRLs).
	envSameSize = "WINCHAIN_CACHE_SAME_SIZE"
	// envURLs limits the writer to the first N URLs (default helperURLs).
	envURLs = "WINCHAIN_CACHE_URLS"
	// envKillAt makes the writer SIGKILL itself right after it wrote a
	// file whose name starts or ends with the value ("Content/" after the
	// Content rename, ".winchain-pending" after the journal).
	envKillAt  = "WINCHAIN_CACHE_KILL_AT"
	helperURLs = 12
)

func TestMain(m *testing.M) {
	switch os.Getenv(envHelper) {
	case "writer":
		os.Exit(writerMain())
	}
	os.Exit(m.Run())
}

func helperURL(i int) string { return fmt.Sprintf("http://crash.example.test/%02d.crl", i) }

// versionBody is a self-checking payload: header, padding of a length that
// depends on the version (so sizes differ between versions) and a SHA-256
// of everything before it.
func versionBody(url string, v int64) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "winchain-crash|%s|%d|", url, v)
	n := int(v%4093) + 1
	if os.Getenv(envSameSize) == "1" {
		b.Reset()
		fmt.Fprintf(&b, "winchain-crash|%s|%020d|", url, v)
		n = 64
	}
	for i := 0; i < n; i++ {
		b.WriteByte(byte('a' + (int64(i)+v)%26))
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.Bytes()
}

// versionMeta is the MetaData written with versionBody(url, v): its
// LastDownload encodes v, so a record paired with another write's Content
// is caught even when both bodies have the same size.
func versionMeta(url string, v int64) *urlcache.MetaData {
	return urlcache.NewMetaData(url, 0, time.Unix(1_800_000_000+v, 0), "")
}

// checkFinalState lists the folder after every writer has finished: each of
// the helperURLs entries must read back whole, with no problem, and with the
// MetaData of the write its Content came from.
func checkFinalState(t *testing.T, dir string) {
	t.Helper()
	d, err := urlcache.Open(dir, urlcache.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	entries, problems, err := d.List()
	if err != nil || len(problems) != 0 || len(entries) != helperURLs {
		t.Fatalf("final state: %d entries, problems %v, err %v", len(entries), problems, err)
	}
	for _, e := range entries {
		v, ok := checkBody(e.Meta.URL, e.Body)
		if !ok {
			t.Errorf("%s: corrupt body", e.Meta.URL)
			continue
		}
		if want := versionMeta(e.Meta.URL, v).LastDownload; !e.Meta.LastDownload.Equal(want) {
			t.Errorf("%s: Content of version %d paired with the MetaData of another write (LastDownload %v, want %v)",
				e.Meta.URL, v, e.Meta.LastDownload, want)
		}
	}
}

// checkBody returns the version of a body written by versionBody for url.
func checkBody(url string, body []byte) (int64, bool) {
	if len(body) < sha256.Size {
		return 0, false
	}
	head, sum := body[:len(body)-sha256.Size], body[len(body)-sha256.Size:]
	if s := sha256.Sum256(head); !bytes.Equal(s[:], sum) {
		return 0, false
	}
	parts := strings.SplitN(string(head), "|", 4)
	if len(parts) != 4 || parts[1] != url {
		return 0, false
	}
	v, err := strconv.ParseInt(parts[2], 10, 64)
	return v, err == nil
}

// writerMain writes random entries, printing "begin URL V" before and
// "ok URL V" after each complete Put.
func writerMain() int {
	var fsys urlcache.FS = urlcache.DirFS(os.Getenv(envDir))
	if at := os.Getenv(envKillAt); at != "" {
		fsys = selfKillFS{DirFS: urlcache.DirFS(os.Getenv(envDir)), at: at}
	}
	d, err := urlcache.OpenFS(fsys, urlcache.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	seed, _ := strconv.ParseInt(os.Getenv(envSeed), 10, 64)
	writes, _ := strconv.Atoi(os.Getenv(envWrites))
	urls := helperURLs
	if n, err := strconv.Atoi(os.Getenv(envURLs)); err == nil && n > 0 && n < urls {
		urls = n
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	for k := 0; writes == 0 || k < writes; k++ {
		i := rng.IntN(urls)
		u := helperURL(i)
		v := seed*1_000_000 + int64(k)
		fmt.Fprintf(os.Stdout, "begin %d %d\n", i, v)
		if err := d.Put("", versionMeta(u, v), versionBody(u, v)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintf(os.Stdout, "ok %d %d\n", i, v)
	}
	return 0
}

// selfKillFS is the writer's folder when envKillAt is set: it kills the
// process (SIGKILL, as a crash) right after the file named by at is written.
type selfKillFS struct {
	urlcache.DirFS
	at string
}

func (s selfKillFS) WriteFile(name string, data []byte) error {
	err := s.DirFS.WriteFile(name, data)
	if err == nil && (strings.HasPrefix(name, s.at) || strings.HasSuffix(name, s.at)) {
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Signal(os.Kill)
		}
		select {} // until the signal lands
	}
	return err
}

func writerCmd(t *testing.T, dir string, seed int64, writes int, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelper+"=writer", envDir+"="+dir,
		envSeed+"="+strconv.FormatInt(seed, 10), envWrites+"="+strconv.Itoa(writes))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// shortCrashIterations is the number of kills of the crash tests under
// `go test -short` (the inner loop on the 2-core workplace); CI runs them
// without -short at their full counts.
const shortCrashIterations = 4

// skipManyProcessesInShort skips the multi-process concurrency tests under
// -short: each spawns several writer processes and takes 40-90 s on 2
// cores. CI (`go test -race ./...` without -short) runs them.
func skipManyProcessesInShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("many writer processes; runs without -short (CI)")
	}
}

func TestDiskCrashSafety_SIGKILL(t *testing.T) {
	iterations := 50
	if testing.Short() {
		iterations = shortCrashIterations
	}
	if n, err := strconv.Atoi(os.Getenv(envCrashIterations)); err == nil && n > 0 {
		iterations = n
	}
	dir := t.TempDir()
	d, err := urlcache.Open(dir, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seed := rand.Uint64()
	t.Logf("kill-point seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	acked := map[int]int64{}  // URL index → version known complete on disk
	unknown := map[int]bool{} // lost its pair to a crash mid-replace
	var corruptInFlight, killsMidWrite int
	for it := 0; it < iterations; it++ {
		inflight, acks := killWriter(t, dir, int64(it+1), 1+rng.IntN(40))
		for i, v := range acks {
			acked[i] = v
			delete(unknown, i)
		}
		if len(inflight) > 0 {
			killsMidWrite++
		}

		for i := 0; i < helperURLs; i++ {
			u := helperURL(i)
			e, err := d.Get(u)
			newV, isInflight := inflight[i]
			switch {
			case err != nil:
				if !isInflight {
					t.Fatalf("iteration %d: %s corrupt but was not being written: %v", it, u, err)
				}
				corruptInFlight++
				delete(acked, i)
				unknown[i] = true
			case e == nil:
				if _, had := acked[i]; had {
					t.Fatalf("iteration %d: %s lost (was complete at version %d)", it, u, acked[i])
				}
			default:
				v, ok := checkBody(u, e.Body)
				if !ok {
					t.Fatalf("iteration %d: %s read back a corrupt body as valid", it, u)
				}
				old, had := acked[i]
				if !(had && v == old) && !(isInflight && v == newV) && !unknown[i] {
					t.Fatalf("iteration %d: %s has version %d, want %d (or in-flight %d)", it, u, v, old, newV)
				}
				acked[i] = v
				delete(unknown, i)
			}
		}
	}
	// Killed writers leave temporary files; they are no entries (the
	// listing above had no problem from them), and the next writer of the
	// folder removes them once they are older than the grace period.
	left := tempFiles(t, dir)
	later := clock.Fixed(time.Now().Add(urlcache.TempFileGrace + time.Minute))
	w, err := urlcache.Open(dir, urlcache.Options{FileClock: later})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put("", versionMeta(helperURL(0), 1), versionBody(helperURL(0), 1)); err != nil {
		t.Fatal(err)
	}
	if after := tempFiles(t, dir); len(after) != 0 {
		t.Errorf("%d temporary files left after the next writer: %v", len(after), after)
	}
	t.Logf("%d kills, %d mid-write, %d in-flight entries left as reported-corrupt misses, %d temporary files left (removed by the next writer)",
		iterations, killsMidWrite, corruptInFlight, len(left))
}

// tempFiles lists the temporary files of killed writers in the folder dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{".", urlcache.ContentDir, urlcache.MetaDataDir} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".winchain-tmp-") {
				out = append(out, filepath.Join(sub, e.Name()))
			}
		}
	}
	return out
}

func TestDiskConcurrency_ProcessesAndGoroutines(t *testing.T) {
	skipManyProcessesInShort(t)
	dir := t.TempDir()
	if _, err := urlcache.Open(dir, urlcache.Options{}); err != nil {
		t.Fatal(err)
	}
	const procs, writes = 3, 150
	var cmds []*exec.Cmd
	for p := 0; p < procs; p++ {
		cmd := writerCmd(t, dir, int64(100+p), writes)
		cmd.Stdout = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	transient := 0
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		t.Errorf(format, args...)
	}
	// Goroutine readers through a Retriever (cache-only, no memory cache)
	// and goroutine writers through Disk, all in this process.
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r, err := cache.NewRetriever(cache.Config{Clock: clock.Fixed(t0), DiskDir: dir, DisableMemoryCache: true})
			if err != nil {
				fail("%v", err)
				return
			}
			d := r.Disk()
			for k := 0; ; k++ {
				select {
				case <-done:
					return
				default:
				}
				u := helperURL((g + k) % helperURLs)
				if g%2 == 0 {
					res, _ := r.Retrieve(t.Context(), u, cache.KindCRL, cache.Options{CacheOnly: true})
					if res.OK {
						if _, ok := checkBody(u, res.Body); !ok {
							fail("%s: corrupt body served", u)
						}
					} else if len(res.Problems) > 0 {
						mu.Lock()
						transient++
						mu.Unlock()
					}
				} else if k < writes {
					v := int64(900_000_000 + g*10_000 + k)
					if err := d.Put("", versionMeta(u, v), versionBody(u, v)); err != nil {
						fail("put: %v", err)
					}
				}
			}
		}(g)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("writer process: %v", err)
		}
	}
	close(done)
	wg.Wait()
	checkFinalState(t, dir)
	t.Logf("transient size mismatches seen by readers: %d", transient)
}

// killWriter runs a writer child for the cache folder dir, SIGKILLs it after
// it has acknowledged killAfter complete writes, and returns the writes it
// had begun but not finished (URL index → version) and those it finished.
// env is added to the child's environment.
func killWriter(t *testing.T, dir string, seed int64, killAfter int, env ...string) (inflight, acked map[int]int64) {
	t.Helper()
	cmd := writerCmd(t, dir, seed, 0, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	oks := 0
	inflight, acked = map[int]int64{}, map[int]int64{}
	apply := func(line string) {
		var i int
		var v int64
		if n, _ := fmt.Sscanf(line, "begin %d %d", &i, &v); n == 2 {
			inflight[i] = v
		} else if n, _ := fmt.Sscanf(line, "ok %d %d", &i, &v); n == 2 {
			delete(inflight, i)
			acked[i] = v
			oks++
		}
	}
	for oks < killAfter && sc.Scan() {
		apply(sc.Text())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for sc.Scan() {
		apply(sc.Text())
	}
	io.Copy(io.Discard, out)
	cmd.Wait()
	return inflight, acked
}
