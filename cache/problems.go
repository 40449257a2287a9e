package cache

import "strings"

// Outcome says, in the user's words, what a Retriever did about a
// [ProblemError]: the retrieval always goes on.
type Outcome string

// The outcomes of a cache problem. Their words end the problem's message
// (retrievals[].problems in docs/cli.md).
const (
	// OutcomeMiss: a disk entry that could not be used (a corrupt or torn
	// MetaData record, a Content file that does not match it, a file that
	// is not a regular one) is left in place and the lookup goes on as if
	// it were not there.
	OutcomeMiss Outcome = "ignored, treated as a miss"
	// OutcomeNotWritten: the object could not be stored in the disk cache
	// (a write refused through a symbolic link, a full disk); this
	// retrieval uses it, and the memory cache keeps it for the process.
	OutcomeNotWritten Outcome = "not written; the object is used from memory"
	// OutcomeRecordNotWritten: a disk-scoped offline-URL record
	// (CRYPT_OFFLINE_CHECK_RETRIEVAL back-off) could not be written, so
	// later retrievals do not hold the URL back for this failure.
	OutcomeRecordNotWritten Outcome = "not written; the failure is not remembered"
)

// ProblemError is one of [Result.Problems]: something in the disk cache
// folder that a retrieval could not read or write. It is reported, never
// fatal, and it is not a failure of the retrieval.
type ProblemError struct {
	// Err names the file and says what is wrong: a
	// *urlcache.CorruptEntryError, a *urlcache.SymlinkError, an
	// *fs.PathError of the write.
	Err error
	// Outcome is what the Retriever did about it.
	Outcome Outcome
}

// Error reads "FILE: WHAT IS WRONG; OUTCOME", e.g. "DIR/Content/NAME:
// Content is 3 bytes, MetaData ContentSize is 1234; ignored, treated as a
// miss".
func (e *ProblemError) Error() string {
	return strings.TrimPrefix(e.Err.Error(), "cache: ") + "; " + string(e.Outcome)
}

// Unwrap returns Err.
func (e *ProblemError) Unwrap() error { return e.Err }

// problem appends err to res.Problems with its outcome.
func (res *Result) problem(err error, o Outcome) {
	res.Problems = append(res.Problems, &ProblemError{Err: err, Outcome: o})
}

// ProblemTexts returns the messages of r.Problems (retrievals[].problems),
// or nil when there are none.
func (r *Result) ProblemTexts() []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Error())
	}
	return out
}
