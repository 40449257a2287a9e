package urlcache

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf16"
)

// URLName is the CryptnetUrlCache file name of url: the uppercase hex MD5 of
// the URL string in UTF-16LE, without terminating NUL, case as given (spec
// §4.3, checked against real entries).
func URLName(url string) string {
	sum := md5.Sum(utf16LE(url, false))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// IsEntryName reports whether name is a cache file name: 32 uppercase hex
// digits, optionally preceded by an OCSP group prefix and '_' (spec §4.3).
// Temporary files and the marker are not entry names.
func IsEntryName(name string) bool {
	if i := strings.LastIndexByte(name, '_'); i >= 0 {
		if i == 0 || !isNameChars(name[:i]) {
			return false
		}
		name = name[i+1:]
	}
	return len(name) == 32 && isNameChars(name)
}

func isNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return len(s) > 0
}

// filetimeEpochDelta is the number of 100 ns ticks between 1601-01-01 (the
// FILETIME epoch) and 1970-01-01.
const filetimeEpochDelta = 116444736000000000

// FiletimeToTime converts a Windows FILETIME (100 ns ticks since 1601-01-01
// UTC) to a time.Time; 0 gives the zero Time.
func FiletimeToTime(ft uint64) time.Time {
	if ft == 0 {
		return time.Time{}
	}
	if ft > math.MaxInt64 {
		// Beyond year 30828: not a real FILETIME; clamp rather than wrap.
		ft = math.MaxInt64
	}
	d := int64(ft) - filetimeEpochDelta
	return time.Unix(d/1e7, (d%1e7)*100).UTC()
}

// TimeToFiletime converts t to a FILETIME; the zero Time (and anything before
// 1601) gives 0.
func TimeToFiletime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	ticks := t.Unix()*1e7 + int64(t.Nanosecond())/100 + filetimeEpochDelta
	if ticks < 0 {
		return 0
	}
	return uint64(ticks)
}

// Offsets in the MetaData record (spec §4.4).
const (
	mdOffURLSize      = 0x0C
	mdOffLastDownload = 0x10
	mdOffUnknown18    = 0x18
	mdOffField58      = 0x58
	mdOffUnknown60    = 0x60
	mdOffETagSize     = 0x64
	mdOffUnknown68    = 0x68
	mdOffContentSize  = 0x70
	// MetaDataHeaderSize is the size of the fixed part of a MetaData record;
	// the UTF-16LE URL starts here (spec §4.4).
	MetaDataHeaderSize = 0x74

	// maxMetaDataString bounds UrlSize and ETagSize. WinHTTP URLs are far
	// shorter (INTERNET_MAX_URL_LENGTH is 2083 characters); 1 MiB rejects
	// garbage sizes without rejecting any plausible record.
	maxMetaDataString = 1 << 20
)

// metaDataHeaderMagic is the first DWORD of records seen on Windows (0x70;
// u0041 reads it as a header length, spec §4.4). winchain writes it so that
// forensic parsers that check it accept our files.
const metaDataHeaderMagic = 0x70

// MetaData is the record in DIR/MetaData/NAME (spec §4.4, little-endian).
// Fields whose meaning is unknown are kept as raw bytes so that a record read
// from Windows is written back unchanged; winchain writes zeros there.
type MetaData struct {
	// Header is the first 12 bytes (meaning unknown; Windows has 0x70 in the
	// first DWORD).
	Header [12]byte
	// LastDownload is the FILETIME at 0x10: the last wire download.
	LastDownload time.Time
	// Unknown18 is the 64 bytes at 0x18 (probably expire/flush times).
	Unknown18 [64]byte
	// Field58 is the 8 bytes at 0x58 that parsers call
	// LastModificationTimeHeader; not a timestamp (spec §4.4).
	Field58 [8]byte
	// Unknown60 is the DWORD at 0x60.
	Unknown60 [4]byte
	// Unknown68 is the 8 bytes at 0x68.
	Unknown68 [8]byte
	// ContentSize is the DWORD at 0x70: the size of the Content file.
	ContentSize uint32
	// URL is the URL (UTF-16LE, NUL-terminated on disk).
	URL string
	// ETag is the HTTP ETag, usually with its quotes; may be empty.
	ETag string
	// Trailer is whatever follows the ETag (nothing in known records).
	Trailer []byte

	// lastDownloadRaw keeps the exact FILETIME for a byte-exact round trip.
	lastDownloadRaw uint64
	// urlRaw and etagRaw keep the exact bytes read, for a byte-exact round
	// trip of records whose strings are not clean NUL-terminated UTF-16.
	urlRaw, etagRaw []byte
}

// ParseMetaData decodes a MetaData record. file names the record in errors.
// A record that is too short, or whose sizes point past its end, gives a
// *CorruptEntryError naming file and the byte offset.
func ParseMetaData(file string, b []byte) (*MetaData, error) {
	corrupt := func(off int, format string, args ...any) error {
		return &CorruptEntryError{File: file, Offset: int64(off), Detail: fmt.Sprintf(format, args...)}
	}
	if len(b) < MetaDataHeaderSize {
		return nil, corrupt(len(b), "MetaData record truncated at byte %d (the fixed header is %d bytes)", len(b), MetaDataHeaderSize)
	}
	m := &MetaData{}
	le := binary.LittleEndian
	copy(m.Header[:], b[:12])
	urlSize := le.Uint32(b[mdOffURLSize:])
	m.lastDownloadRaw = le.Uint64(b[mdOffLastDownload:])
	m.LastDownload = FiletimeToTime(m.lastDownloadRaw)
	copy(m.Unknown18[:], b[mdOffUnknown18:])
	copy(m.Field58[:], b[mdOffField58:])
	copy(m.Unknown60[:], b[mdOffUnknown60:])
	etagSize := le.Uint32(b[mdOffETagSize:])
	copy(m.Unknown68[:], b[mdOffUnknown68:])
	m.ContentSize = le.Uint32(b[mdOffContentSize:])
	if urlSize > maxMetaDataString {
		return nil, corrupt(mdOffURLSize, "MetaData UrlSize %d at byte %d is implausible", urlSize, mdOffURLSize)
	}
	if etagSize > maxMetaDataString {
		return nil, corrupt(mdOffETagSize, "MetaData ETagSize %d at byte %d is implausible", etagSize, mdOffETagSize)
	}
	end := MetaDataHeaderSize + int(urlSize)
	if end > len(b) {
		return nil, corrupt(len(b), "MetaData record truncated at byte %d (URL of %d bytes ends at byte %d)", len(b), urlSize, end)
	}
	m.urlRaw = bytes.Clone(b[MetaDataHeaderSize:end])
	m.URL = decodeUTF16LE(m.urlRaw)
	etagEnd := end + int(etagSize)
	if etagEnd > len(b) {
		return nil, corrupt(len(b), "MetaData record truncated at byte %d (ETag of %d bytes ends at byte %d)", len(b), etagSize, etagEnd)
	}
	m.etagRaw = bytes.Clone(b[end:etagEnd])
	m.ETag = decodeUTF16LE(m.etagRaw)
	if etagEnd < len(b) {
		m.Trailer = append([]byte(nil), b[etagEnd:]...)
	}
	return m, nil
}

// Marshal encodes the record. Known fields come from the struct; unknown
// regions are written as held (zeros for a new record). A record returned by
// ParseMetaData and not modified marshals to the bytes it was parsed from.
func (m *MetaData) Marshal() []byte {
	urlRaw := m.urlRaw
	if urlRaw == nil || decodeUTF16LE(urlRaw) != m.URL {
		urlRaw = utf16LE(m.URL, true)
	}
	etagRaw := m.etagRaw
	if etagRaw == nil || decodeUTF16LE(etagRaw) != m.ETag {
		etagRaw = nil
		if m.ETag != "" {
			etagRaw = utf16LE(m.ETag, true)
		}
	}
	ft := m.lastDownloadRaw
	if !FiletimeToTime(ft).Equal(m.LastDownload) {
		ft = TimeToFiletime(m.LastDownload)
	}
	b := make([]byte, MetaDataHeaderSize, MetaDataHeaderSize+len(urlRaw)+len(etagRaw)+len(m.Trailer))
	le := binary.LittleEndian
	copy(b, m.Header[:])
	le.PutUint32(b[mdOffURLSize:], uint32(len(urlRaw)))
	le.PutUint64(b[mdOffLastDownload:], ft)
	copy(b[mdOffUnknown18:], m.Unknown18[:])
	copy(b[mdOffField58:], m.Field58[:])
	copy(b[mdOffUnknown60:], m.Unknown60[:])
	le.PutUint32(b[mdOffETagSize:], uint32(len(etagRaw)))
	copy(b[mdOffUnknown68:], m.Unknown68[:])
	le.PutUint32(b[mdOffContentSize:], m.ContentSize)
	b = append(b, urlRaw...)
	b = append(b, etagRaw...)
	b = append(b, m.Trailer...)
	return b
}

// NewMetaData returns the record winchain writes for a download: the known
// fields filled in, the Windows header DWORD, zeros elsewhere.
func NewMetaData(url string, contentSize int, lastDownload time.Time, etag string) *MetaData {
	m := &MetaData{URL: url, ETag: etag, LastDownload: lastDownload, ContentSize: uint32(contentSize)}
	binary.LittleEndian.PutUint32(m.Header[:], metaDataHeaderMagic)
	return m
}

// utf16LE encodes s as UTF-16LE, with a 2-byte NUL terminator if nul.
func utf16LE(s string, nul bool) []byte {
	u := utf16.Encode([]rune(s))
	n := len(u)
	if nul {
		n++
	}
	b := make([]byte, 2*n)
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// decodeUTF16LE decodes UTF-16LE up to the first NUL (or the end). An odd
// trailing byte is ignored.
func decodeUTF16LE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}
