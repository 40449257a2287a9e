// Command outlook-swap is the seed story of winchain as a program: 3,000
// Outlook clients, a mail server certificate swapped and reverted within an
// hour while the issuing CA's CRL URL hangs, under two negative-cache models.
// It shows how long clients fail, how many connections hang, and what
// clears the failures (waiting, a reboot, a URL cache flush).
//
//	go run ./examples/outlook-swap [-html report]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/winchain/winchain/scenario"
)

func main() {
	html := flag.String("html", "", "write HTML reports to PREFIX-<model>.html")
	flag.Parse()
	if err := run(*html); err != nil {
		fmt.Fprintln(os.Stderr, "outlook-swap:", err)
		os.Exit(1)
	}
}

func run(htmlPrefix string) error {
	for _, model := range []string{"none", "seed-8h"} {
		spec, err := scenario.Demo()
		if err != nil {
			return err
		}
		rep, err := scenario.Run(context.Background(), spec, scenario.Options{NegativeCache: model})
		if err != nil {
			return err
		}
		s := rep.Summary[0]
		fmt.Printf("negative cache %-8s: %d of %d clients failed, %d hung connections, worst %d failing at %s, all trusted again at %s\n",
			model, s.EverFailed, s.Clients, s.HungConnections, s.MaxFailing, s.MaxFailingAt, s.AllTrustedAgainAt)
		for _, rc := range rep.Recoveries {
			if rc.After != "" {
				fmt.Printf("    %4d clients recovered at %s after %s\n", rc.Clients, rc.RecoveredAt, rc.After)
			}
		}
		if htmlPrefix != "" {
			f, err := os.Create(htmlPrefix + "-" + model + ".html")
			if err != nil {
				return err
			}
			if err := rep.WriteHTML(f); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}
