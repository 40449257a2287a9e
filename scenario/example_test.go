package scenario_test

import (
	"context"
	"fmt"

	"github.com/winchain/winchain/scenario"
)

// Run the embedded demo (3,000 clients, a swap and revert during a CRL
// outage) under the "up to 8 h, reboot does not clear it" negative-cache
// model and print the group summary.
func ExampleRun() {
	spec, err := scenario.Demo()
	if err != nil {
		panic(err)
	}
	rep, err := scenario.Run(context.Background(), spec, scenario.Options{NegativeCache: "seed-8h"})
	if err != nil {
		panic(err)
	}
	s := rep.Summary[0]
	fmt.Printf("%d of %d clients failed; all trusted again at %s; asserts passed: %v\n",
		s.EverFailed, s.Clients, s.AllTrustedAgainAt, rep.Passed())
	// Output:
	// 3000 of 3000 clients failed; all trusted again at T+11:10; asserts passed: true
}
