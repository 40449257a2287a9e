package scenario

import (
	"embed"
	"path"
)

//go:embed demo/*
var demoFS embed.FS

// DemoName is the file of the embedded demo scenario.
const DemoName = "demo/outlook-swap.yaml"

// Demo returns the embedded scenario of the seed story: 3,000 Outlook-like
// clients, a certificate swapped and reverted after an hour while the
// issuing CA's CRL URL hangs (see demo/outlook-swap.yaml). Its files are
// read from the binary, so it runs offline anywhere.
func Demo() (*Spec, error) {
	data, err := demoFS.ReadFile(DemoName)
	if err != nil {
		return nil, err
	}
	s, err := Parse(DemoName, data)
	if err != nil {
		return nil, err
	}
	s.files = func(name string) ([]byte, error) { return demoFS.ReadFile(path.Join("demo", name)) }
	return s, nil
}

// DemoFile returns one file of the embedded demo (for examples and tests).
func DemoFile(name string) ([]byte, error) { return demoFS.ReadFile(path.Join("demo", name)) }
