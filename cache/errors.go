package cache

import (
	"errors"
	"fmt"
	"time"
)

// Reason says why a retrieval failed. Its string form is the word the chain
// report prints in retrievals[].error (docs/cli.md).
type Reason string

// The reasons a retrieval fails.
const (
	// ReasonOffline: the host could not be reached (WinHTTP
	// ERROR_WINHTTP_CANNOT_CONNECT), there is no network, or the URL is in
	// the offline-URL back-off (CRYPT_OFFLINE_CHECK_RETRIEVAL).
	ReasonOffline Reason = "offline"
	// ReasonTimeout: no answer within the URL retrieval timeout
	// (ERROR_WINHTTP_TIMEOUT) or the accumulative budget was spent.
	ReasonTimeout Reason = "timeout"
	// ReasonReset: the connection was reset mid-answer.
	ReasonReset Reason = "reset"
	// ReasonHTTPStatus: the server answered with a status other than 200
	// (or 304 to a conditional GET).
	ReasonHTTPStatus Reason = "http-status"
	// ReasonTooLarge: the object exceeds MaxUrlRetrievalByteCount or
	// MaxAIAUrlRetrievalByteCount; the cache is left untouched.
	ReasonTooLarge Reason = "too-large"
	// ReasonInvalidContent: Options.Validate rejected the object
	// (CRYPT_AIA_RETRIEVAL); it is not cached.
	ReasonInvalidContent Reason = "invalid-content"
	// ReasonUnsupportedScheme: the scheme is not allowed for this kind
	// (https for AIA, ldap, file unless enabled; spec §6).
	ReasonUnsupportedScheme Reason = "unsupported-scheme"
	// ReasonNotCached: cache-only retrieval (CRYPT_CACHE_ONLY_RETRIEVAL)
	// found no valid entry.
	ReasonNotCached Reason = "not-cached"
)

// String returns the reason word.
func (r Reason) String() string { return string(r) }

// RetrievalError is the typed failure of one retrieval. errors.Is matches it
// against another *RetrievalError with the same Reason (e.g.
// errors.Is(err, ErrOffline)), errors.As extracts it.
type RetrievalError struct {
	URL    string
	Reason Reason
	// Status is the HTTP status for ReasonHTTPStatus.
	Status int
	// Elapsed is how long the failed attempt blocked the caller. A
	// [Fetcher] sets it (e.g. to the full timeout); the Retriever charges it.
	Elapsed time.Duration
	// RetryAfter is, for a URL in the offline-URL back-off, when the wire
	// will be tried again.
	RetryAfter time.Time
	// WinHTTP is the WinHTTP error Windows would log for a failed wire
	// attempt (CAPI2 event 53, spec §7.3), e.g. WinHTTPRedirectFailed for
	// a redirect loop; 0 when none applies (a cache miss, an offline-URL
	// skip, a simulated failure).
	WinHTTP WinHTTPError
	// Detail is extra text for humans.
	Detail string
	// Err is the underlying error, if any.
	Err error
}

// Sentinel errors to test a reason with errors.Is.
var (
	ErrOffline           = &RetrievalError{Reason: ReasonOffline}
	ErrTimeout           = &RetrievalError{Reason: ReasonTimeout}
	ErrReset             = &RetrievalError{Reason: ReasonReset}
	ErrHTTPStatus        = &RetrievalError{Reason: ReasonHTTPStatus}
	ErrTooLarge          = &RetrievalError{Reason: ReasonTooLarge}
	ErrInvalidContent    = &RetrievalError{Reason: ReasonInvalidContent}
	ErrUnsupportedScheme = &RetrievalError{Reason: ReasonUnsupportedScheme}
	ErrNotCached         = &RetrievalError{Reason: ReasonNotCached}
)

// Error names the URL and the reason.
func (e *RetrievalError) Error() string {
	msg := "retrieve " + e.URL + ": " + string(e.Reason)
	if e.Reason == ReasonHTTPStatus && e.Status != 0 {
		msg += fmt.Sprintf(" %d", e.Status)
	}
	if e.WinHTTP != 0 {
		msg += fmt.Sprintf(" [%s %d]", e.WinHTTP, uint32(e.WinHTTP))
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *RetrievalError) Unwrap() error { return e.Err }

// Is reports whether target is a *RetrievalError with the same Reason.
func (e *RetrievalError) Is(target error) bool {
	t, ok := target.(*RetrievalError)
	return ok && t.Reason == e.Reason && (t.URL == "" || t.URL == e.URL)
}

// ReasonOf returns the Reason of err if it is (or wraps) a *RetrievalError,
// and "" otherwise.
func ReasonOf(err error) Reason {
	var re *RetrievalError
	if errors.As(err, &re) {
		return re.Reason
	}
	return ""
}
