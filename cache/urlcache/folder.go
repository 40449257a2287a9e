package urlcache

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/boundedio"
)

// Folder layout (spec §4.2, §4.3).
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
	// Windows counterpart is known, spec §5); see [OfflineRecord].
	OfflineDir = "winchain-offline"
	// tempPrefix starts every temporary file of a [DirFS]; such files are
	// never entries.
	tempPrefix = ".winchain-tmp-"
)

const markerContent = "winchain CryptnetUrlCache v1\n"

// MaxContentSize is the largest Content file a MetaData record can describe:
// ContentSize is a DWORD (spec §4.4). It is the read bound of a [Folder]
// whose reader gives none.
const MaxContentSize int64 = math.MaxUint32

// Folder is a CryptnetUrlCache folder. It is safe for concurrent use by
// several goroutines and, on a [DirFS], by several processes: every file is
// replaced atomically, so a reader sees a whole old file or a whole new one,
// and writers hold the folder's lock ([LockFile]) while they replace an
// entry's pair of files.
type Folder struct {
	fsys FS
	// dir is the operating-system directory of a folder opened with Open,
	// and "" for one opened with OpenFS on another FS.
	dir      string
	readOnly bool
	// maxContent bounds the Content file read for one entry.
	maxContent int64
	// fileClock is what file modification times are compared with.
	fileClock clock.Clock

	mu sync.Mutex
	// lastSweep is when this Folder last removed stale temporary files.
	lastSweep time.Time
}

// Options configures [Open] and [OpenFS]. The zero value opens a folder for
// writing, reading Content files of up to [MaxContentSize] bytes.
type Options struct {
	// ReadOnly opens the folder without ever writing to it (a folder copied
	// from Windows for inspection).
	ReadOnly bool
	// MaxContent bounds the Content file read for one entry; zero means
	// [MaxContentSize]. A Retriever sets its MaxUrlRetrievalByteCount: no
	// retrieval can store a bigger object, so a bigger file was not written
	// by one and is not read into memory.
	MaxContent int64
	// FileClock is the clock the modification times of the folder's files
	// are compared with, to remove temporary files left by killed writers
	// once they are older than [TempFileGrace]. File times come from the
	// operating system's clock, not a simulated one, so nil means
	// clock.System().
	FileClock clock.Clock
}

// TempFileGrace is how old a temporary file (.winchain-tmp-*) must be
// before a writer of the folder removes it as the leftover of a killed
// writer. A live writer's temporary file exists for one write and fsync —
// seconds even for a 100 MiB object on a slow disk — and no writer holding
// the folder's lock can have one in progress anyway; the margin covers
// folders written without a lock (some network file systems) and clocks
// that disagree. winchain's choice: nothing known about Windows applies
// (Windows' own temporary files are not winchain's).
const TempFileGrace = time.Hour

// Entry is one cache entry read from a folder.
type Entry struct {
	// Name is the file name (NAME or PREFIX_NAME).
	Name string
	// Meta is the MetaData record.
	Meta *MetaData
	// Body is the Content file.
	Body []byte
}

// Problem is an entry that could not be read; see [Folder.List].
type Problem struct {
	Name string
	Err  error
}

// Open opens the operating-system directory dir as a folder ([DirFS]).
// Unless opts.ReadOnly it creates dir, Content and MetaData when missing and
// writes the [MarkerFile] into a folder that holds no entries yet (so a
// copied Windows folder is never marked as winchain's).
func Open(dir string, opts Options) (*Folder, error) {
	if dir == "" {
		return nil, errors.New("cache: empty disk cache directory")
	}
	if opts.ReadOnly {
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("cache: open %s: %w", dir, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("cache: open %s: not a directory", dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		// The folder itself is the caller's path (a link to it is theirs
		// to make); what is inside it is resolved inside it (DirFS).
		return nil, fmt.Errorf("cache: create %s: %w", dir, err)
	}
	return openFS(DirFS(dir), dir, opts)
}

// OpenFS opens the folder held by fsys, as [Open] does for a directory.
func OpenFS(fsys FS, opts Options) (*Folder, error) { return openFS(fsys, "", opts) }

func openFS(fsys FS, dir string, opts Options) (*Folder, error) {
	f := &Folder{fsys: fsys, dir: dir, readOnly: opts.ReadOnly, maxContent: opts.MaxContent, fileClock: opts.FileClock}
	if f.maxContent <= 0 {
		f.maxContent = MaxContentSize
	}
	if f.fileClock == nil {
		f.fileClock = clock.System()
	}
	if opts.ReadOnly {
		return f, nil
	}
	fresh := true
	if ents, err := fsys.ReadDir(MetaDataDir); err == nil {
		for _, e := range ents {
			if IsEntryName(e.Name()) {
				fresh = false
				break
			}
		}
	}
	for _, sub := range []string{ContentDir, MetaDataDir} {
		if err := fsys.MkdirAll(sub); err != nil {
			return nil, f.fsErr("create", sub, err)
		}
	}
	if fresh && !f.IsWinchain() {
		if err := f.write(MarkerFile, []byte(markerContent)); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// IsWinchainDir reports whether the directory dir carries the winchain
// [MarkerFile].
func IsWinchainDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, MarkerFile))
	return err == nil
}

// IsWinchain reports whether the folder carries the winchain [MarkerFile].
func (f *Folder) IsWinchain() bool {
	_, err := f.fsys.ReadFile(MarkerFile, int64(len(markerContent)))
	var tl *boundedio.TooLargeError
	return err == nil || errors.As(err, &tl)
}

// Dir returns the operating-system directory of a folder opened with
// [Open], and "" for one opened with [OpenFS].
func (f *Folder) Dir() string { return f.dir }

// FS returns where the folder's files are.
func (f *Folder) FS() FS { return f.fsys }

// ReadOnly reports whether the folder is never written.
func (f *Folder) ReadOnly() bool { return f.readOnly }

// errReadOnly is returned by writes to a read-only Folder.
var errReadOnly = errors.New("cache: disk cache is read-only")

// display is how errors name the file name of the folder: its
// operating-system path, or the name within the FS.
func (f *Folder) display(name string) string {
	if f.dir == "" {
		return name
	}
	return filepath.Join(f.dir, filepath.FromSlash(name))
}

func metaName(name string) string    { return path.Join(MetaDataDir, name) }
func contentName(name string) string { return path.Join(ContentDir, name) }

// Get reads the entry for url: NAME = URLName(url), or else a PREFIX_NAME
// file whose record holds url. A miss returns (nil, nil); an unusable entry
// returns a *CorruptEntryError and is left in place.
func (f *Folder) Get(url string) (*Entry, error) { return f.GetBounded(url, 0) }

// GetBounded is [Folder.Get] reading a Content file of at most maxContent
// bytes (zero: the folder's Options.MaxContent), the limit of the kind of
// object asked for: a retrieval of an AIA issuer reads no cached copy over
// MaxAIAUrlRetrievalByteCount. A bigger file is reported, unread.
func (f *Folder) GetBounded(url string, maxContent int64) (*Entry, error) {
	name := URLName(url)
	e, err := f.readEntry(name, maxContent)
	if e == nil && err == nil {
		// OCSP responses may be stored as PREFIX_NAME (spec §4.3).
		var matches []string
		if ents, derr := f.fsys.ReadDir(MetaDataDir); derr == nil {
			for _, de := range ents {
				if strings.HasSuffix(de.Name(), "_"+name) {
					matches = append(matches, de.Name())
				}
			}
		}
		sort.Strings(matches)
		for _, m := range matches {
			e, err = f.readEntry(m, maxContent)
			if e != nil || err != nil {
				break
			}
		}
	}
	if e != nil && e.Meta.URL != url {
		return nil, &CorruptEntryError{File: f.display(metaName(e.Name)), Offset: MetaDataHeaderSize,
			Detail: fmt.Sprintf("MetaData URL %q does not match the requested URL %q", e.Meta.URL, url)}
	}
	return e, err
}

// ReadEntry reads the entry stored under name. A missing MetaData file is a
// miss (nil, nil); a MetaData record that is corrupt, a missing Content file
// or one whose size differs from the record's ContentSize is a
// *CorruptEntryError.
//
// Readers take no lock, so a writer may replace the pair while it is read.
// A read checks what it read: the MetaData is read again after the Content
// and must not have changed (else a whole Put may have happened between the
// two reads, pairing the old record with new Content of the same size), and
// the journal of an interrupted Put is used when it describes exactly the
// Content read. An entry that changes under the reader is read again, up to
// readAttempts times, before it is reported.
func (f *Folder) ReadEntry(name string) (*Entry, error) { return f.readEntry(name, 0) }

// readEntry is ReadEntry with a Content limit (zero: f.maxContent).
func (f *Folder) readEntry(name string, maxContent int64) (*Entry, error) {
	if maxContent <= 0 {
		maxContent = f.maxContent
	}
	for attempt := 1; ; attempt++ {
		e, err := f.readEntryOnce(name, maxContent)
		var ce *CorruptEntryError
		if attempt < readAttempts && errors.As(err, &ce) && ce.transient {
			continue
		}
		return e, err
	}
}

// readAttempts bounds the reads of [Folder.ReadEntry] of an entry that
// changes while it is read (a writer in another process).
const readAttempts = 5

func (f *Folder) readEntryOnce(name string, maxContent int64) (*Entry, error) {
	raw, md, err := f.readMetaData(name)
	if md == nil || err != nil {
		return nil, err
	}
	body, cerr := f.readContent(name, maxContent)
	if cerr == nil {
		if pmd := f.pending(name, body); pmd != nil {
			// A Put was interrupted after it replaced Content: the pending
			// record describes exactly this body (same SHA-256), so the
			// new entry is complete; roll forward instead of reporting it
			// corrupt.
			return &Entry{Name: name, Meta: pmd, Body: body}, nil
		}
	}
	again, _, err := f.readMetaData(name)
	if err != nil || !bytes.Equal(again, raw) {
		// Replaced (or deleted) while it was read: what was read may be
		// one write's record with another's Content.
		if again == nil && err == nil {
			return nil, nil // deleted: a miss
		}
		return nil, &CorruptEntryError{File: f.display(metaName(name)), Offset: -1, transient: true,
			Detail: "MetaData changed while the entry was read (another writer); read again"}
	}
	if cerr != nil {
		return nil, cerr
	}
	if int64(len(body)) != int64(md.ContentSize) {
		off := int64(len(body))
		if off > int64(md.ContentSize) {
			off = int64(md.ContentSize)
		}
		// Transient on a folder written without a lock, where a writer
		// may lose the race for the MetaData rename (see Put).
		return nil, &CorruptEntryError{File: f.display(contentName(name)), Offset: off, transient: true,
			Detail: fmt.Sprintf("Content is %d bytes but MetaData ContentSize is %d", len(body), md.ContentSize)}
	}
	return &Entry{Name: name, Meta: md, Body: body}, nil
}

// readMetaData reads and parses the MetaData record of name, returning its
// bytes too: (nil, nil, nil) when there is none, a *CorruptEntryError when
// it cannot be used.
func (f *Folder) readMetaData(name string) ([]byte, *MetaData, error) {
	mp := f.display(metaName(name))
	raw, err := f.fsys.ReadFile(metaName(name), maxMetaDataFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	var tl *boundedio.TooLargeError
	if errors.As(err, &tl) {
		return nil, nil, &CorruptEntryError{File: mp, Offset: maxMetaDataFile,
			Detail: fmt.Sprintf("MetaData file is %d bytes; no record is over %d; not read", tl.Size, maxMetaDataFile)}
	}
	if err != nil {
		return nil, nil, &CorruptEntryError{File: mp, Offset: -1, Detail: causeText(err), Err: err}
	}
	md, err := ParseMetaData(mp, raw)
	if err != nil {
		return raw, nil, err
	}
	return raw, md, nil
}

// readContent reads the Content file of name, refusing one over the byte
// limit before reading it: the folder may come from anywhere.
func (f *Folder) readContent(name string, limit int64) ([]byte, error) {
	cp := f.display(contentName(name))
	body, err := f.fsys.ReadFile(contentName(name), limit)
	var tl *boundedio.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &CorruptEntryError{File: cp, Offset: -1, Detail: "Content file missing"}
	case errors.As(err, &tl):
		return nil, &CorruptEntryError{File: cp, Offset: limit,
			Detail: fmt.Sprintf("Content is %d bytes, over the %d-byte limit of the retrieval (MaxUrlRetrievalByteCount, or MaxAIAUrlRetrievalByteCount for AIA); not read", tl.Size, limit)}
	case err != nil:
		return nil, &CorruptEntryError{File: cp, Offset: -1, Detail: causeText(err), Err: err}
	}
	return body, nil
}

// causeText is what went wrong reading a file, without the path that the
// *CorruptEntryError names already ("a named pipe (FIFO), not a regular
// file" rather than "read PATH: a named pipe ...").
func causeText(err error) string {
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return err.Error()
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
func (f *Folder) pending(name string, body []byte) *MetaData {
	pn := metaName(name) + pendingSuffix
	raw, err := f.fsys.ReadFile(pn, maxMetaDataFile+sha256.Size)
	if err != nil || len(raw) < sha256.Size {
		return nil
	}
	rec, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil
	}
	md, err := ParseMetaData(f.display(pn), rec)
	if err != nil || int64(md.ContentSize) != int64(len(body)) {
		return nil
	}
	return md
}

// Put stores body under name (URLName(md.URL) when name is empty) so that a
// crash at any point leaves either the old entry or the new one, never a
// corrupt one and never a miss where an entry was: a journal record with
// the new MetaData and the new Content's SHA-256 is written first, then
// Content, then MetaData (each replaced atomically; on a [DirFS] through a
// temporary file, fsync and rename), then the journal is removed. A reader
// that finds Content and MetaData disagreeing uses the journal when it
// describes the Content. A journal left by a writer that crashed is
// finished (or dropped, when its Content never landed) by the next writer
// of the entry before it writes its own, so a second crash cannot lose it.
//
// Writers in every process hold the folder's lock ([LockFile]) for the
// whole sequence, so two Puts of one entry never interleave their Content
// and MetaData renames (which would leave one writer's record with the
// other's Content). Where no lock is available, Put checks the pair it
// leaves and writes again, up to maxPutAttempts times: the last complete
// pair wins.
func (f *Folder) Put(name string, md *MetaData, body []byte) error {
	if name == "" {
		name = URLName(md.URL)
	}
	unlock, locked, err := f.lockEntry(name)
	if err != nil {
		return err
	}
	defer unlock()
	md.ContentSize = uint32(len(body))
	rec := md.Marshal()
	sum := sha256.Sum256(body)
	journal := append(append([]byte(nil), rec...), sum[:]...)
	for attempt := 0; ; attempt++ {
		if err := f.writePair(name, journal, body, rec); err != nil {
			return err
		}
		if locked {
			return nil
		}
		// Unlocked: another process may have replaced Content between our
		// two renames and lost the race for MetaData, and the pair would
		// then disagree on the size.
		got, err := f.fsys.ReadFile(contentName(name), int64(len(body)))
		if err != nil || len(got) == len(body) || attempt == maxPutAttempts-1 {
			return nil
		}
	}
}

// lockEntry checks that name may be written and takes the folder's writer
// lock (see [LockFile]).
func (f *Folder) lockEntry(name string) (unlock func(), locked bool, err error) {
	if f.readOnly {
		return nil, false, errReadOnly
	}
	if !IsEntryName(name) {
		return nil, false, fmt.Errorf("cache: %q is not a cache file name", name)
	}
	unlock, locked, err = f.lock()
	if err != nil {
		return nil, false, err
	}
	if err := f.finishInterrupted(name); err != nil {
		unlock()
		return nil, false, err
	}
	f.sweepTemp()
	return unlock, locked, nil
}

// sweepTemp removes the temporary files older than [TempFileGrace] that
// killed writers left in the folder (its root, Content, MetaData and
// OfflineDir), at the first write of this Folder and then at most once per
// TempFileGrace. It is best effort: a file it cannot remove stays, and
// temporary files are never read as entries anyway.
func (f *Folder) sweepTemp() {
	now := f.fileClock.Now()
	f.mu.Lock()
	due := f.lastSweep.IsZero() || now.Sub(f.lastSweep) >= TempFileGrace || now.Before(f.lastSweep)
	if due {
		f.lastSweep = now
	}
	f.mu.Unlock()
	if !due {
		return
	}
	for _, dir := range []string{".", ContentDir, MetaDataDir, OfflineDir} {
		ents, err := f.fsys.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
				continue
			}
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) >= TempFileGrace {
				f.fsys.Remove(path.Join(dir, e.Name()))
			}
		}
	}
}

// finishInterrupted completes a Put of name that a crash interrupted, so
// that the next writer never overwrites the journal of the last one (a
// second crash would then leave the first crash's Content under the old
// MetaData): when the journal describes the Content in the folder, its
// record becomes the MetaData; then the journal goes. When it does not
// (the crash came before the Content rename), the old pair is whole and
// the journal is dropped. Writers run it under the lock.
func (f *Folder) finishInterrupted(name string) error {
	jn := metaName(name) + pendingSuffix
	if _, err := f.fsys.ReadFile(jn, maxMetaDataFile+sha256.Size); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if body, err := f.fsys.ReadFile(contentName(name), f.maxContent); err == nil {
		if md := f.pending(name, body); md != nil {
			if err := f.write(metaName(name), md.Marshal()); err != nil {
				return err
			}
		}
	}
	if err := f.fsys.Remove(jn); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return f.fsErr("delete", jn, err)
	}
	return nil
}

// lock takes the folder's writer lock, blocking until it is free. locked is
// false where the FS or the platform has no such lock (then Put falls back
// to writing and checking, see [Folder.Put]).
func (f *Folder) lock() (unlock func(), locked bool, err error) {
	if l, ok := f.fsys.(Locker); ok {
		return l.Lock()
	}
	return func() {}, false, nil
}

// writePair runs one journaled replacement of name's Content and MetaData.
func (f *Folder) writePair(name string, journal, body, rec []byte) error {
	if err := f.write(metaName(name)+pendingSuffix, journal); err != nil {
		return err
	}
	if err := f.write(contentName(name), body); err != nil {
		return err
	}
	if err := f.write(metaName(name), rec); err != nil {
		return err
	}
	// The pair is complete: the journal is no longer needed.
	_ = f.fsys.Remove(metaName(name) + pendingSuffix)
	return nil
}

// write replaces name with data, naming the file in a failure.
func (f *Folder) write(name string, data []byte) error {
	if err := f.fsys.WriteFile(name, data); err != nil {
		return f.fsErr("write", name, err)
	}
	return nil
}

// fsErr is err, of op on name, naming the file: a DirFS error names its
// path (or the symbolic link that stopped it) already.
func (f *Folder) fsErr(op, name string, err error) error {
	if _, ok := f.fsys.(DirFS); ok {
		return err
	}
	return fmt.Errorf("cache: %s %s: %w", op, name, err)
}

// maxPutAttempts bounds the rewrites of [Folder.Put] on a folder it cannot
// lock, when concurrent writers of one entry interleave.
const maxPutAttempts = 3

// Delete removes the entry name: MetaData first, so a crash never leaves a
// record pointing at missing content. Missing files are not an error.
func (f *Folder) Delete(name string) error {
	unlock, _, err := f.lockEntry(name)
	if err != nil {
		return err
	}
	defer unlock()
	return f.remove(name)
}

// DeleteIfUnchanged removes the entry name if its MetaData record is still
// the one read as was (same URL, LastDownload and ContentSize). A Retriever
// uses it to flush an expired entry: another process may have stored a
// fresh copy since the entry was read, and that one must stay.
func (f *Folder) DeleteIfUnchanged(name string, was *MetaData) error {
	unlock, _, err := f.lockEntry(name)
	if err != nil {
		return err
	}
	defer unlock()
	_, md, err := f.readMetaData(name)
	if md == nil || err != nil || md.URL != was.URL || !md.LastDownload.Equal(was.LastDownload) || md.ContentSize != was.ContentSize {
		return nil // gone, replaced, or no longer a record winchain reads: leave it
	}
	return f.remove(name)
}

// remove deletes name's files; the caller holds the lock.
func (f *Folder) remove(name string) error {
	for _, p := range []string{metaName(name) + pendingSuffix, metaName(name), contentName(name)} {
		if err := f.fsys.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return f.fsErr("delete", p, err)
		}
	}
	return nil
}

// List reads every entry, in name order. Entries that cannot be read are
// returned as problems and never stop the listing. A missing MetaData folder
// is an empty cache; an unreadable folder is an error.
func (f *Folder) List() ([]*Entry, []Problem, error) {
	ents, err := f.fsys.ReadDir(MetaDataDir)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := f.fsys.ReadDir("."); err != nil {
			return nil, nil, fmt.Errorf("cache: read %s: %w", f.display("."), err)
		}
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cache: read %s: %w", f.display("."), err)
	}
	var out []*Entry
	var problems []Problem
	for _, e := range ents {
		if e.IsDir() || !IsEntryName(e.Name()) {
			continue
		}
		de, err := f.ReadEntry(e.Name())
		switch {
		case err != nil:
			problems = append(problems, Problem{Name: e.Name(), Err: err})
		case de != nil:
			out = append(out, de)
		}
	}
	return out, problems, nil
}
