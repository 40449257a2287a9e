package main

import (
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// writeCAPI2Logs copies the CAPI2 logs of testdata/capi2 into dir/capi2 for
// the scripts, with two forms a script cannot hold as text: a UTF-16LE copy
// with a BOM (PowerShell Out-File) and a binary .evtx header.
func writeCAPI2Logs(dir string) error {
	src := filepath.Join("..", "..", "testdata", "capi2")
	dst := filepath.Join(dir, "capi2")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(src, "*.xml"))
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(filepath.Join(src, "stale-crl-cache-only.xml"))
	if err != nil {
		return err
	}
	// The stale-CRL log with the CRL fresh after all: winchain finds it
	// good where the log says offline (a disagreement for --replay).
	fresh := strings.ReplaceAll(string(data), "2026-11-08T06:00:00Z", "2026-12-08T06:00:00Z")
	if err := os.WriteFile(filepath.Join(dst, "fresh-but-offline.xml"), []byte(fresh), 0o644); err != nil {
		return err
	}
	u := append([]uint16{0xFEFF}, utf16.Encode([]rune(string(data)))...)
	le := make([]byte, 0, 2*len(u))
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
	}
	if err := os.WriteFile(filepath.Join(dst, "stale-utf16.xml"), le, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, "capi2.evtx"), append([]byte("ElfFile\x00"), make([]byte, 120)...), 0o644)
}
