package cache_test

import (
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
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
		inflight, acks := killWriter(t, dir, int64(5000+it), 1+rng.IntN(40))
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
	if n, err := strconv.Atoi(os.Getenv(envConcurrencyProcs)); err == nil && n > 0 {
		procs = n
	}
	const writes = 100
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
