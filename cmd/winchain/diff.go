package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/winchain/winchain/certutil"
)

// `winchain diff --certutil FILE [verify flags] CERT [--json]` runs winchain
// with the verify flags and lists where its result differs from the
// certutil -verify output captured on Windows in FILE: per-element trust
// bits, per-URL outcomes, the verdict (certutil.Diff). Exit status 0 when
// they agree, 1 when they differ, 2 for bad usage or input.

func init() {
	commands["diff"] = command{
		summary: "compare captured certutil -verify output with winchain's result for the same inputs",
		usage:   "winchain diff --certutil FILE [verify flags] CERT [--json]",
		run:     runDiff,
	}
}

const diffUsage = "usage: winchain diff --certutil FILE [verify flags] CERT [--json]"

// diffOutput is the --json shape.
type diffOutput struct {
	Certutil    string                `json:"certutil"`
	Equal       bool                  `json:"equal"`
	Differences []certutil.Difference `json:"differences"`
	// Unparsed are the capture's lines the parser did not recognise.
	Unparsed []string `json:"unparsed"`
}

func runDiff(args []string, stdout, stderr io.Writer) int {
	var o verifyOptions
	// The verify flags, in a flag set named "diff" so that errors and
	// usage name this command.
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	newVerifyFlags(&o, stderr).VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	var capFile string
	fs.StringVar(&capFile, "certutil", "", "text captured from certutil -verify -urlfetch on Windows")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if capFile == "" {
		fmt.Fprintln(stderr, "winchain diff: --certutil FILE is required ("+diffUsage+")")
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "winchain diff: want exactly one certificate file ("+diffUsage+")")
		return 2
	}
	o.cert = pos[0]
	c, err := readCapture(capFile)
	if err != nil {
		fmt.Fprintln(stderr, "winchain diff: "+err.Error())
		return 2
	}
	if len(c.Elements) == 0 && len(c.Retrievals) == 0 && len(c.VerdictLines) == 0 && !c.ChainContextSeen {
		fmt.Fprintf(stderr, "winchain diff: %s: no certutil -verify output found (%d unrecognised lines)\n", capFile, len(c.Unparsed))
		return 2
	}
	res, err := verify(context.Background(), &o)
	if err != nil {
		fmt.Fprintln(stderr, "winchain diff: "+errLine(err))
		return 2
	}
	diffs := certutil.Diff(c, res.Context, res.Policy)
	writeCacheProblems(stderr, "diff", res)
	if o.jsonOut {
		out := diffOutput{Certutil: capFile, Equal: len(diffs) == 0, Differences: diffs, Unparsed: c.Unparsed}
		if out.Differences == nil {
			out.Differences = []certutil.Difference{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "winchain diff: "+err.Error())
			return 2
		}
	} else {
		if len(diffs) == 0 {
			fmt.Fprintf(stdout, "no differences between %s and winchain\n", capFile)
		} else {
			fmt.Fprintf(stdout, "%d differences between %s (certutil) and winchain:\n", len(diffs), capFile)
			for _, d := range diffs {
				fmt.Fprintln(stdout, "  "+d.String())
			}
		}
		if len(c.Unparsed) > 0 {
			fmt.Fprintf(stdout, "(%d lines of %s not recognised; see winchain certutil parse)\n", len(c.Unparsed), capFile)
		}
	}
	if len(diffs) > 0 {
		return 1
	}
	return 0
}
