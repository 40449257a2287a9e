package urlcache

import "os"

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

// SymlinkError is the error of a write to a cache folder that would go
// through a symbolic link: the lock file is a link, or a folder of the
// layout (Content, MetaData, winchain-offline) is a link out of the folder
// (or to nowhere). A folder copied from another machine, or a hostile one,
// may hold such links; winchain writes, creates and removes files only
// inside the folder, so nothing elsewhere is created, overwritten or
// deleted.
type SymlinkError struct {
	// Op is what was being done: "lock", "write", "delete" or "create".
	Op string
	// File is the path of the file (or folder) that is the link.
	File string
	// Target is where the link points (as stored in it), or "" when it
	// could not be read.
	Target string
}

// newSymlinkError is the *SymlinkError of op at the link p.
func newSymlinkError(op, p string) *SymlinkError {
	t, _ := os.Readlink(p)
	return &SymlinkError{Op: op, File: p, Target: t}
}

// Error reads "cache: OP FILE: a symbolic link (to TARGET); winchain does
// not write through one".
func (e *SymlinkError) Error() string {
	to := ""
	if e.Target != "" {
		to = " (to " + e.Target + ")"
	}
	return "cache: " + e.Op + " " + e.File + ": a symbolic link" + to + "; winchain does not write through one"
}
