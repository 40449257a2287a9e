package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/winchain/winchain/scenario"
)

func init() {
	commands["simulate"] = command{summary: "rehearse a certificate rotation over a fleet of simulated Windows clients", usage: "winchain simulate [--json | --html OUT] [--progress] [--max-states N] FILE", run: runSimulate}
	commands["demo"] = command{summary: "run the embedded Outlook swap story offline under two negative-cache models", usage: "winchain demo [--json | --html PREFIX]", run: runDemo}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	htmlOut := fs.String("html", "", "also write a self-contained HTML report to this file")
	perClient := fs.Bool("per-client", false, "evaluate every client on its own (slower; same results)")
	negCache := fs.String("negative-cache", "", "override every group's negative-cache `MODEL` ("+negativeCacheModels()+")")
	workDir := fs.String("work-dir", "", "write the clients' cache folders (one per client state, CryptnetUrlCache layout) into this folder when the run ends (default: kept in memory only)")
	maxStates := fs.Int("max-states", 0, fmt.Sprintf("stop a run whose clients would be in more than `N` distinct states at once (0: the default, %d, scenario.MaxCohorts)", scenario.MaxCohorts))
	progress := fs.Bool("progress", false, "report progress on stderr: steps done, client states and the time left (a bar on a terminal, the default there; plain lines every 5 s otherwise)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "winchain simulate: want exactly one scenario file (usage: winchain simulate [--json | --html OUT] FILE)")
		return 2
	}
	if *maxStates < 0 || *maxStates > scenario.MaxCohorts {
		fmt.Fprintf(stderr, "winchain simulate: --max-states %d: want 1 to %d client states (scenario.MaxCohorts), or 0 for that default\n", *maxStates, scenario.MaxCohorts)
		return 2
	}
	spec, err := scenario.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "winchain simulate: "+errLine(err))
		return 2
	}
	opts := scenario.Options{PerClient: *perClient, NegativeCache: *negCache, WorkDir: *workDir,
		MaxStates: *maxStates, MaxStatesName: "--max-states"}
	switch {
	case isTerminal(stderr):
		opts.Progress, opts.ProgressBar = stderr, true
	case *progress:
		opts.Progress = stderr
	}
	rep, err := scenario.Run(context.Background(), spec, opts)
	if err != nil {
		fmt.Fprintln(stderr, "winchain simulate: "+errLine(err))
		return 2
	}
	if *htmlOut != "" {
		if err := writeHTML(*htmlOut, rep); err != nil {
			fmt.Fprintln(stderr, "winchain simulate: "+errLine(err))
			return 2
		}
	}
	if *jsonOut {
		if err := rep.WriteJSON(stdout); err != nil {
			fmt.Fprintln(stderr, "winchain simulate: "+errLine(err))
			return 2
		}
	} else {
		rep.WriteText(stdout)
	}
	if !rep.Passed() {
		return 1
	}
	return 0
}

func writeHTML(path string, rep *scenario.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteHTML(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// runDemo plays the embedded seed story twice: with no negative caching
// (winchain's default) and with the "up to 8 h, a reboot does not clear it"
// model, and prints both, so the difference is the model.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	htmlPrefix := fs.String("html", "", "also write HTML reports to PREFIX-none.html and PREFIX-seed-8h.html")
	jsonOut := fs.Bool("json", false, "print both reports as a JSON array")
	if _, err := parseInterleaved(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var reps []*scenario.Report
	for _, model := range []string{"none", "seed-8h"} {
		spec, err := scenario.Demo()
		if err != nil {
			fmt.Fprintln(stderr, "winchain demo: "+errLine(err))
			return 2
		}
		opts := scenario.Options{NegativeCache: model}
		if isTerminal(stderr) {
			opts.Progress, opts.ProgressBar = stderr, true
		}
		rep, err := scenario.Run(context.Background(), spec, opts)
		if err != nil {
			fmt.Fprintln(stderr, "winchain demo: "+errLine(err))
			return 2
		}
		if *htmlPrefix != "" {
			if err := writeHTML(*htmlPrefix+"-"+model+".html", rep); err != nil {
				fmt.Fprintln(stderr, "winchain demo: "+errLine(err))
				return 2
			}
		}
		reps = append(reps, rep)
	}
	if *jsonOut {
		fmt.Fprintln(stdout, "[")
		for i, r := range reps {
			if err := r.WriteJSON(stdout); err != nil {
				return 2
			}
			if i == 0 {
				fmt.Fprintln(stdout, ",")
			}
		}
		fmt.Fprintln(stdout, "]")
		return 0
	}
	fmt.Fprintln(stdout, "winchain demo: the Outlook certificate swap, offline, on a simulated clock.")
	fmt.Fprintln(stdout, "3,000 clients; the mail certificate is swapped at T+1h and reverted at T+2h;")
	fmt.Fprintln(stdout, "the issuing CA's CRL URL hangs from T+0:50 to T+8h; its cached CRL expires at T+2h.")
	for _, r := range reps {
		fmt.Fprintf(stdout, "\n======== negative cache model: %s ========\n", r.NegativeCache)
		r.WriteText(stdout)
	}
	fmt.Fprintln(stdout, "\nThe same clients, the same outage: with the seed-8h model a failed CRL URL is not tried")
	fmt.Fprintln(stdout, "again for up to 8 hours, so clients keep failing long after the URL is back, a reboot does")
	fmt.Fprintln(stdout, "not help (the record is on disk), and `certutil -urlcache * delete` does.")
	return 0
}
