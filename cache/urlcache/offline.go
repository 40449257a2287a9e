package urlcache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"
)

// OfflineRecord is the negative-cache record of one URL (the offline-URL
// back-off of CRYPT_OFFLINE_CHECK_RETRIEVAL, spec §5). A folder keeps the
// disk-scoped ones as OfflineDir/NAME, NAME being the URL's entry name, each
// holding the record as JSON (winchain only; no Windows counterpart is
// known).
type OfflineRecord struct {
	URL string `json:"url"`
	// Failures is the number of consecutive wire failures.
	Failures int `json:"failures"`
	// LastFailure is when the last one happened (machine clock).
	LastFailure time.Time `json:"lastFailure"`
	// RetryAfter is when the wire will be tried again.
	RetryAfter time.Time `json:"retryAfter"`
}

// MaxOfflineFailures bounds the failure count a record may carry. The count
// only feeds the back-off delay, which reaches any cap long before; the
// bound keeps a crafted record's count from wrapping when it is incremented.
const MaxOfflineFailures = 1 << 20

// maxOfflineRecordFile bounds what is read of an offline-URL record file: a
// URL (INTERNET_MAX_URL_LENGTH is 2083 characters; at most 6 bytes each once
// JSON-escaped) and three small fields fit in a fraction of it. A bigger file
// is not a record winchain wrote and is ignored unread.
const maxOfflineRecordFile = 64 << 10

func offlineName(url string) string { return path.Join(OfflineDir, URLName(url)) }

// OfflineRecord returns the disk-scoped offline-URL record of url. The folder
// is shared by processes and may be copied from another machine, so the file
// is untrusted: a record that does not parse, names another URL, carries no
// failure or more than [MaxOfflineFailures], or retries before its failure
// is ignored (ok is false: the URL is not blocked), never an error that
// would stop a retrieval. err is a failure to read the file.
func (f *Folder) OfflineRecord(url string) (rec OfflineRecord, ok bool, err error) {
	b, err := f.fsys.ReadFile(offlineName(url), maxOfflineRecordFile)
	if errors.Is(err, fs.ErrNotExist) {
		return OfflineRecord{}, false, nil
	}
	if err != nil {
		return OfflineRecord{}, false, err
	}
	rec, ok = decodeOfflineRecord(url, b)
	return rec, ok, nil
}

// decodeOfflineRecord reads the JSON record of url; see [Folder.OfflineRecord].
func decodeOfflineRecord(url string, b []byte) (OfflineRecord, bool) {
	var r OfflineRecord
	if err := json.Unmarshal(b, &r); err != nil || r.URL != url ||
		r.Failures < 1 || r.Failures > MaxOfflineFailures ||
		r.LastFailure.IsZero() || r.RetryAfter.Before(r.LastFailure) {
		return OfflineRecord{}, false
	}
	return r, true
}

// PutOfflineRecord stores r, replacing the record of its URL atomically.
func (f *Folder) PutOfflineRecord(r OfflineRecord) error {
	if f.readOnly {
		return errReadOnly
	}
	if err := f.fsys.MkdirAll(OfflineDir); err != nil {
		return err
	}
	f.sweepTemp()
	b, _ := json.Marshal(r)
	return f.write(offlineName(r.URL), b)
}

// DeleteOfflineRecord removes the record of url; none is not an error.
func (f *Folder) DeleteOfflineRecord(url string) error {
	if f.readOnly {
		return errReadOnly
	}
	err := f.fsys.Remove(offlineName(url))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// DeleteOfflineRecords removes every offline-URL record of the folder (what
// `certutil -urlcache * delete` does to winchain's disk-scoped records).
func (f *Folder) DeleteOfflineRecords() error {
	if f.readOnly {
		return errReadOnly
	}
	ents, err := f.fsys.ReadDir(OfflineDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := f.fsys.Remove(path.Join(OfflineDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// OfflineRecords lists the folder's disk-scoped offline-URL records, sorted
// by URL (`winchain urlcache list` shows them). A file that is not a record
// winchain would honour (see [Folder.OfflineRecord]: bad JSON, a URL whose
// entry name is not the file's, no failure) is skipped, as a retrieval
// would ignore it.
func (f *Folder) OfflineRecords() ([]OfflineRecord, error) {
	ents, err := f.fsys.ReadDir(OfflineDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache: read %s: %w", f.display(OfflineDir), err)
	}
	var out []OfflineRecord
	for _, e := range ents {
		if e.IsDir() || !IsEntryName(e.Name()) {
			continue
		}
		b, err := f.fsys.ReadFile(path.Join(OfflineDir, e.Name()), maxOfflineRecordFile)
		if err != nil {
			continue // gone since the listing, or over the bound: not a record
		}
		var probe struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(b, &probe) != nil || URLName(probe.URL) != e.Name() {
			continue
		}
		if r, ok := decodeOfflineRecord(probe.URL, b); ok {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}
