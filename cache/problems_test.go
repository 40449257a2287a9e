package cache_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
)

// oneProblem returns the only problem of res, which must have outcome o.
func oneProblem(t *testing.T, res *cache.Result, o cache.Outcome) *cache.ProblemError {
	t.Helper()
	var pe *cache.ProblemError
	if len(res.Problems) != 1 || !errors.As(res.Problems[0], &pe) {
		t.Fatalf("problems %v: want one *cache.ProblemError", res.Problems)
	}
	if pe.Outcome != o || !strings.HasSuffix(pe.Error(), "; "+string(o)) {
		t.Fatalf("problem %q (outcome %q): want outcome %q", pe.Error(), pe.Outcome, o)
	}
	if got := res.LogEntry().Problems; len(got) != 1 || got[0] != pe.Error() {
		t.Fatalf("LogEntry problems %q, want [%q]", got, pe.Error())
	}
	return pe
}

// A Content file torn by a killed writer (shorter than its MetaData
// record says) on a real folder: the retrieval reports it, naming the file
// and what winchain did, and treats it as a miss; a wire retrieval then
// replaces the entry, and the next process reads it without a problem.
func TestRetrieve_TornContent_ProblemReported(t *testing.T) {
	g := newRig(t)
	crl := getPKI(t).crl(t, t0, t0.Add(7*24*time.Hour), 1)
	g.net.Serve(crlURL, crl)
	if res := get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{}); len(res.Problems) != 0 {
		t.Fatalf("first retrieval: problems %v", res.Problems)
	}
	content := filepath.Join(g.dir, urlcache.ContentDir, urlcache.URLName(crlURL))
	if err := os.WriteFile(content, crl[:len(crl)/2], 0o600); err != nil {
		t.Fatal(err)
	}

	res := get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{CacheOnly: true})
	want(t, res, cache.FromNone, cache.ReasonNotCached)
	pe := oneProblem(t, res, cache.OutcomeMiss)
	var ce *urlcache.CorruptEntryError
	if !errors.As(pe, &ce) {
		t.Fatalf("problem %v: want a *urlcache.CorruptEntryError inside", pe)
	}
	if msg := pe.Error(); !strings.HasPrefix(msg, content+": ") || strings.HasPrefix(msg, "cache: ") {
		t.Errorf("problem %q: want it to start with the Content file %s", msg, content)
	}
	if b, _ := os.ReadFile(content); len(b) != len(crl)/2 {
		t.Errorf("a read changed the torn entry")
	}

	// The wire answers: the retrieval succeeds, still reports what it met,
	// and rewrites the entry.
	res = get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{})
	want(t, res, cache.FromNetwork, "")
	oneProblem(t, res, cache.OutcomeMiss)
	res = get(t, g.process(t, nil), crlURL, cache.KindCRL, cache.Options{CacheOnly: true})
	want(t, res, cache.FromDisk, "")
	if len(res.Problems) != 0 {
		t.Errorf("after the rewrite: problems %v", res.Problems)
	}
	b, err := json.Marshal(res.LogEntry())
	if err != nil || strings.Contains(string(b), "problems") {
		t.Errorf("retrievals[] entry without problems: %s, %v; want no problems field", b, err)
	}
}
