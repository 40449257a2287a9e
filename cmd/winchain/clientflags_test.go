package main

import (
	"flag"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commandOnlyFlags are the flags verify and preflight both have that are
// not client flags: the same name means something else in each command
// (clientflags.go says what).
var commandOnlyFlags = map[string]bool{"at": true, "server-name": true, "cache-dir": true, "json": true}

func flagsOf(fs *flag.FlagSet) map[string]*flag.Flag {
	m := map[string]*flag.Flag{}
	fs.VisitAll(func(f *flag.Flag) { m[f.Name] = f })
	return m
}

// TestClientFlagsDeclaredOnce fails when verify or preflight declares a
// client flag of its own again: every flag of addClientFlags is in both
// commands with the one help text and default, fills the same option, and
// any other flag the two share is one of the known command-specific ones.
func TestClientFlagsDeclaredOnce(t *testing.T) {
	ref := flag.NewFlagSet("ref", flag.ContinueOnError)
	addClientFlags(ref, &verifyOptions{})
	shared := flagsOf(ref)
	require.NotEmpty(t, shared)

	var vo verifyOptions
	var po preflightOptions
	verify := flagsOf(newVerifyFlags(&vo, io.Discard))
	pre := flagsOf(newPreflightFlags(&po, "preflight", io.Discard))
	for name, want := range shared {
		for cmd, set := range map[string]map[string]*flag.Flag{"verify": verify, "preflight": pre} {
			got, ok := set[name]
			if !assert.True(t, ok, "%s lacks --%s", cmd, name) {
				continue
			}
			assert.Equal(t, want.Usage, got.Usage, "%s --%s help", cmd, name)
			assert.Equal(t, want.DefValue, got.DefValue, "%s --%s default", cmd, name)
		}
	}
	var both []string
	for name := range verify {
		if _, ok := pre[name]; ok && shared[name] == nil && !commandOnlyFlags[name] {
			both = append(both, name)
		}
	}
	sort.Strings(both)
	assert.Empty(t, both, "flags verify and preflight declare each on its own: declare them in addClientFlags")

	// The same words on both command lines fill the same client settings.
	args := []string{"--root", "r.pem", "--root", "r2.pem", "--ca", "ca.pem", "--disallowed", "d.pem", "--crl", "c.crl",
		"--revocation", "end", "--cache-only", "--no-aia", "--registry", "x.reg", "--negative-cache", "seed-8h",
		"--accumulative-timeout", "5s", "--net", "n.yaml"}
	vfs, pfs := newVerifyFlags(&vo, io.Discard), newPreflightFlags(&po, "preflight", io.Discard)
	require.NoError(t, vfs.Parse(args))
	require.NoError(t, pfs.Parse(args))
	type clientSettings struct {
		roots, cas, disallowed, crls                               multiFlag
		revocation, registry, negativeCache, accumulative, netFile string
		cacheOnly, noAIA                                           bool
	}
	of := func(o *verifyOptions) clientSettings {
		return clientSettings{o.roots, o.cas, o.disallowed, o.crls, o.revocation, o.registry, o.negativeCache,
			o.accumulativeTimeout, o.netFile, o.cacheOnly, o.noAIA}
	}
	assert.Equal(t, of(&vo), of(&po.verifyOptions))
	assert.Equal(t, multiFlag{"r.pem", "r2.pem"}, vo.roots)
	assert.Equal(t, "seed-8h", po.negativeCache)

	// diff copies verify's flag set: its help lists each client flag with
	// the same words.
	var help strings.Builder
	assert.Equal(t, 0, runDiff([]string{"-h"}, io.Discard, &help))
	for name, f := range shared {
		arg, usage := flag.UnquoteUsage(f)
		line := "  -" + name
		if arg != "" {
			line += " " + arg
		}
		assert.Contains(t, help.String(), line+"\n", "diff --help")
		assert.Contains(t, help.String(), usage, "diff --help for --%s", name)
	}
}
