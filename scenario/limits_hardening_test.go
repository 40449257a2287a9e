package scenario_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/scenario"
)

// Scenario sizes are bounded (scenario.MaxSteps, MaxClients, MaxEvents): a
// huge or overflowing count or duration is refused with an error that names
// the file, the field and the limit, never run, never silently replaced by
// a default.
func TestSpecSizeLimits(t *testing.T) {
	const huge = "9223372036854775807" // math.MaxInt64
	events := "events:\n" + strings.Repeat("  - {at: 1h}\n", scenario.MaxEvents+1)
	cases := []struct{ name, yaml, want string }{
		{"too many steps", minimal + "duration: 720h\nstep: 1s\n", "limit is 20000"},
		{"duration in seconds beyond time.Duration", minimal + "duration: 1e30\n", "duration"},
		{"duration NaN", minimal + "duration: .nan\n", "duration"},
		{"duration Inf", minimal + "duration: .inf\n", "duration"},
		{"step NaN", minimal + "step: NaN\n", `line 8: "NaN" seconds is not a usable duration`},
		{"one group too big", strings.Replace(minimal, "count: 10", "count: 1000001", 1), "limit is 1000000"},
		{"one group of MaxInt64", strings.Replace(minimal, "count: 10", "count: "+huge, 1), "limit is 1000000"},
		{"counts that overflow int", strings.Replace(minimal, "  - {count: 10, roots: [root]}\n",
			"  - {count: "+huge+", roots: [root]}\n  - {count: "+huge+", roots: [root]}\n  - {count: 10, roots: [root]}\n", 1), "limit is 1000000"},
		{"too many events", minimal + events, "more than 10000 events"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenario.Parse("big.yaml", []byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "big.yaml")
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
