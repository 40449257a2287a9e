package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certutil"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/boundedio"
)

// `winchain certutil` speaks certutil.exe (package certutil):
//
//	winchain certutil parse FILE [--json]
//	winchain certutil urlcache --cache-dir DIR [--online | --offline]
//
// and `winchain verify --format certutil` prints a result in the layout of
// `certutil -verify -urlfetch`.

func init() {
	commands["certutil"] = command{
		summary: "read captured certutil -verify output (parse), list a cache like certutil -urlcache",
		usage:   "winchain certutil parse FILE [--json] | winchain certutil urlcache --cache-dir DIR [--online|--offline]",
		run:     runCertutil,
	}
}

const certutilUsage = "usage: winchain certutil parse FILE [--json] | winchain certutil urlcache --cache-dir DIR [--online|--offline]"

func runCertutil(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "winchain certutil: want a subcommand ("+certutilUsage+")")
		return 2
	}
	switch args[0] {
	case "parse":
		return runCertutilParse(args[1:], stdout, stderr)
	case "urlcache":
		return runCertutilURLCache(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, certutilUsage)
		return 0
	}
	fmt.Fprintf(stderr, "winchain certutil: unknown subcommand %q (%s)\n", args[0], certutilUsage)
	return 2
}

func runCertutilParse(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("certutil parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the capture as JSON (docs/cli.md)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "winchain certutil parse: want exactly one file ("+certutilUsage+")")
		return 2
	}
	c, err := readCapture(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "winchain certutil parse: "+err.Error())
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(c); err != nil {
			fmt.Fprintln(stderr, "winchain certutil parse: "+err.Error())
			return 2
		}
		return 0
	}
	writeCaptureText(stdout, pos[0], c)
	return 0
}

// readCapture reads and parses a certutil capture of at most
// certutil.MaxCaptureSize bytes ("-" is standard input), naming it in
// errors. Files and standard input take the one read path of
// internal/boundedio: a file's size is checked before it is read, and a
// FIFO or device is refused without blocking.
func readCapture(path string) (*certutil.Capture, error) {
	what := "certutil output " + path
	if path == boundedio.Stdin {
		what = "certutil output from standard input"
	}
	data, err := boundedio.ReadFile(path, certutil.MaxCaptureSize)
	if err != nil {
		var tl *boundedio.TooLargeError
		var pe *fs.PathError
		switch {
		case errors.As(err, &tl):
			return nil, fmt.Errorf("cannot read %s: %d bytes is over the limit of %d bytes", what, tl.Size, tl.Limit)
		case errors.As(err, &pe):
			err = pe.Err // the line names the file already
		}
		return nil, fmt.Errorf("cannot read %s: %w", what, err)
	}
	c, err := certutil.ParseVerify(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", what, err)
	}
	return c, nil
}

func writeCaptureText(w io.Writer, name string, c *certutil.Capture) {
	urls := 0
	for _, r := range c.Retrievals {
		if r.URL != "" {
			urls++
		}
	}
	fmt.Fprintf(w, "%s: %d elements, %d URL lines, %d unparsed lines\n", name, len(c.Elements), urls, len(c.Unparsed))
	for _, e := range c.Elements {
		fmt.Fprintf(w, "CertContext[%d][%d]: dwErrorStatus=0x%08X dwInfoStatus=0x%08X %s\n", e.Chain, e.Index, uint32(e.ErrorStatus), uint32(e.InfoStatus), e.Subject)
		if es := chain.ErrorStatus(e.ErrorStatus); es != 0 {
			fmt.Fprintf(w, "  Errors: %s\n", es)
		}
	}
	if c.ChainContextSeen {
		fmt.Fprintf(w, "ChainContext.dwErrorStatus = 0x%08X (%s)\n", uint32(c.ChainErrorStatus), chain.ErrorStatus(c.ChainErrorStatus))
	}
	if len(c.Retrievals) > 0 {
		fmt.Fprintln(w, "URL retrievals:")
		for _, r := range c.Retrievals {
			line := fmt.Sprintf("  %-12s %-9s %-18s %s", r.Section, r.Result, "\""+r.What+"\"", r.URL)
			if r.Error != "" {
				line += "  (" + r.Error + ")"
			}
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
	}
	if c.Verdict != "" {
		fmt.Fprintln(w, "Verdict:")
		for _, l := range c.VerdictLines {
			fmt.Fprintln(w, "  "+l)
		}
	}
	if len(c.Unparsed) > 0 {
		fmt.Fprintln(w, "Unparsed:")
		for _, l := range c.Unparsed {
			fmt.Fprintln(w, "  "+l)
		}
	}
}

func runCertutilURLCache(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("certutil urlcache", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache-dir", "", "a folder in the CryptnetUrlCache layout (winchain's or a copy from Windows)")
	online := fs.Bool("online", false, "print the ****  Online  **** banner")
	offline := fs.Bool("offline", false, "print the ****  OFFLINE  **** banner")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *dir == "" || len(pos) != 0 || (*online && *offline) {
		fmt.Fprintln(stderr, "winchain certutil urlcache: "+certutilUsage)
		return 2
	}
	d, err := urlcache.Open(*dir, urlcache.Options{ReadOnly: true, MaxContent: cache.DefaultMaxURLRetrievalBytes})
	if err != nil {
		fmt.Fprintf(stderr, "winchain certutil urlcache: cannot read cache folder %s: %v\n", *dir, err)
		return 2
	}
	entries, problems, err := d.List()
	if err != nil {
		fmt.Fprintf(stderr, "winchain certutil urlcache: cannot read cache folder %s: %v\n", *dir, err)
		return 2
	}
	opts := certutil.URLCacheOptions{}
	switch {
	case *online:
		opts.Network = certutil.NetworkOnline
	case *offline:
		opts.Network = certutil.NetworkOffline
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "winchain certutil urlcache: %s: %v\n", p.Name, p.Err)
	}
	if err := certutil.RenderURLCache(stdout, entries, opts); err != nil {
		fmt.Fprintln(stderr, "winchain certutil urlcache: "+err.Error())
		return 2
	}
	return 0
}

// checkFormat validates `winchain verify --format`.
func checkFormat(format string) error {
	switch format {
	case "", "text", "certutil":
		return nil
	}
	return usagef("--format %q: want text or certutil", format)
}

// writeCertutilFormat prints a verify result in the layout of
// `certutil -verify -urlfetch` (winchain verify --format certutil).
func writeCertutilFormat(w io.Writer, res *verifyResult) error {
	return certutil.RenderVerify(w, res.Context, res.Policy, certutil.RenderOptions{ChainFlags: res.Flags})
}
