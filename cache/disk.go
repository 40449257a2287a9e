package cache

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/winchain/winchain/internal/boundedio"
)

// Disk folder layout (spec §4.2, §4.3).
const (
	// ContentDir holds the raw payloads.
	ContentDir = "Content"
	// MetaDataDir holds the §4.4 records.
	MetaDataDir = "MetaData"
	// MarkerFile marks a folder written by winchain. `winchain urlcache`
	// opens a folder without it (e.g. one copied from Windows) read-only
	// unless told otherwise. Windows ignores unknown files in the folder.
	MarkerFile = ".winchain"
	// OfflineDir holds disk-scoped offline-URL records (winchain only; no
	// Windows counterpart is known, spec §5).
	OfflineDir = "winchain-offline"
	// tempPrefix starts every temporary file; such files are never entries.
	tempPrefix = ".winchain-tmp-"
)

const markerContent = "winchain CryptnetUrlCache v1\n"

// Disk is a CryptnetUrlCache folder. It is safe for concurrent use by several
// goroutines and several processes: every file is replaced by an atomic
// rename, so a reader sees a whole old file or a whole new one, and writers
// hold the folder's [LockFile] while they replace an entry's pair of files.
type Disk struct {
	dir      string
	readOnly bool
	// maxContent bounds the Content file read for one entry; zero means
	// DefaultMaxURLRetrievalBytes. A Retriever sets its MaxURLRetrievalBytes:
	// no retrieval can store a bigger object, so a bigger file was not
	// written by one and is not read into memory.
	maxContent int64
}

// DiskEntry is one cache entry read from disk.
type DiskEntry struct {
	// Name is the file name (NAME or PREFIX_NAME).
	Name string
	// Meta is the MetaData record.
	Meta *MetaData
	// Body is the Content file.
	Body []byte
}

// Problem is an entry that could not be read; see [Disk.List].
type Problem struct {
	Name string
	Err  error
}

// OpenDisk opens dir. Unless readOnly it creates dir, Content and MetaData
// when missing and writes the [MarkerFile] into a folder that holds no
// entries yet (so a copied Windows folder is never marked as winchain's).
func OpenDisk(dir string, readOnly bool) (*Disk, error) {
	if dir == "" {
		return nil, errors.New("cache: empty disk cache directory")
	}
	d := &Disk{dir: dir, readOnly: readOnly}
	if readOnly {
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("cache: open %s: %w", dir, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("cache: open %s: not a directory", dir)
		}
		return d, nil
	}
	fresh := true
	if ents, err := os.ReadDir(filepath.Join(dir, MetaDataDir)); err == nil {
		for _, e := range ents {
			if IsEntryName(e.Name()) {
				fresh = false
				break
			}
		}
	}
	for _, sub := range []string{ContentDir, MetaDataDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("cache: create %s: %w", dir, err)
		}
	}
	if fresh && !IsWinchainDir(dir) {
		if err := writeAtomic(dir, MarkerFile, []byte(markerContent)); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// IsWinchainDir reports whether dir carries the winchain [MarkerFile].
func IsWinchainDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, MarkerFile))
	return err == nil
}

// Dir returns the folder.
func (d *Disk) Dir() string { return d.dir }

// ReadOnly reports whether the folder is never written.
func (d *Disk) ReadOnly() bool { return d.readOnly }

// errReadOnly is returned by writes to a read-only Disk.
var errReadOnly = errors.New("cache: disk cache is read-only")

// Get reads the entry for url: NAME = URLName(url), or else a PREFIX_NAME
// file whose record holds url. A miss returns (nil, nil); an unusable entry
// returns a *CorruptEntryError and is left in place.
func (d *Disk) Get(url string) (*DiskEntry, error) {
	name := URLName(url)
	e, err := d.ReadEntry(name)
	if e == nil && err == nil {
		// OCSP responses may be stored as PREFIX_NAME (spec §4.3).
		matches, _ := filepath.Glob(filepath.Join(d.dir, MetaDataDir, "*_"+name))
		sort.Strings(matches)
		for _, m := range matches {
			e, err = d.ReadEntry(filepath.Base(m))
			if e != nil || err != nil {
				break
			}
		}
	}
	if e != nil && e.Meta.URL != url {
		return nil, &CorruptEntryError{File: d.metaPath(e.Name), Offset: MetaDataHeaderSize,
			Detail: fmt.Sprintf("MetaData URL %q does not match the requested URL %q", e.Meta.URL, url)}
	}
	return e, err
}

// ReadEntry reads the entry stored under name. A missing MetaData file is a
// miss (nil, nil); a MetaData record that is corrupt, a missing Content file
// or one whose size differs from the record's ContentSize is a
// *CorruptEntryError.
//
// Readers take no lock. A writer in another process may replace the pair
// between the two reads; the journal covers a Put in progress, and a pair
// that disagrees on the size is read again (up to readAttempts times) before
// it is reported, since a Put that completed between the two reads leaves
// exactly that.
func (d *Disk) ReadEntry(name string) (*DiskEntry, error) {
	for attempt := 1; ; attempt++ {
		e, err := d.readEntryOnce(name)
		var ce *CorruptEntryError
		if attempt < readAttempts && errors.As(err, &ce) && ce.sizeMismatch {
			continue
		}
		return e, err
	}
}

// readAttempts bounds the re-reads of [Disk.ReadEntry] when Content and
// MetaData disagree on the size.
const readAttempts = 3

func (d *Disk) readEntryOnce(name string) (*DiskEntry, error) {
	md, err := d.readMetaData(name)
	if md == nil || err != nil {
		return nil, err
	}
	cp := filepath.Join(d.dir, ContentDir, name)
	body, err := d.readContent(cp)
	if err != nil {
		return nil, err
	}
	if pmd := d.pending(name, body); pmd != nil {
		// A Put was interrupted after it replaced Content: the pending
		// record describes exactly this body (same SHA-256), so the new
		// entry is complete; roll forward instead of reporting it corrupt.
		return &DiskEntry{Name: name, Meta: pmd, Body: body}, nil
	}
	if int64(len(body)) != int64(md.ContentSize) {
		off := int64(len(body))
		if off > int64(md.ContentSize) {
			off = int64(md.ContentSize)
		}
		return nil, &CorruptEntryError{File: cp, Offset: off, sizeMismatch: true,
			Detail: fmt.Sprintf("Content is %d bytes but MetaData ContentSize is %d", len(body), md.ContentSize)}
	}
	return &DiskEntry{Name: name, Meta: md, Body: body}, nil
}

// readMetaData reads and parses the MetaData record of name: (nil, nil)
// when there is none, a *CorruptEntryError when it cannot be used.
func (d *Disk) readMetaData(name string) (*MetaData, error) {
	mp := d.metaPath(name)
	raw, err := boundedio.ReadFile(mp, maxMetaDataFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var tl *boundedio.TooLargeError
	if errors.As(err, &tl) {
		return nil, &CorruptEntryError{File: mp, Offset: maxMetaDataFile,
			Detail: fmt.Sprintf("MetaData file is %d bytes; no record is over %d; not read", tl.Size, maxMetaDataFile)}
	}
	if err != nil {
		return nil, &CorruptEntryError{File: mp, Offset: -1, Detail: err.Error()}
	}
	return ParseMetaData(mp, raw)
}

// readContent reads a Content file, refusing one over the byte limit
// before reading it: the folder may come from anywhere.
func (d *Disk) readContent(cp string) ([]byte, error) {
	limit := d.maxContent
	if limit <= 0 {
		limit = DefaultMaxURLRetrievalBytes
	}
	body, err := boundedio.ReadFile(cp, limit)
	var tl *boundedio.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &CorruptEntryError{File: cp, Offset: -1, Detail: "Content file missing"}
	case errors.As(err, &tl):
		return nil, &CorruptEntryError{File: cp, Offset: limit,
			Detail: fmt.Sprintf("Content is %d bytes, over the %d-byte limit (MaxUrlRetrievalByteCount); not read", tl.Size, limit)}
	case err != nil:
		return nil, &CorruptEntryError{File: cp, Offset: -1, Detail: err.Error()}
	}
	return body, nil
}

// maxMetaDataFile bounds what is read of a MetaData file (or a pending
// journal record): the fixed header, two strings at their bound, and room
// for a trailer. A bigger file cannot be a record ParseMetaData accepts.
const maxMetaDataFile = MetaDataHeaderSize + 2*maxMetaDataString + 64<<10

// pendingSuffix names the journal record of a Put in progress:
// MetaData/NAME.winchain-pending holds the new MetaData record followed by
// the SHA-256 of the new Content. It is not an entry name, so listings and
// Windows ignore it.
const pendingSuffix = ".winchain-pending"

// pending returns the record of an interrupted Put whose new Content is
// body, or nil.
func (d *Disk) pending(name string, body []byte) *MetaData {
	pp := d.metaPath(name) + pendingSuffix
	raw, err := boundedio.ReadFile(pp, maxMetaDataFile+sha256.Size)
	if err != nil || len(raw) < sha256.Size {
		return nil
	}
	rec, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil
	}
	md, err := ParseMetaData(pp, rec)
	if err != nil || int64(md.ContentSize) != int64(len(body)) {
		return nil
	}
	return md
}

// Put stores body under name (URLName(md.URL) when name is empty) so that a
// crash at any point leaves either the old entry or the new one, never a
// corrupt one and never a miss where an entry was: a journal record with
// the new MetaData and the new Content's SHA-256 is written first, then
// Content, then MetaData (each through a temporary file, fsync and
// rename), then the journal is removed. A reader that finds Content and
// MetaData disagreeing uses the journal when it describes the Content.
//
// Writers in every process hold the folder's [LockFile] for the whole
// sequence, so two Puts of one entry never interleave their Content and
// MetaData renames (which would leave one writer's record with the other's
// Content). Where no lock is available, Put checks the pair it leaves and
// writes again, up to maxPutAttempts times: the last complete pair wins.
func (d *Disk) Put(name string, md *MetaData, body []byte) error {
	if name == "" {
		name = URLName(md.URL)
	}
	unlock, locked, err := d.lockEntry(name)
	if err != nil {
		return err
	}
	defer unlock()
	md.ContentSize = uint32(len(body))
	rec := md.Marshal()
	sum := sha256.Sum256(body)
	journal := append(append([]byte(nil), rec...), sum[:]...)
	for attempt := 0; ; attempt++ {
		if err := d.writePair(name, journal, body, rec); err != nil {
			return err
		}
		if locked {
			return nil
		}
		// Unlocked: another process may have replaced Content between our
		// two renames and lost the race for MetaData, and the pair would
		// then disagree on the size.
		fi, err := os.Stat(filepath.Join(d.dir, ContentDir, name))
		if err != nil || fi.Size() == int64(len(body)) || attempt == maxPutAttempts-1 {
			return nil
		}
	}
}

// lockEntry checks that name may be written and takes the folder's writer
// lock (see [LockFile]).
func (d *Disk) lockEntry(name string) (unlock func(), locked bool, err error) {
	if d.readOnly {
		return nil, false, errReadOnly
	}
	if !IsEntryName(name) {
		return nil, false, fmt.Errorf("cache: %q is not a cache file name", name)
	}
	return d.lock()
}

// writePair runs one journaled replacement of name's Content and MetaData.
func (d *Disk) writePair(name string, journal, body, rec []byte) error {
	if err := writeAtomic(filepath.Join(d.dir, MetaDataDir), name+pendingSuffix, journal); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(d.dir, ContentDir), name, body); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(d.dir, MetaDataDir), name, rec); err != nil {
		return err
	}
	// The pair is complete: the journal is no longer needed.
	_ = os.Remove(d.metaPath(name) + pendingSuffix)
	return nil
}

// maxPutAttempts bounds the rewrites of [Disk.Put] on a folder it cannot
// lock, when concurrent writers of one entry interleave.
const maxPutAttempts = 3

// Delete removes the entry name: MetaData first, so a crash never leaves a
// record pointing at missing content. Missing files are not an error.
func (d *Disk) Delete(name string) error {
	unlock, _, err := d.lockEntry(name)
	if err != nil {
		return err
	}
	defer unlock()
	return d.remove(name)
}

// deleteIfUnchanged removes the entry name if its MetaData record is still
// the one read as was (same URL, LastDownload and ContentSize). A Retriever
// uses it to flush an expired entry: another process may have stored a
// fresh copy since the entry was read, and that one must stay.
func (d *Disk) deleteIfUnchanged(name string, was *MetaData) error {
	unlock, _, err := d.lockEntry(name)
	if err != nil {
		return err
	}
	defer unlock()
	md, err := d.readMetaData(name)
	if md == nil || err != nil || md.URL != was.URL || !md.LastDownload.Equal(was.LastDownload) || md.ContentSize != was.ContentSize {
		return nil // gone, replaced, or no longer a record winchain reads: leave it
	}
	return d.remove(name)
}

// remove deletes name's files; the caller holds the lock.
func (d *Disk) remove(name string) error {
	for _, p := range []string{d.metaPath(name) + pendingSuffix, d.metaPath(name), filepath.Join(d.dir, ContentDir, name)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cache: delete %s: %w", name, err)
		}
	}
	return nil
}

// List reads every entry, in name order. Entries that cannot be read are
// returned as problems and never stop the listing. A missing MetaData folder
// is an empty cache; an unreadable folder is an error.
func (d *Disk) List() ([]*DiskEntry, []Problem, error) {
	ents, err := os.ReadDir(filepath.Join(d.dir, MetaDataDir))
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(d.dir); err != nil {
			return nil, nil, fmt.Errorf("cache: read %s: %w", d.dir, err)
		}
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cache: read %s: %w", d.dir, err)
	}
	var out []*DiskEntry
	var problems []Problem
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !IsEntryName(name) {
			continue
		}
		de, err := d.ReadEntry(name)
		switch {
		case err != nil:
			problems = append(problems, Problem{Name: name, Err: err})
		case de != nil:
			out = append(out, de)
		}
	}
	return out, problems, nil
}

func (d *Disk) metaPath(name string) string { return filepath.Join(d.dir, MetaDataDir, name) }

// writeAtomic replaces dir/name with data: temporary file in the same folder,
// fsync, rename, then fsync of the folder so the rename survives power loss.
func writeAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("cache: write %s: %w", filepath.Join(dir, name), err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cache: write %s: %w", filepath.Join(dir, name), err)
	}
	if df, err := os.Open(dir); err == nil {
		df.Sync() // best effort: not every platform can sync a directory
		df.Close()
	}
	return nil
}
