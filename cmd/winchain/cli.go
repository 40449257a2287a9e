package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Shared CLI plumbing: flag parsing with the usage of the command on a bad
// flag, help on standard output, and `winchain version`.

// parseInterleaved parses flags that may come before or after positional
// arguments, as users type them.
//
// -h prints the command's usage and flags on fs.Output() and returns
// flag.ErrHelp (run routes a help request's output to standard output, so
// help is on stdout with exit 0). A bad flag prints one line
// "winchain CMD: problem" on fs.Output() (standard error) — followed by
// the command's usage when the flag is unknown — and returns the error:
// the caller exits 2.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	out := fs.Output()
	fs.SetOutput(io.Discard) // the flag package's own messages are replaced below
	defer fs.SetOutput(out)
	fs.Usage = func() {}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			fs.SetOutput(out)
			if errors.Is(err, flag.ErrHelp) {
				printFlagUsage(out, fs)
				return nil, err
			}
			fmt.Fprintf(out, "winchain %s: %s\n", fs.Name(), flagProblem(err))
			if strings.HasPrefix(err.Error(), "flag provided but not defined") {
				// A misspelt flag: show what the command takes.
				printFlagUsage(out, fs)
			}
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagProblem rewords the flag package's errors for a person: flags are
// written with two dashes in winchain's documentation.
func flagProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + name + " needs a value"
	}
	return msg
}

// printFlagUsage prints "usage: …", the command's summary and its flags.
func printFlagUsage(w io.Writer, fs *flag.FlagSet) {
	name := fs.Name()
	c, ok := commands[name]
	if !ok {
		// "certutil parse": the parent command's entry.
		c, ok = commands[strings.Fields(name)[0]]
	}
	switch {
	case ok && c.usage != "":
		fmt.Fprintf(w, "usage: %s\n", c.usage)
	default:
		fmt.Fprintf(w, "usage of winchain %s: winchain %s [flags]\n", name, name)
	}
	if ok && c.summary != "" {
		fmt.Fprintf(w, "  %s\n", c.summary)
	}
	fmt.Fprintln(w, "flags:")
	fs.PrintDefaults()
}

// wantsHelp reports whether args ask for help (-h, -help or --help before
// a "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

func init() {
	commands["version"] = command{
		summary: "print the winchain version and the source revision it was built from",
		usage:   "winchain version",
		run:     runVersion,
	}
	commands["help"] = command{
		summary: "print the list of commands, or the usage and flags of one",
		usage:   "winchain help [COMMAND]",
		run:     nil, // handled by run: it needs the command table
	}
}

// runVersion prints the module version and the VCS revision recorded in the
// binary's build information (go build stamps vcs.revision, vcs.time and
// vcs.modified from the checkout).
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "winchain version: takes no arguments (got %q)\n", strings.Join(pos, " "))
		return 2
	}
	fmt.Fprintln(stdout, versionText())
	return 0
}

// versionText is "winchain VERSION (revision REV, TIME[, modified]) GOVERSION".
func versionText() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "winchain (no build information)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "winchain %s", version)
	if rev != "" {
		fmt.Fprintf(&b, " (revision %s", rev)
		if at != "" {
			fmt.Fprintf(&b, ", %s", at)
		}
		if modified {
			b.WriteString(", modified")
		}
		b.WriteString(")")
	} else {
		b.WriteString(" (no VCS revision recorded)")
	}
	fmt.Fprintf(&b, " %s", bi.GoVersion)
	return b.String()
}
