package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/winchain/winchain/capi2"
	"github.com/winchain/winchain/internal/boundedio"
)

// `winchain capi2` reads exports of the Microsoft-Windows-CAPI2/Operational
// log (package capi2, spec §7.3) and prints what the Windows client did,
// operation by operation:
//
//	winchain capi2 [--json] [--task ID] FILE...

func init() {
	commands["capi2"] = command{
		summary: "read a CAPI2 event log export (wevtutil qe … /f:xml): a timeline per operation; --replay runs it through winchain",
		usage:   "winchain capi2 [--json] [--replay] [--certs DIR] [--task ID] FILE...",
		run:     runCAPI2,
	}
}

const capi2Usage = "usage: winchain capi2 [--json] [--replay] [--certs DIR] [--task ID] FILE..."

func runCAPI2(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("capi2", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the operations as JSON (docs/cli.md)")
	task := fs.String("task", "", "show only the operation with this TaskId ({GUID}, braces optional)")
	replay := fs.Bool("replay", false, "rebuild each chain-building operation and run it through winchain; exit 1 when one disagrees")
	certsDir := fs.String("certs", "", "real certificates, CRLs and OCSP responses for --replay, found by SHA-1 thumbprint")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "winchain capi2: want a log file (%s)\n", capi2Usage)
		return 2
	}
	opts := capi2.ReplayOptions{}
	if *certsDir != "" {
		if !*replay {
			fmt.Fprintln(stderr, "winchain capi2: --certs needs --replay")
			return 2
		}
		ro, err := capi2.LoadCertsDir(*certsDir)
		if err != nil {
			fmt.Fprintf(stderr, "winchain capi2: %s\n", errLine(err))
			return 2
		}
		opts.Real = ro
	}
	disagree := false
	want := strings.ToUpper(strings.Trim(strings.TrimSpace(*task), "{}"))
	rep := &capi2.Report{Skipped: []capi2.Skipped{}, Operations: []*capi2.OperationReport{}}
	status := 0
	found := false
	for _, file := range files {
		err := readCAPI2(file, func(op *capi2.Operation) error {
			if want != "" && strings.Trim(op.TaskID, "{}") != want {
				return nil
			}
			found = true
			var rp *capi2.Replay
			if *replay {
				var err error
				if rp, err = op.Replay(context.Background(), opts); err != nil {
					return fmt.Errorf("replay of %s: %w", op.TaskID, err)
				}
				if rp.Winchain != nil && !rp.Agree {
					disagree = true
				}
			}
			if *asJSON {
				if rp != nil {
					rep.Operations = append(rep.Operations, op.ReportReplay(rp))
				} else {
					rep.Operations = append(rep.Operations, op.Report())
				}
				return nil
			}
			if err := op.WriteTimeline(stdout); err != nil {
				return err
			}
			if rp != nil {
				if err := capi2.WriteReplay(stdout, rp); err != nil {
					return err
				}
			}
			_, err := fmt.Fprintln(stdout)
			return err
		}, rep)
		if err != nil {
			fmt.Fprintf(stderr, "winchain capi2: %s\n", errLine(err))
			status = 2
			var ie *capi2.InputError
			if !errors.As(err, &ie) || rep.Events == 0 {
				return 2
			}
		}
	}
	if want != "" && !found {
		fmt.Fprintf(stderr, "winchain capi2: no operation with TaskId {%s} in %s\n", want, strings.Join(files, ", "))
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "winchain capi2: %v\n", err)
			return 2
		}
	} else if rep.SkippedTotal > 0 {
		fmt.Fprintf(stdout, "%d events read, %d skipped (--json lists them)\n", rep.Events, rep.SkippedTotal)
	}
	if status == 0 && disagree {
		return 1
	}
	return status
}

// readCAPI2 streams one log file through the grouping, calling each for
// every operation, and adds the file's counts to rep.
func readCAPI2(file string, each func(*capi2.Operation) error, rep *capi2.Report) error {
	var in io.Reader
	if file == "-" {
		in = os.Stdin
	} else {
		f, err := boundedio.Open(file) // a regular file: a FIFO would block
		if err != nil {
			return fmt.Errorf("%s: %w", file, errors.Unwrap(err))
		}
		defer f.Close()
		in = f
	}
	r, err := capi2.NewReader(in, file)
	if err != nil {
		return err
	}
	g := capi2.NewGrouper(r)
	defer func() {
		sk, n := r.Skipped()
		rep.Events += r.Events()
		rep.Skipped = append(rep.Skipped, sk...)
		rep.SkippedTotal += n
	}()
	for {
		op, err := g.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := each(op); err != nil {
			return err
		}
	}
}
