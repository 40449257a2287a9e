package client

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/winchain/winchain/internal/wintext"
)

// RegValue is one value line of a `reg export` / regedit .reg file.
type RegValue struct {
	// Key is the [key] the value is under.
	Key string
	// Name is the value name ("" for the default value @).
	Name string
	// Type is "dword", "hex" (REG_BINARY), "hex(N)" (other types as
	// bytes), "string" (REG_SZ) or "delete" ("name"=-).
	Type string
	// DWORD is the data of a "dword" value.
	DWORD uint32
	// Binary is the data of a "hex" or "hex(N)" value.
	Binary []byte
	// String is the data of a "string" value.
	String string
	// Line is the 1-based line the value starts on.
	Line int
}

// ParseRegExport parses a .reg file as written by `reg export` or regedit:
// UTF-16LE with a BOM (regedit's default) or UTF-8/ASCII ("REGEDIT4"), with
// `\` line continuations in hex values. A file that a tool re-encoded to
// UTF-16BE, or whose BOM it stripped, reads the same (the encoding rules of
// internal/wintext); bytes that are not valid UTF-8 read as U+FFFD. file
// names the input in errors.
func ParseRegExport(file string, data []byte) ([]RegValue, error) {
	text := wintext.Decode(data)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []RegValue
	key := ""
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimSpace(lines[i])
		// Join continuation lines (hex values wrap at ~80 columns).
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, `\`) + strings.TrimSpace(lines[i])
		}
		if line == "" || strings.HasPrefix(line, ";") ||
			strings.HasPrefix(line, "Windows Registry Editor") || line == "REGEDIT4" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%s:%d: key line without closing ]", file, lineNo)
			}
			key = strings.TrimPrefix(line[1:len(line)-1], "-")
			continue
		}
		v, err := parseRegValueLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, lineNo, err)
		}
		if key == "" {
			return nil, fmt.Errorf("%s:%d: value %q before any [key]", file, lineNo, v.Name)
		}
		v.Key, v.Line = key, lineNo
		out = append(out, v)
	}
	return out, nil
}

// parseRegValueLine parses `"name"=value` or `@=value`.
func parseRegValueLine(line string) (RegValue, error) {
	var v RegValue
	var rest string
	switch {
	case strings.HasPrefix(line, "@="):
		rest = line[2:]
	case strings.HasPrefix(line, `"`):
		name, n, err := readRegString(line)
		if err != nil {
			return v, err
		}
		v.Name = name
		rest = line[n:]
		if !strings.HasPrefix(rest, "=") {
			return v, fmt.Errorf("value %q: missing '='", name)
		}
		rest = rest[1:]
	default:
		return v, fmt.Errorf("cannot parse line %q", truncate(line, 60))
	}
	switch {
	case rest == "-":
		v.Type = "delete"
	case strings.HasPrefix(rest, `"`):
		s, n, err := readRegString(rest)
		if err != nil {
			return v, fmt.Errorf("value %q: %w", v.Name, err)
		}
		if strings.TrimSpace(rest[n:]) != "" {
			return v, fmt.Errorf("value %q: text after the string", v.Name)
		}
		v.Type, v.String = "string", s
	case strings.HasPrefix(strings.ToLower(rest), "dword:"):
		d, err := strconv.ParseUint(strings.TrimSpace(rest[6:]), 16, 32)
		if err != nil {
			return v, fmt.Errorf("value %q: bad dword %q", v.Name, rest[6:])
		}
		v.Type, v.DWORD = "dword", uint32(d)
	case strings.HasPrefix(strings.ToLower(rest), "hex"):
		typ, data, ok := strings.Cut(rest, ":")
		if !ok {
			return v, fmt.Errorf("value %q: missing ':' after %s", v.Name, typ)
		}
		typ = strings.ToLower(typ)
		if typ != "hex" && !(strings.HasPrefix(typ, "hex(") && strings.HasSuffix(typ, ")")) {
			return v, fmt.Errorf("value %q: unknown type %q", v.Name, typ)
		}
		b, err := parseRegHex(data)
		if err != nil {
			return v, fmt.Errorf("value %q: %w", v.Name, err)
		}
		v.Type, v.Binary = typ, b
	default:
		return v, fmt.Errorf("value %q: unknown data %q", v.Name, truncate(rest, 40))
	}
	return v, nil
}

// readRegString reads a quoted string with \\ and \" escapes at the start of
// s and returns it and the number of bytes consumed.
func readRegString(s string) (string, int, error) {
	var sb strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("unterminated string")
			}
			i++
			sb.WriteByte(s[i])
		case '"':
			return sb.String(), i + 1, nil
		default:
			sb.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

func parseRegHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []byte{}, nil
	}
	parts := strings.Split(s, ",")
	out := make([]byte, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b, err := hex.DecodeString(p)
		if err != nil || len(b) != 1 {
			return nil, fmt.Errorf("bad hex byte %q", truncate(p, 10))
		}
		out = append(out, b[0])
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// isChainConfigKey reports whether key is one of the chain engine Config keys
// (with any hive spelling, e.g. HKLM or HKEY_LOCAL_MACHINE); policy reports
// whether it is the Group Policy one.
func isChainConfigKey(key string) (ok, policy bool) {
	k := strings.ToLower(key)
	switch {
	case strings.HasSuffix(k, `\policies\microsoft\systemcertificates\chainengine\config`):
		return true, true
	case strings.HasSuffix(k, `\certdllcreatecertificatechainengine\config`):
		return true, false
	}
	return false, false
}
