package netsim_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

// A prefix rule answers every URL under it (an OCSP responder's GET URLs),
// computed per request; a URL with its own rules is not affected, and a
// longer prefix wins.
func TestPrefixRules(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(t0)
	n := netsim.New(clk)
	n.MaxLog = 4
	n.AddPrefix("http://ocsp.example.test/", netsim.Rule{Func: func(req *cache.FetchRequest, now time.Time) netsim.Response {
		return netsim.Response{Body: []byte("answer for " + req.URL[len("http://ocsp.example.test/"):])}
	}})
	n.AddPrefix("http://ocsp.example.test/", netsim.Rule{From: t0.Add(time.Hour), Until: t0.Add(2 * time.Hour), Response: netsim.Response{Fail: netsim.FailOffline}})
	n.AddPrefix("http://ocsp.example.test/special/", netsim.Rule{Response: netsim.Response{Status: 404}})
	n.Serve("http://ocsp.example.test/own", []byte("own"))

	get := func(url string) (*cache.FetchResponse, error) {
		return n.Fetch(context.Background(), &cache.FetchRequest{URL: url, Timeout: 15 * time.Second})
	}
	r, err := get("http://ocsp.example.test/MFMwUTBP")
	require.NoError(t, err)
	assert.Equal(t, "answer for MFMwUTBP", string(r.Body))
	r, err = get("http://ocsp.example.test/own")
	require.NoError(t, err)
	assert.Equal(t, "own", string(r.Body))
	r, err = get("http://ocsp.example.test/special/x")
	require.NoError(t, err)
	assert.Equal(t, 404, r.Status)
	clk.Advance(90 * time.Minute)
	_, err = get("http://ocsp.example.test/MFMwUTBP")
	assert.Equal(t, cache.ReasonOffline, cache.ReasonOf(err))
	_, err = get("http://other.example.test/")
	assert.Equal(t, cache.ReasonOffline, cache.ReasonOf(err))
	assert.Equal(t, 5, n.Total())
	assert.LessOrEqual(t, len(n.Requests()), 4, "MaxLog bounds the log")
}
