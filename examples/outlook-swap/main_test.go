package main

import "testing"

// The example runs end to end (without HTML output).
func TestRun(t *testing.T) {
	if err := run(""); err != nil {
		t.Fatal(err)
	}
}
