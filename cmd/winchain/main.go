// Command winchain replays what Windows CryptoAPI does when it validates a
// certificate chain (CertGetCertificateChain + CertVerifyCertificateChainPolicy,
// with the Cryptnet URL cache under them), offline and on a clock you control.
//
// Usage:
//
//	winchain verify [flags] CERT
//	winchain urlcache --cache-dir DIR [list | delete URL | delete crl | delete ocsp | delete '*'] [--json]
//	winchain simulate [--json | --html OUT] FILE
//	winchain demo [--html PREFIX]
//	winchain certutil parse FILE [--json]
//	winchain certutil urlcache --cache-dir DIR [--online | --offline]
//	winchain diff --certutil FILE [verify flags] CERT [--json]
//	winchain preflight (--old FILE | --connect HOST:PORT) --new FILE [client flags] [--json] [--scenario OUT.yaml]
//	winchain lab --out DIR [flags] (CERT | --new FILE | --connect HOST:PORT | --scenario FILE)
//
// The flags and JSON fields are a contract (docs/cli.md): they are extended,
// never renamed. Exit status: 0 success, 1 the check failed, 2 bad usage or
// input, with one line on stderr that names the input. A crash (a bug: a
// panic or a fatal runtime error) ends the process with SIGABRT, never with
// one of these statuses.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
)

// command is one winchain subcommand. run returns the process exit status.
type command struct {
	summary string
	// usage is the synopsis printed by --help and after a bad flag
	// ("winchain verify [flags] CERT"); empty prints "winchain NAME [flags]".
	usage string
	run   func(args []string, stdout, stderr io.Writer) int
}

// commands is filled by the init functions of the files that implement them,
// so each subcommand lives in its own file.
var commands = map[string]command{}

func main() {
	guardCrashExit()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// guardCrashExit makes a crash distinguishable from bad input. By default
// the Go runtime exits with status 2 after an unrecovered panic or a fatal
// error (a stack overflow, running out of memory, a concurrent map write),
// the status winchain uses for bad usage or input, so a script would read a
// crash as "bad input". With the "crash" traceback level the runtime prints
// every goroutine's stack and then dies by SIGABRT (shell status 134; a
// core file only where the core size limit allows one). No recover can
// catch a fatal error, so this is the only guard that covers them all.
func guardCrashExit() { debug.SetTraceback("crash") }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "-version", "--version":
		args = []string{"version"}
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return 0
		}
		c, ok := commands[args[1]]
		if !ok || c.run == nil {
			fmt.Fprintf(stderr, "winchain help: unknown command %q (run 'winchain help')\n", args[1])
			return 2
		}
		// `winchain help certutil parse` is `winchain certutil parse --help`.
		return c.run(append(append([]string{}, args[2:]...), "--help"), stdout, stdout)
	}
	cmd, ok := commands[args[0]]
	if !ok || cmd.run == nil {
		fmt.Fprintf(stderr, "winchain: unknown command %q (run 'winchain help')\n", args[0])
		return 2
	}
	if wantsHelp(args[1:]) {
		// Help is output, not an error: the command's usage goes to
		// stdout and the exit status is 0.
		return cmd.run(args[1:], stdout, stdout)
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: winchain COMMAND [flags] [args]")
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "Run 'winchain help COMMAND' for the flags of one.")
}

// maxErrLines bounds the lines of a multi-line error that errLine keeps:
// the YAML decoder lists every unmarshal error, one per line, and a file of
// 10,000 unknown fields would otherwise make a megabyte-long line.
const maxErrLines = 6

// errLine renders err on one line (the contract: one line on stderr naming
// the input): a multi-line error, such as the YAML decoder's list of
// unmarshal errors, has its first maxErrLines lines joined with "; " and
// the number of the others.
func errLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if n := len(lines) - maxErrLines; n > 0 {
		lines = append(lines[:maxErrLines], fmt.Sprintf("(and %d more)", n))
	}
	return strings.Join(lines, "; ")
}
