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
//
// The flags and JSON fields are a contract (spec/cli.md): they are extended,
// never renamed. Exit status: 0 success, 1 the check failed, 2 bad usage or
// input, with one line on stderr that names the input.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one winchain subcommand. run returns the process exit status.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is filled by the init functions of the files that implement them,
// so each subcommand lives in its own file.
var commands = map[string]command{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "winchain: unknown command %q (run 'winchain help')\n", args[0])
		return 2
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
