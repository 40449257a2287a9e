package cache

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzCacheHeaders feeds the HTTP cache headers a server controls to their
// parsers (issue 15): Cache-Control to maxAge and ETag to strongETag.
// Properties: no panic; max-age is never negative nor past the clamp, and a
// single plain "max-age=N" in range gives exactly N seconds; a weak ETag
// is never kept and a strong one is kept as sent.
func FuzzCacheHeaders(f *testing.F) {
	f.Add("public, max-age=604800", `"6439ef9c-2cd"`)
	f.Add("max-age=0, no-cache", `W/"weak"`)
	f.Add(`max-age="3600"`, `"746787a3f0d91:0"`)
	f.Add("MAX-AGE=9223372036854775807", "")
	f.Add("max-age=-1", "W/")
	f.Add("max-age=1e9", `""`)
	// Large inputs: a header of 100,000 directives, one huge number.
	f.Add(strings.Repeat("no-store, ", 100_000)+"max-age=60", strings.Repeat(`"x`, 50_000))
	f.Add("max-age="+strings.Repeat("9", 10_000), strings.Repeat("W/", 10_000))
	f.Fuzz(func(t *testing.T, cc, etag string) {
		d := maxAge(cc)
		if d < 0 || d > time.Duration(1<<62)/time.Second*time.Second {
			t.Fatalf("maxAge(%q) = %v", cc, d)
		}
		if k, v, ok := strings.Cut(cc, "="); ok && strings.EqualFold(k, "max-age") && !strings.ContainsAny(v, ",\" \t") {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 && n < 1<<32 && d != time.Duration(n)*time.Second {
				t.Fatalf("maxAge(%q) = %v, want %ds", cc, d, n)
			}
		}
		got := strongETag(etag)
		if strings.HasPrefix(etag, "W/") && got != "" {
			t.Fatalf("weak ETag %q kept as %q", etag, got)
		}
		if !strings.HasPrefix(etag, "W/") && got != etag {
			t.Fatalf("strong ETag %q changed to %q", etag, got)
		}
	})
}
