package scenario

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
)

// TestSimNetworkLogBounded: a run's simulated network keeps at most
// maxNetLog requests in its log, however many it answers, and still
// counts every one.
func TestSimNetworkLogBounded(t *testing.T) {
	_, n := newNetwork(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	const fetches = 3*maxNetLog + 7
	for i := 0; i < fetches; i++ {
		n.Fetch(context.Background(), &cache.FetchRequest{URL: fmt.Sprintf("http://pki.example.test/%d.crl", i), Timeout: time.Second})
	}
	if got := len(n.Requests()); got == 0 || got > maxNetLog {
		t.Errorf("%d requests logged after %d fetches, want 1 to %d", got, fetches, maxNetLog)
	}
	if n.Total() != fetches {
		t.Errorf("Total %d, want %d", n.Total(), fetches)
	}
}
