package urlcache

// CorruptEntryError reports a cache entry that cannot be used: a truncated or
// inconsistent MetaData record, or a Content file that does not match it. The
// entry is treated as a miss and left in place.
type CorruptEntryError struct {
	// File is the path (or name) of the file at fault.
	File string
	// Offset is the byte offset of the problem in File, or -1.
	Offset int64
	// Detail says what is wrong, e.g. "MetaData record truncated at byte 52".
	Detail string
	// Err is the error of reading File, if that is what went wrong (e.g. a
	// *boundedio.NotRegularError for a FIFO).
	Err error
	// transient marks what a concurrent writer can cause for an instant
	// (the MetaData changed while the entry was read, or Content and
	// MetaData disagree on the size); Folder.ReadEntry reads such an entry
	// again.
	transient bool
}

// Error names the file, and the detail.
func (e *CorruptEntryError) Error() string { return e.File + ": " + e.Detail }

// Unwrap returns Err.
func (e *CorruptEntryError) Unwrap() error { return e.Err }
