package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the winchain command in-process as the
// "winchain" program of the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"winchain": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI contract of spec/cli.md as golden scripts
// (testdata/script/*.txtar): flags, output, exit codes 0/1/2, and stderr
// naming the bad input.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// The demo PKI, shared by the scripts.
			for _, f := range []string{"root.pem", "inter.pem", "leaf.pem"} {
				data, err := os.ReadFile("../../testdata/demo/" + f)
				if err != nil {
					return err
				}
				if err := os.WriteFile(env.WorkDir+"/"+f, data, 0o644); err != nil {
					return err
				}
			}
			return nil
		},
	})
}
