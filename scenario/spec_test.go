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
		{"unknown field", minimal + "colour: blue\n", "field colour not found"},
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
