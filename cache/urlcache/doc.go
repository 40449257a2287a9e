// Package urlcache is the CryptnetUrlCache folder format: the layout Windows
// keeps under %USERPROFILE%\AppData\LocalLow\Microsoft\CryptnetUrlCache (and
// the LocalService / NetworkService profiles), read and written the way
// winchain's cache layer needs it (spec §4.2–§4.4).
//
// # Layout
//
// DIR/Content/NAME holds the raw payload and DIR/MetaData/NAME the record of
// spec §4.4 ([MetaData]); NAME is [URLName]: the uppercase hex MD5 of the URL
// in UTF-16LE without terminator. OCSP entries written by Windows may be
// named PREFIX_NAME; they are read, and matched by their URL. winchain adds
// files Windows ignores: the [MarkerFile] of folders it created, the
// writers' [LockFile], the journal of a Put in progress
// (MetaData/NAME.winchain-pending), temporary files (.winchain-tmp-*) and
// the disk-scoped offline-URL records under [OfflineDir] ([OfflineRecord]).
//
// # Using it
//
// [Open] opens an operating-system directory, [OpenFS] any [FS]: a [DirFS]
// or a [MemFS], a folder held in memory with the same layout (for
// simulations of many clients; [MemFS.WriteDir] writes it out when asked).
// [Folder.Get] and [Folder.List] read entries, [Folder.Put] and
// [Folder.Delete] write them. Writes are crash-safe (journal, then Content,
// then MetaData, each replaced atomically), several processes may share a
// folder (writers hold its lock; readers take none), and a corrupt entry is
// reported as a [*CorruptEntryError] — it is never deleted by a read and
// never panics. Retrieval semantics (freshness, flushing, the offline-URL
// model) are the cache package's.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package urlcache
