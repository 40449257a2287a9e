package scenario_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/scenario"
)

const minimal = `
pki:
  certs: {leaf: leaf.pem, root: root.pem}
endpoints:
  - {host: mail.example.test, chain: [leaf]}
groups:
  - {count: 10, roots: [root]}
`

func TestSpecDefaults(t *testing.T) {
	s, err := scenario.Parse("min.yaml", []byte(minimal))
	require.NoError(t, err)
	assert.Equal(t, "min", s.Name)
	assert.Equal(t, "24h0m0s", s.Duration.D().String())
	assert.Equal(t, "5m0s", s.Step.D().String())
	assert.Equal(t, "15s", s.HungAfter.D().String())
	g := s.Groups[0]
	assert.Equal(t, "chain-exclude-root", g.Profile.Revocation)
	assert.Equal(t, "none", g.Profile.NegativeCache)
	assert.Equal(t, "10h0m0s", g.Profile.TLSSessionLifetime.D().String())
	assert.Equal(t, "15m0s", g.ConnectEvery.D().String())
	assert.Equal(t, "mail.example.test", g.Endpoint)
}

// Bad scenarios are refused with an error that names the file and field.
func TestSpecErrors(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"empty", ``, "empty scenario"},
		{"unknown field", minimal + "colour: blue\n", `unknown field "colour"`},
		{"bad duration", minimal + "duration: soon\n", `"soon" is not a duration`},
		{"no endpoints", "groups: [{count: 1}]\n", "endpoints: at least one endpoint"},
		{"unknown cert", "pki: {certs: {a: a.pem}}\nendpoints: [{host: h, chain: [b]}]\ngroups: [{count: 1}]\n", `endpoints[0].chain[0]: no certificate named "b"`},
		{"bad revocation", "pki: {certs: {a: a.pem}}\nendpoints: [{host: h, chain: [a]}]\ngroups: [{count: 1, profile: {revocation: sometimes}}]\n", "groups[0].profile.revocation"},
		{"two kinds", minimal + "events: [{at: 1h, reboot: true, appRestart: true}]\n", "events[0]: give exactly one of"},
		{"bad fraction", minimal + "events: [{at: 1h, reboot: true, fraction: 150%}]\n", "events[0].fraction"},
		{"unknown group", minimal + "events: [{at: 1h, reboot: true, group: nobody}]\n", `no group named "nobody"`},
		{"too many steps", minimal + "duration: 10000h\nstep: 1m\n", "the limit is"},
		{"crl without key", minimal + "crls: [{url: http://x/a.crl, issuer: root}]\n", `no key for "root"`},
		{"assert both", minimal + "asserts: [{by: 1h, atLeast: 1%, atMost: 2%}]\n", "exactly one of atLeast and atMost"},
		{"net rule nothing", minimal + "network: [{url: http://x/, from: 1h}]\n", "give fail or status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenario.Parse("bad.yaml", []byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "bad.yaml")
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func FuzzParseSpec(f *testing.F) {
	demo, err := scenario.DemoFile("outlook-swap.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte(minimal))
	f.Add([]byte("events: [{at: -1h}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if s.Step <= 0 || s.Duration <= 0 || len(s.Endpoints) == 0 || len(s.Groups) == 0 {
			t.Fatalf("accepted a scenario without defaults: %+v", s)
		}
	})
}

// Values written outside their range are refused with the field and the
// allowed range (issue 17); left out, the same fields take their defaults
// (TestSpecDefaults).
func TestSpecExplicitValues(t *testing.T) {
	group := func(extra string) string {
		return "pki:\n  certs: {leaf: leaf.pem, root: root.pem}\nendpoints:\n  - {host: mail.example.test, chain: [leaf]}\ngroups:\n  - {roots: [root]" + extra + "}\n"
	}
	cases := []struct{ name, yaml, field, want string }{
		{"count 0", group(", count: 0"), "groups[0].count", "0: want 1 to 1000000 clients"},
		{"count negative", group(", count: -5"), "groups[0].count", "-5: want 1 to 1000000 clients"},
		{"step 0s", minimal + "step: 0s\n", "step", "0s: want at least 1s"},
		{"step 0", minimal + "step: 0\n", "step", "0s: want at least 1s"},
		{"duration negative", minimal + "duration: -1h\n", "duration", "want more than 0s"},
		{"hungAfter 0", minimal + "hungAfter: 0s\n", "hungAfter", "want more than 0s"},
		{"connectEvery 0", group(", count: 3, connectEvery: 0s"), "groups[0].connectEvery", "want at least the step"},
		{"urlTimeout 0", group(", count: 3, profile: {urlTimeout: 0s}"), "groups[0].profile.urlTimeout", "want more than 0s"},
		{"publishEvery 0", "pki:\n  certs: {leaf: leaf.pem, root: root.pem}\n  keys: {root: root.key}\ncrls: [{url: http://x/a.crl, issuer: root, publishEvery: 0s}]\nendpoints:\n  - {host: mail.example.test, chain: [leaf]}\ngroups:\n  - {count: 1, roots: [root]}\n", "crls[0].publishEvery", "want more than 0s"},
		{"fraction over 100%", minimal + "events: [{at: 1h, reboot: true, fraction: 101%}]\n", "events[0].fraction", "101% is outside 0%..100%"},
		{"fraction negative", minimal + "events: [{at: 1h, reboot: true, fraction: -5%}]\n", "events[0].fraction", "-5% is outside 0%..100%"},
		{"fraction 50 without %", minimal + "events: [{at: 1h, reboot: true, fraction: 50}]\n", "events[0].fraction", "50 is not a share: write a percentage from 0% to 100% (50%) or a fraction from 0 to 1"},
		{"atLeast over 100%", minimal + "asserts: [{by: 1h, atLeast: 120%}]\n", "asserts[0].atLeast", "120% is outside 0%..100%"},
		{"atMost 99 without %", minimal + "asserts: [{by: 1h, atMost: 99}]\n", "asserts[0].atMost", "99 is not a share"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenario.Parse("bad.yaml", []byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "bad.yaml")
			assert.Contains(t, err.Error(), c.field)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	// Fractions written as fractions and shares at the ends of the range
	// stay accepted.
	for _, ok := range []string{"fraction: 0.5", "fraction: 0%", "fraction: 100%", "fraction: 1"} {
		_, err := scenario.Parse("ok.yaml", []byte(minimal+"events: [{at: 1h, reboot: true, "+ok+"}]\n"))
		assert.NoError(t, err, ok)
	}
}

// The work of a run is bounded before it starts, with the field that
// drives it named (issue 15).
func TestSpecWorkBounds(t *testing.T) {
	// 1,000,000 clients, each with its own connection phase: a week at one
	// minute with connectEvery a week is 10,081 phases per group; three
	// such groups start in more states than MaxCohorts.
	many := "pki:\n  certs: {leaf: leaf.pem, root: root.pem}\nendpoints:\n  - {host: mail.example.test, chain: [leaf]}\nduration: 168h\nstep: 1m\ngroups:\n"
	for i := 0; i < 3; i++ {
		many += "  - {count: 300000, connectEvery: 168h, roots: [root]}\n"
	}
	_, err := scenario.Parse("big.yaml", []byte(many))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "groups[1].connectEvery")
	assert.Contains(t, err.Error(), "(MaxCohorts)")

	// Steps × states: 20,000 steps × 6,000 phases.
	work := "pki:\n  certs: {leaf: leaf.pem, root: root.pem}\nendpoints:\n  - {host: mail.example.test, chain: [leaf]}\nduration: 20000m\nstep: 1m\ngroups:\n  - {count: 6000, connectEvery: 6000m, roots: [root]}\n"
	_, err = scenario.Parse("work.yaml", []byte(work))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "duration: 20001 steps × 6000 client states")
	assert.Contains(t, err.Error(), "(MaxWork)")

	// A group whose connection phases mostly fall after the run starts in
	// few states: phases beyond the last step share one.
	late := "pki:\n  certs: {leaf: leaf.pem, root: root.pem}\nendpoints:\n  - {host: mail.example.test, chain: [leaf]}\nduration: 1h\nstep: 1m\ngroups:\n  - {count: 1000000, connectEvery: 8760h, roots: [root]}\n"
	_, err = scenario.Parse("late.yaml", []byte(late))
	require.NoError(t, err)
}
