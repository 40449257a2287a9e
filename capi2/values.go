package capi2

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/winchain/winchain/chain"
)

// parseUint reads a decimal number; 0 when absent or malformed.
func parseUint(s string) uint64 {
	v, _ := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return v
}

func parseInt(s string, def int) int {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return v
}

// parseHex32 reads a DWORD as CAPI2 writes it: hex without 0x and without
// leading zeros ("1000040", "A0000000", "2EE7"); a 0x prefix is accepted.
func parseHex32(s string) (uint32, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, false
	}
	return uint32(v), true
}

// parseHexBytes reads a hex string such as a key identifier or serial
// number, ignoring spaces; nil when absent or malformed.
func parseHexBytes(s string) []byte {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == ':' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil
	}
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

// parseTime reads an xs:dateTime as CAPI2 writes it (UTC, up to 100 ns).
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Duration is an xs:duration of the log ("P14DT15H58M52S", "PT15S").
type Duration struct {
	D time.Duration
	// Set is false when the attribute was absent or unreadable.
	Set bool
}

// String prints the duration the way an admin reads it ("14d15h58m52s").
func (d Duration) String() string {
	if !d.Set {
		return ""
	}
	return formatDuration(d.D)
}

func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	if d > 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s")
	}
	return b.String()
}

// parseDuration reads an xs:duration: P[nW][nD][T[nH][nM][n[.f]S]]. Years
// and months have no fixed length and are refused; CAPI2 writes days.
func parseDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, false
	}
	s = s[1:]
	var total time.Duration
	inTime, timeUnits := false, 0
	num := ""
	for _, c := range s {
		switch {
		case c == 'T':
			if inTime || num != "" {
				return 0, false
			}
			inTime = true
		case (c >= '0' && c <= '9') || c == '.':
			num += string(c)
		default:
			if num == "" {
				return 0, false
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f > 1e7 {
				return 0, false
			}
			var unit time.Duration
			switch {
			case c == 'W' && !inTime:
				unit = 7 * 24 * time.Hour
			case c == 'D' && !inTime:
				unit = 24 * time.Hour
			case c == 'H' && inTime:
				unit = time.Hour
			case c == 'M' && inTime:
				unit = time.Minute
			case c == 'S' && inTime:
				unit = time.Second
			default:
				return 0, false
			}
			if inTime {
				timeUnits++
			}
			total += time.Duration(f * float64(unit))
			num = ""
		}
	}
	if num != "" || (inTime && timeUnits == 0) {
		return 0, false
	}
	if neg {
		total = -total
	}
	return total, true
}

func durationAttr(n *node, name string) Duration {
	if !n.hasAttr(name) {
		return Duration{}
	}
	d, ok := parseDuration(n.attr(name))
	return Duration{D: d, Set: ok}
}

func durationText(n *node) Duration {
	if n == nil || n.text == "" {
		return Duration{}
	}
	d, ok := parseDuration(n.text)
	return Duration{D: d, Set: ok}
}

// Code is a Result, RevocationResult or Error value of the log: an HRESULT
// (80092013), a Win32/WinHTTP error number (2EE7 = 12007), or 0 for
// success, with the localised text Windows wrote beside it.
type Code struct {
	Value uint32
	// Text is the message as logged, in the language of the machine.
	Text string
	// Set is false when the element was absent.
	Set bool
}

// OK reports whether the code is success (or absent).
func (c Code) OK() bool { return c.Value == 0 }

// Hex is the "0x%08X" form of the value.
func (c Code) Hex() string { return fmt.Sprintf("0x%08X", c.Value) }

// Name returns the Windows name of the code: the winerror.h name of an
// HRESULT, the ERROR_WINHTTP_* name of a WinHTTP error number, "" for 0,
// hex otherwise.
func (c Code) Name() string { return codeName(c.Value) }

// String prints "0x80092013 CRYPT_E_REVOCATION_OFFLINE" or "0x00000000".
func (c Code) String() string {
	if n := c.Name(); n != "" && !strings.HasPrefix(n, "0x") {
		return c.Hex() + " " + n
	}
	return c.Hex()
}

// winHTTPNames are the WinHTTP error numbers (winhttp.h ERROR_WINHTTP_*)
// that event 53 reports for a failed fetch (spec §7.3: 12002 timeout,
// 12007 name not resolved).
var winHTTPNames = map[uint32]string{
	12001: "ERROR_WINHTTP_OUT_OF_HANDLES",
	12002: "ERROR_WINHTTP_TIMEOUT",
	12004: "ERROR_WINHTTP_INTERNAL_ERROR",
	12005: "ERROR_WINHTTP_INVALID_URL",
	12006: "ERROR_WINHTTP_UNRECOGNIZED_SCHEME",
	12007: "ERROR_WINHTTP_NAME_NOT_RESOLVED",
	12009: "ERROR_WINHTTP_INVALID_OPTION",
	12017: "ERROR_WINHTTP_OPERATION_CANCELLED",
	12029: "ERROR_WINHTTP_CANNOT_CONNECT",
	12030: "ERROR_WINHTTP_CONNECTION_ERROR",
	12152: "ERROR_WINHTTP_INVALID_SERVER_RESPONSE",
	12175: "ERROR_WINHTTP_SECURE_FAILURE",
	12180: "ERROR_WINHTTP_AUTODETECTION_FAILED",
}

// win32Names are the Win32 errors that Cryptnet events carry.
var win32Names = map[uint32]string{
	2:    "ERROR_FILE_NOT_FOUND",
	5:    "ERROR_ACCESS_DENIED",
	87:   "ERROR_INVALID_PARAMETER",
	1460: "ERROR_TIMEOUT",
}

func codeName(v uint32) string {
	if v == 0 {
		return ""
	}
	if n, ok := winHTTPNames[v]; ok {
		return n
	}
	if n, ok := win32Names[v]; ok {
		return n
	}
	// HRESULT_FROM_WIN32 of a WinHTTP error (0x80072EE2).
	if v&0xFFFF0000 == 0x80070000 {
		if n, ok := winHTTPNames[v&0xFFFF]; ok {
			return n
		}
	}
	return chain.HRESULT(v).Name()
}

// WinHTTPTimeout is ERROR_WINHTTP_TIMEOUT (12002): no answer within the
// time the fetch was allowed.
const WinHTTPTimeout = 12002

func codeOf(n *node) Code {
	if n == nil {
		return Code{}
	}
	v, _ := parseHex32(n.attr("value"))
	return Code{Value: v, Text: n.text, Set: true}
}

// Flags is a Flags element: the DWORD and the names of the bits Windows
// wrote as attributes (CERT_CHAIN_REVOCATION_CHECK_CHAIN="true" …).
type Flags struct {
	Value uint32
	Names []string
}

// Hex is the "0x%08X" form.
func (f Flags) Hex() string { return fmt.Sprintf("0x%08X", f.Value) }

// Has reports whether the log named the flag.
func (f Flags) Has(name string) bool {
	for _, n := range f.Names {
		if n == name {
			return true
		}
	}
	return false
}

// String prints the hex and the names.
func (f Flags) String() string {
	if len(f.Names) == 0 {
		return f.Hex()
	}
	return f.Hex() + " " + strings.Join(f.Names, " | ")
}

func flagsOf(n *node) Flags {
	if n == nil {
		return Flags{}
	}
	v, _ := parseHex32(n.attr("value"))
	f := Flags{Value: v}
	for _, a := range n.attrs {
		if a.Name.Local != "value" && strings.EqualFold(a.Value, "true") {
			f.Names = append(f.Names, a.Name.Local)
		}
	}
	return f
}

// trustStatusOf reads <TrustStatus><ErrorStatus value=…/><InfoStatus value=…/>.
func trustStatusOf(n *node) chain.TrustStatus {
	var t chain.TrustStatus
	if n == nil {
		return t
	}
	if e, ok := parseHex32(n.child("ErrorStatus").attr("value")); ok {
		t.ErrorStatus = chain.ErrorStatus(e)
	}
	if i, ok := parseHex32(n.child("InfoStatus").attr("value")); ok {
		t.InfoStatus = chain.InfoStatus(i)
	}
	return t
}

func boolAttr(n *node, name string) bool {
	return strings.EqualFold(n.attr(name), "true")
}
