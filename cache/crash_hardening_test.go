package cache_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/clock"
)

// envConcurrencyProcs sets the number of writer processes of
// TestDiskConcurrency_ManyProcesses (default 8).
const envConcurrencyProcs = "WINCHAIN_CONCURRENCY_PROCS"

// TestDiskCrashSafety_ConsumerView kills a writer process at random points
// (SIGKILL) and then looks at the folder the way a consumer does, through a
// fresh cache-only Retriever with no memory cache, and through Disk.Get for
// the MetaData. For every URL, after every kill:
//   - a hit has a complete, self-checking body of a version that was
//     acknowledged or in flight, and its MetaData belongs to that same
//     version (no old record paired with new content);
//   - anything else is a miss (never an OK result with a bad body);
//   - a URL whose last acknowledged write was not being replaced at the kill
//     still reads back that version (nothing good is lost).
//
// Every other writer writes same-size bodies (issue 15).
// WINCHAIN_CRASH_ITERATIONS sets the number of kills (default 20; the older
// TestDiskCrashSafety_SIGKILL runs 50).
func TestDiskCrashSafety_ConsumerView(t *testing.T) {
	iterations := 20
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
	rng := rand.New(rand.NewPCG(seed, 2))
	acked := map[int]int64{}
	var hits, misses, lostInFlight, midWrite int
	for it := 0; it < iterations; it++ {
		// Every other writer re-publishes same-size bodies, which only the
		// check of the MetaData against the Content tells apart.
		inflight, acks := killWriter(t, dir, int64(5000+it), 1+rng.IntN(40), envSameSize+"="+strconv.Itoa(it%2))
		for i, v := range acks {
			acked[i] = v
		}
		if len(inflight) > 0 {
			midWrite++
		}

		r, err := cache.NewRetriever(cache.Config{Clock: clock.Fixed(t0), DiskDir: dir, DisableMemoryCache: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < helperURLs; i++ {
			u := helperURL(i)
			old, had := acked[i]
			newV, isInflight := inflight[i]
			res, _ := r.Retrieve(t.Context(), u, cache.KindCRL, cache.Options{CacheOnly: true})
			if !res.OK {
				misses++
				if had && !isInflight {
					t.Fatalf("kill %d: %s lost (version %d was complete and not being replaced)", it, u, old)
				}
				if had {
					// The journal of Disk.Put keeps the old or the new
					// version readable whatever the kill point.
					lostInFlight++
					t.Errorf("kill %d: %s: version %d became a miss while being replaced", it, u, old)
					delete(acked, i)
				}
				continue
			}
			hits++
			v, ok := checkBody(u, res.Body)
			if !ok {
				t.Fatalf("kill %d: %s served a corrupt body as a hit", it, u)
			}
			if !(had && v == old) && !(isInflight && v == newV) {
				t.Fatalf("kill %d: %s served version %d, want %d or in-flight %d", it, u, v, old, newV)
			}
			e, err := d.Get(u)
			if err != nil || e == nil {
				t.Fatalf("kill %d: %s: hit through the Retriever but Disk.Get says %v", it, u, err)
			}
			if want := time.Unix(1_800_000_000+v, 0); !e.Meta.LastDownload.Equal(want) {
				t.Fatalf("kill %d: %s: body version %d paired with the MetaData of another write (LastDownload %v, want %v)",
					it, u, v, e.Meta.LastDownload, want)
			}
			acked[i] = v
		}
	}
	t.Logf("%d kills (%d mid-write); %d hits, %d misses, of which %d in-flight replacements read as a miss",
		iterations, midWrite, hits, misses, lostInFlight)
}

// TestDiskConcurrency_ManyProcesses: 8 writer processes (WINCHAIN_CONCURRENCY_PROCS)
// and 8 goroutines (4 readers through Retrievers, 4 writers through Disk)
// share one cache folder. No write fails, no reader is served a corrupt
// body, and the folder ends with every entry complete and no problem.
func TestDiskConcurrency_ManyProcesses(t *testing.T) {
	skipManyProcessesInShort(t)
	procs := 8
	const writes = 100
	if n, err := strconv.Atoi(os.Getenv(envConcurrencyProcs)); err == nil && n > 0 {
		procs = n
	}
	dir := t.TempDir()
	if _, err := urlcache.Open(dir, urlcache.Options{}); err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for p := 0; p < procs; p++ {
		cmd := writerCmd(t, dir, int64(200+p), writes)
		cmd.Stdout = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var reads, served, puts int
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		t.Errorf(format, args...)
	}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r, err := cache.NewRetriever(cache.Config{Clock: clock.Fixed(t0), DiskDir: dir, DisableMemoryCache: true})
			if err != nil {
				fail("%v", err)
				return
			}
			for k := 0; ; k++ {
				select {
				case <-done:
					return
				default:
				}
				u := helperURL((g + k) % helperURLs)
				if g%2 == 0 {
					res, _ := r.Retrieve(t.Context(), u, cache.KindCRL, cache.Options{CacheOnly: true})
					mu.Lock()
					reads++
					if res.OK {
						served++
					}
					mu.Unlock()
					if res.OK {
						if _, ok := checkBody(u, res.Body); !ok {
							fail("%s: corrupt body served", u)
						}
					}
				} else if k < writes {
					v := int64(800_000_000 + g*10_000 + k)
					if err := r.Disk().Put("", versionMeta(u, v), versionBody(u, v)); err != nil {
						fail("put: %v", err)
					}
					mu.Lock()
					puts++
					mu.Unlock()
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
	tmp, _ := os.ReadDir(dir + "/" + urlcache.ContentDir)
	for _, f := range tmp {
		if !urlcache.IsEntryName(f.Name()) {
			t.Errorf("leftover file %s", f.Name())
		}
	}
	t.Logf("%d processes x %d writes, 8 goroutines: %d in-process puts, %d reads (%d hits)", procs, writes, puts, reads, served)
}

// TestDisk_FlushKeepsANewerCopy: a Retriever flushes an expired entry it
// has read; if another writer stored a new copy in between, the new copy
// stays. Deleting by name alone would drop it.
func TestDisk_FlushKeepsANewerCopy(t *testing.T) {
	d, err := urlcache.Open(t.TempDir(), urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u := helperURL(3)
	if err := d.Put("", versionMeta(u, 1), versionBody(u, 1)); err != nil {
		t.Fatal(err)
	}
	old, err := d.Get(u)
	if err != nil || old == nil {
		t.Fatalf("Get: %v, %v", old, err)
	}
	// Another writer replaces it before the flush.
	if err := d.Put("", versionMeta(u, 2), versionBody(u, 2)); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteIfUnchanged(old.Name, old.Meta); err != nil {
		t.Fatal(err)
	}
	cur, err := d.Get(u)
	if err != nil || cur == nil {
		t.Fatalf("the newer copy was flushed with the old one: %v, %v", cur, err)
	}
	if v, _ := checkBody(u, cur.Body); v != 2 {
		t.Fatalf("version %d on disk, want 2", v)
	}
	// The entry that was read is still there: it goes.
	if err := d.DeleteIfUnchanged(cur.Name, cur.Meta); err != nil {
		t.Fatal(err)
	}
	if e, err := d.Get(u); e != nil || err != nil {
		t.Fatalf("after flushing the current copy: %v, %v", e, err)
	}
}

// runWriter runs a writer child to its end (its writes done, or killed by
// envKillAt) and returns the writes it began but did not finish and those
// it finished (URL index → version).
func runWriter(t *testing.T, dir string, seed int64, writes int, env ...string) (inflight, acked map[int]int64) {
	t.Helper()
	cmd := writerCmd(t, dir, seed, writes, env...)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	inflight, acked = map[int]int64{}, map[int]int64{}
	for _, line := range strings.Split(string(out), "\n") {
		var i int
		var v int64
		if n, _ := fmt.Sscanf(line, "begin %d %d", &i, &v); n == 2 {
			inflight[i] = v
		} else if n, _ := fmt.Sscanf(line, "ok %d %d", &i, &v); n == 2 {
			delete(inflight, i)
			acked[i] = v
		}
	}
	return inflight, acked
}

// TestDiskCrashSafety_TwoCrashesInARow: real writer processes killed
// (SIGKILL) at the two points of issue 15, one after the other, on one
// entry: the first after its Content rename (readers then roll its journal
// forward), the next right after it wrote its own journal. The entry must
// read back as the first killed write, whole — never its Content under the
// older MetaData (same-size bodies) and never a corrupt miss (different
// sizes). WINCHAIN_CRASH_ITERATIONS sets the number of rounds (default 6).
func TestDiskCrashSafety_TwoCrashesInARow(t *testing.T) {
	iterations := 6
	if n, err := strconv.Atoi(os.Getenv(envCrashIterations)); err == nil && n > 0 {
		iterations = n
	}
	dir := t.TempDir()
	d, err := urlcache.Open(dir, urlcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u := helperURL(0)
	one := envURLs + "=1"
	for it := 0; it < iterations; it++ {
		size := envSameSize + "="
		if it%2 == 0 {
			size += "1"
		}
		seed := int64(7000 + 3*it)
		if _, acked := runWriter(t, dir, seed, 1, one, size); len(acked) != 1 {
			t.Fatalf("round %d: the first write did not complete", it)
		}
		first, _ := runWriter(t, dir, seed+1, 0, one, size, envKillAt+"="+urlcache.ContentDir+"/")
		if _, ok := first[0]; !ok {
			t.Fatalf("round %d: the writer killed after its Content rename had no write in flight", it)
		}
		if second, _ := runWriter(t, dir, seed+2, 0, one, size, envKillAt+"=.winchain-pending"); len(second) != 1 {
			t.Fatalf("round %d: the writer killed after its journal had no write in flight", it)
		}
		r, err := cache.NewRetriever(cache.Config{Clock: clock.Fixed(t0), DiskDir: dir, DisableMemoryCache: true, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := r.Retrieve(t.Context(), u, cache.KindCRL, cache.Options{CacheOnly: true})
		if !res.OK {
			t.Fatalf("round %d (%s): entry lost after two crashes: %v %v", it, size, res.Err, res.Problems)
		}
		v, ok := checkBody(u, res.Body)
		if !ok || v != first[0] {
			t.Fatalf("round %d (%s): served version %d (whole: %v), want the first killed write %d", it, size, v, ok, first[0])
		}
		e, err := d.Get(u)
		if err != nil || e == nil {
			t.Fatalf("round %d: Get: %v, %v", it, e, err)
		}
		if want := versionMeta(u, v).LastDownload; !e.Meta.LastDownload.Equal(want) {
			t.Fatalf("round %d (%s): Content of write %d under the MetaData of another (LastDownload %v, want %v)",
				it, size, v, e.Meta.LastDownload, want)
		}
	}
}

// TestDiskConcurrency_SameSizeProcesses: two writer processes re-publish
// same-size bodies of one URL while goroutines of this process read it
// without a lock. No read may pair one write's Content with another's
// MetaData; the torn-read rate is logged (issue 15: 0.24 % before readers
// checked what they read).
func TestDiskConcurrency_SameSizeProcesses(t *testing.T) {
	dir := t.TempDir()
	d, err := urlcache.Open(dir, urlcache.Options{ReadOnly: false})
	if err != nil {
		t.Fatal(err)
	}
	writes := 150
	if testing.Short() {
		writes = 40
	}
	var cmds []*exec.Cmd
	for p := 0; p < 2; p++ {
		cmd := writerCmd(t, dir, int64(300+p), writes, envURLs+"=1", envSameSize+"=1")
		cmd.Stdout = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	u := helperURL(0)
	done := make(chan struct{})
	var mu sync.Mutex
	var reads, hits, torn, problems int
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				e, err := d.Get(u)
				mu.Lock()
				reads++
				switch {
				case err != nil:
					problems++
				case e != nil:
					hits++
					v, ok := checkBody(u, e.Body)
					if !ok || !e.Meta.LastDownload.Equal(versionMeta(u, v).LastDownload) {
						torn++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("writer process: %v", err)
		}
	}
	close(done)
	wg.Wait()
	t.Logf("2 processes x %d same-size writes: %d reads, %d hits, %d torn (%.3f %% of hits), %d reported as changing while read",
		writes, reads, hits, torn, 100*float64(torn)/float64(max(hits, 1)), problems)
	if torn > 0 {
		t.Fatalf("%d of %d hits paired one write's Content with another's MetaData", torn, hits)
	}
}
