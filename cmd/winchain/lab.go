package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/internal/boundedio"
	"github.com/winchain/winchain/preflight"
	"github.com/winchain/winchain/scenario"
)

// `winchain lab --out DIR [flags] (CERT | --new FILE | --connect HOST:PORT |
// --scenario FILE)` writes a kit for a Windows test machine
// (preflight.WriteLab). Exit status 0, or 2 for bad usage or input.

const labUsage = "winchain lab --out DIR [--name NAME] [--root FILE] [--ca FILE] [--crl FILE] [--registry FILE] (CERT | --new FILE | --connect HOST:PORT | --scenario FILE [--group NAME] [--step OFFSET])"

func init() {
	commands["lab"] = command{
		summary: "write a PowerShell kit that reproduces a case on a Windows test machine and collects its evidence",
		usage:   labUsage,
		run:     runLab,
	}
}

func runLab(args []string, stdout, stderr io.Writer) int {
	var o preflightOptions
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "folder to write the kit into (created if needed)")
	name := fs.String("name", "", "the case's name (letters, digits, . _ -); default the certificate file's name")
	scen := fs.String("scenario", "", "take the case from a scenario file: a group's stores and registry, the chain its endpoint presents at --step")
	group := fs.String("group", "", "the scenario group (default the first)")
	step := fs.Duration("step", 0, "offset from the scenario's start (after the events up to it)")
	fs.StringVar(&o.new, "new", "", "the chain to verify (end certificate first), as for preflight")
	fs.StringVar(&o.connect, "connect", "", "HOST:PORT: take the chain from a TLS handshake with the server")
	addConnectTimeoutFlag(fs, &o)
	fs.Var(&o.roots, "root", "Root store certificates; repeatable")
	fs.Var(&o.cas, "ca", "intermediate (CA) store certificates; repeatable")
	fs.Var(&o.crls, "crl", "CRLs for the CA store; repeatable")
	fs.StringVar(&o.registry, "registry", "", "a `reg export` of ChainEngine\\Config whose values the script sets")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "winchain lab: "+errLine(err))
		return 2
	}
	if *out == "" {
		return fail(usagef("--out DIR is required (usage: %s)", labUsage))
	}
	sources := 0
	for _, set := range []bool{len(pos) > 0, o.new != "", o.connect != "", *scen != ""} {
		if set {
			sources++
		}
	}
	if sources != 1 || len(pos) > 1 {
		return fail(usagef("give exactly one of CERT, --new, --connect and --scenario (usage: %s)", labUsage))
	}
	var c preflight.LabCase
	if *scen != "" {
		c, err = labFromScenario(*scen, *group, *step)
	} else {
		c, err = labFromFlags(&o, pos)
	}
	if err != nil {
		return fail(err)
	}
	if *name != "" {
		c.Name = *name
	}
	if err := preflight.WriteLab(*out, c); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "lab kit for %s (%s) written to %s\n", c.Chain.Leaf().Subject(), c.Name, *out)
	fmt.Fprintf(stdout, "on the Windows test machine, in an elevated prompt: powershell -ExecutionPolicy Bypass -File %s [-Keep]\n", filepath.Join(*out, preflight.LabScript))
	fmt.Fprintln(stdout, "back here, unzip results.zip and read it with:")
	for _, l := range preflight.LabLayout {
		if strings.HasPrefix(l.ReadBy, "winchain ") {
			fmt.Fprintf(stdout, "  %s\n", l.ReadBy)
		}
	}
	return 0
}

// labFromFlags takes the case from preflight-style inputs.
func labFromFlags(o *preflightOptions, pos []string) (preflight.LabCase, error) {
	var c preflight.LabCase
	var err error
	switch {
	case o.connect != "":
		c.Chain, err = preflight.Connect(context.Background(), o.connect, preflight.ConnectOptions{Timeout: o.connectTimeout})
		c.Name = safeName(hostOf(o.connect))
	default:
		f := o.new
		if len(pos) == 1 {
			f = pos[0]
		}
		c.Chain, err = preflight.LoadChain(f)
		c.Name = safeName(trimExt(filepath.Base(f)))
	}
	if err != nil {
		return c, err
	}
	load := func(files []string) ([]*certs.Certificate, error) {
		var out []*certs.Certificate
		for _, f := range files {
			cs, err := certs.LoadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
		return out, nil
	}
	if c.Roots, err = load(o.roots); err != nil {
		return c, err
	}
	if c.CAs, err = load(o.cas); err != nil {
		return c, err
	}
	for _, f := range o.crls {
		crls, err := certs.LoadCRLFile(f)
		if err != nil {
			return c, err
		}
		for _, crl := range crls {
			c.CRLs = append(c.CRLs, crl.Raw)
		}
	}
	if o.registry != "" {
		data, err := boundedio.ReadFile(o.registry, client.MaxRegExportSize)
		if err != nil {
			return c, err
		}
		if c.Registry, err = client.ParseRegExport(o.registry, data); err != nil {
			return c, err
		}
	}
	return c, nil
}

// labFromScenario takes the case of one group at one step of a scenario:
// the chain its endpoint presents then, its Root and CA stores, its
// profile's registry export.
func labFromScenario(file, group string, step time.Duration) (preflight.LabCase, error) {
	var c preflight.LabCase
	s, err := scenario.Load(file)
	if err != nil {
		return c, err
	}
	var g *scenario.GroupSpec
	for i := range s.Groups {
		if group == "" || s.Groups[i].Name == group {
			g = &s.Groups[i]
			break
		}
	}
	if g == nil {
		return c, usagef("--group %q: no such group in %s", group, file)
	}
	names, err := s.PresentedChain(g.Endpoint, step)
	if err != nil {
		return c, err
	}
	load := func(names []string) ([]*certs.Certificate, error) {
		var out []*certs.Certificate
		for _, n := range names {
			cert, err := s.Certificate(n)
			if err != nil {
				return nil, err
			}
			out = append(out, cert)
		}
		return out, nil
	}
	c.Chain = &preflight.Chain{Source: file}
	if c.Chain.Certs, err = load(names); err != nil {
		return c, err
	}
	if c.Roots, err = load(g.Roots); err != nil {
		return c, err
	}
	if c.CAs, err = load(g.CA); err != nil {
		return c, err
	}
	if g.Profile.Registry != "" {
		data, err := s.ReadFile(g.Profile.Registry)
		if err != nil {
			return c, err
		}
		if c.Registry, err = client.ParseRegExport(g.Profile.Registry, data); err != nil {
			return c, err
		}
	}
	c.Name = safeName(s.Name + "-" + g.Name)
	return c, nil
}

func trimExt(s string) string { return s[:len(s)-len(filepath.Ext(s))] }

// safeName keeps the characters a lab case name may have.
func safeName(s string) string {
	b := []byte(s)
	for i, ch := range b {
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-'
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	if len(b) == 0 {
		return "case"
	}
	return string(b)
}
