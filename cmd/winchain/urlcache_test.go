package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/netsim"
)

func runUC(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runURLCache(args, &out, &errb)
	return code, out.String(), errb.String()
}

// winchainFolder fills a winchain cache folder through the retrieval layer.
func winchainFolder(t *testing.T) (string, []string) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	n := netsim.New(clk)
	urls := []string{"http://pki.example.test/inter.crt", "http://pki.example.test/blob"}
	n.Serve(urls[0], []byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"))
	n.Handle(urls[1], netsim.Response{Body: []byte("MSCF cab"), ETag: `"e1"`})
	dir := t.TempDir()
	c, err := client.New(client.Config{Clock: clk, Network: n, CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		if _, err := c.Retriever().Retrieve(context.Background(), u, cache.KindAIA, cache.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	return dir, urls
}

// windowsFolder builds a folder the way Windows writes it (no winchain
// marker; records laid out by hand at the spec §4.4 offsets), with one
// truncated record.
func windowsFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range []string{"Content", "MetaData"} {
		os.MkdirAll(filepath.Join(dir, s), 0o755)
	}
	enc := func(s string) []byte {
		var b []byte
		for _, c := range utf16.Encode([]rune(s + "\x00")) {
			b = binary.LittleEndian.AppendUint16(b, c)
		}
		return b
	}
	url := "http://x1.c.lencr.org/"
	name := "103621DE9CD5414CC2538780B4B75751"
	body := []byte("MSCF....")
	u, e := enc(url), enc(`"6439ef9c-2cd"`)
	rec := make([]byte, 0x74)
	binary.LittleEndian.PutUint32(rec[0:], 0x70)
	binary.LittleEndian.PutUint32(rec[0x0C:], uint32(len(u)))
	binary.LittleEndian.PutUint64(rec[0x10:], 133260266260000000) // 2023-04-15T10:03:46Z
	binary.LittleEndian.PutUint32(rec[0x64:], uint32(len(e)))
	binary.LittleEndian.PutUint32(rec[0x70:], uint32(len(body)))
	rec = append(append(rec, u...), e...)
	os.WriteFile(filepath.Join(dir, "MetaData", name), rec, 0o644)
	os.WriteFile(filepath.Join(dir, "Content", name), body, 0o644)
	bad := "1E2DBD58769A756A24A9D033F9B07F3D"
	os.WriteFile(filepath.Join(dir, "MetaData", bad), rec[:52], 0o644)
	os.WriteFile(filepath.Join(dir, "Content", bad), []byte("x"), 0o644)
	return dir
}

func TestURLCache_ListText_LikeCertutil(t *testing.T) {
	dir, urls := winchainFolder(t)
	code, out, errs := runUC("--cache-dir", dir)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, u := range urls {
		if !strings.Contains(out, u+"\n\n") {
			t.Errorf("URL %s not listed as a line plus a blank line:\n%s", u, out)
		}
	}
	if !strings.Contains(out, "WinHttp Cache entries: 2\n") || !strings.HasSuffix(out, "winchain: -urlcache command completed successfully.\n") {
		t.Errorf("output:\n%s", out)
	}
}

func TestURLCache_JSON_WindowsFolder(t *testing.T) {
	dir := windowsFolder(t)
	code, out, _ := runUC("list", "--json", "--cache-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var got urlcacheOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 1 || len(got.Problems) != 1 {
		t.Fatalf("%s", out)
	}
	e := got.Entries[0]
	if e.URL != "http://x1.c.lencr.org/" || e.Name != "103621DE9CD5414CC2538780B4B75751" || e.Kind != "cab" || e.Size != 8 ||
		e.LastDownload != "2023-04-15T10:03:46Z" || e.ETag != `"6439ef9c-2cd"` || e.Expires != "" {
		t.Errorf("entry %+v", e)
	}
	if p := got.Problems[0]; p.Name != "1E2DBD58769A756A24A9D033F9B07F3D" || !strings.HasPrefix(p.Error, "MetaData record truncated at byte 52") {
		t.Errorf("problem %+v", p)
	}
}

func TestURLCache_Delete(t *testing.T) {
	t.Run("foreign folder is read-only without --write", func(t *testing.T) {
		dir := windowsFolder(t)
		code, _, errs := runUC("--cache-dir", dir, "delete", "*")
		if code != 2 || !strings.Contains(errs, dir) || !strings.Contains(errs, "--write") || strings.Count(errs, "\n") != 1 {
			t.Fatalf("exit %d stderr %q", code, errs)
		}
		if _, err := os.Stat(filepath.Join(dir, "MetaData", "103621DE9CD5414CC2538780B4B75751")); err != nil {
			t.Errorf("entry deleted: %v", err)
		}
		code, out, _ := runUC("--cache-dir", dir, "delete", "*", "--write")
		if code != 0 || !strings.Contains(out, "WinHttp Cache entries deleted: 1\n") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if ents, _ := os.ReadDir(filepath.Join(dir, "MetaData")); len(ents) != 0 {
			t.Errorf("left %d MetaData files", len(ents))
		}
	})
	t.Run("one URL from a winchain folder", func(t *testing.T) {
		dir, urls := winchainFolder(t)
		code, out, _ := runUC("--cache-dir", dir, "delete", urls[1], "--json")
		var got urlcacheOutput
		json.Unmarshal([]byte(out), &got)
		if code != 0 || got.Deleted == nil || *got.Deleted != 1 || got.Entries[0].URL != urls[1] {
			t.Fatalf("exit %d: %s", code, out)
		}
		_, out, _ = runUC("--cache-dir", dir, "--json")
		json.Unmarshal([]byte(out), &got)
		if len(got.Entries) != 1 || got.Entries[0].URL != urls[0] {
			t.Errorf("after delete: %s", out)
		}
	})
	t.Run("delete crl selects by content", func(t *testing.T) {
		dir, _ := winchainFolder(t)
		code, out, _ := runUC("--cache-dir", dir, "delete", "crl")
		if code != 0 || !strings.Contains(out, "WinHttp Cache entries deleted: 0\n") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
}

func TestURLCache_Exit2(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, args := range [][]string{
		{"--cache-dir", missing},
		{},
		{"--cache-dir", t.TempDir(), "frobnicate"},
		{"--cache-dir", t.TempDir(), "--bogus"},
	} {
		code, _, errs := runUC(args...)
		if code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d stderr %q", args, code, errs)
		}
	}
	if _, _, errs := runUC("--cache-dir", missing); !strings.Contains(errs, missing) {
		t.Errorf("stderr does not name the input: %q", errs)
	}
}
