// Command compare verifies the embedded Contoso demo chain with winchain and
// prints the result in the layout of `certutil -verify -urlfetch`, for a
// side-by-side comparison with what Windows prints for the same files:
//
//	go run ./examples/compare > winchain.txt
//	certutil -verify -urlfetch mail-old.cer > windows.txt   (on Windows, with
//	        root.cer in Root and issuing.cer in CA)
//	winchain diff --certutil windows.txt --revocation none \
//	        --root root.pem --ca issuing.pem mail-old.pem
//
// The chain is judged at a fixed time with revocation checking off, so the
// output is the same on every run.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/certutil"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/scenario"
)

// at is the validation time and the machine clock.
var at = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
}

func load(name string) (*certs.Certificate, error) {
	data, err := scenario.DemoFile(name)
	if err != nil {
		return nil, err
	}
	cs, err := certs.ParseAll(data, name)
	if err != nil {
		return nil, err
	}
	return cs[0], nil
}

func run(w io.Writer) error {
	root, err := load("root.pem")
	if err != nil {
		return err
	}
	issuing, err := load("issuing.pem")
	if err != nil {
		return err
	}
	leaf, err := load("mail-old.pem")
	if err != nil {
		return err
	}
	c, err := client.New(client.Config{
		Clock: clock.Fixed(at),
		Root:  chain.NewStore("Root", root),
		CA:    chain.NewStore("CA", issuing),
	})
	if err != nil {
		return err
	}
	res, err := c.Verify(context.Background(), leaf, client.VerifyOptions{Params: chain.Params{Time: at}})
	if err != nil {
		return err
	}
	return certutil.RenderVerify(w, res.Chain, res.Policy, certutil.RenderOptions{})
}
