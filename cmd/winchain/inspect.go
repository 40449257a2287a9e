package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/inspect"
	"github.com/winchain/winchain/internal/boundedio"
)

func init() {
	commands["inspect"] = command{
		summary: "dump certificates, CRLs, OCSP responses, PKCS#7 bundles and URL cache entries, with what Windows does with them",
		usage:   "winchain inspect [--json] [--issuer FILE] [--serial HEX] FILE... (- reads standard input)",
		run:     runInspect,
	}
}

// inspectOutput is the --json shape (docs/cli.md).
type inspectOutput struct {
	Objects []*inspect.Object `json:"objects"`
}

func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.Bool("json", false, "print the objects as JSON")
	issuerFile := fs.String("issuer", "", "the issuer's certificate: OCSP GET URLs, CRL and OCSP signature checks")
	serial := fs.String("serial", "", "show this serial's revocation entry of a CRL (hex)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "winchain inspect: want at least one file (usage: winchain inspect [--json] [--issuer FILE] [--serial HEX] FILE...)")
		return 2
	}
	var opts inspect.Options
	if *issuerFile != "" {
		cs, err := certs.LoadFile(*issuerFile)
		if err != nil {
			fmt.Fprintln(stderr, "winchain inspect: --issuer "+errLine(err))
			return 2
		}
		opts.Issuer = cs[0]
	}
	if *serial != "" {
		n, err := inspect.ParseSerial(*serial)
		if err != nil {
			fmt.Fprintln(stderr, "winchain inspect: --"+err.Error())
			return 2
		}
		opts.Serial = n
	}
	out := inspectOutput{Objects: []*inspect.Object{}}
	rc := 0
	for _, p := range pos {
		objs, err := inspectFile(p, opts)
		if err != nil {
			// The other files are still shown; the exit status says one
			// could not be read.
			fmt.Fprintln(stderr, "winchain inspect: "+errLine(err))
			rc = 2
			continue
		}
		out.Objects = append(out.Objects, objs...)
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "winchain inspect: "+errLine(err))
			return 2
		}
		return rc
	}
	inspect.WriteText(stdout, out.Objects)
	return rc
}

// inspectFile reads one argument: "-" (standard input), a file, or a file
// of a CryptnetUrlCache folder (DIR/MetaData/NAME or DIR/Content/NAME),
// which is shown with its other half.
func inspectFile(path string, opts inspect.Options) ([]*inspect.Object, error) {
	if meta, content, ok := cacheEntryPaths(path); ok {
		md, err := readInput(meta)
		if err != nil {
			return nil, err
		}
		body, err := readInput(content)
		if err != nil {
			return nil, err
		}
		o, err := inspect.CacheEntry(meta, md, content, body, opts)
		if err != nil {
			return nil, err
		}
		return []*inspect.Object{o}, nil
	}
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	return inspect.Inspect(data, boundedio.Name(path), opts)
}

// cacheEntryPaths recognises a file of a CryptnetUrlCache folder and
// returns both of its files.
func cacheEntryPaths(path string) (meta, content string, ok bool) {
	if path == boundedio.Stdin {
		return "", "", false
	}
	dir, name := filepath.Split(filepath.Clean(path))
	if !urlcache.IsEntryName(name) {
		return "", "", false
	}
	parent := filepath.Dir(filepath.Clean(dir))
	switch strings.ToLower(filepath.Base(filepath.Clean(dir))) {
	case strings.ToLower(urlcache.MetaDataDir), strings.ToLower(urlcache.ContentDir):
	default:
		return "", "", false
	}
	meta = filepath.Join(parent, urlcache.MetaDataDir, name)
	content = filepath.Join(parent, urlcache.ContentDir, name)
	if _, err := os.Stat(meta); err != nil {
		return "", "", false
	}
	return meta, content, true
}

// readInput reads a file argument of at most certs.MaxFileSize bytes ("-"
// is standard input), naming it in errors.
func readInput(path string) ([]byte, error) {
	if path != boundedio.Stdin {
		if fi, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
		} else if fi.IsDir() {
			return nil, fmt.Errorf("%s: is a folder, not a file", path)
		}
	}
	data, err := boundedio.ReadFile(path, certs.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", boundedio.Name(path), err)
	}
	return data, nil
}
