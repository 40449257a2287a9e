package cache

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// WinHTTPError is a WinHTTP error number (winhttp.h ERROR_WINHTTP_*), the
// cause CAPI2 event 53 records for a failed wire retrieval (spec §7.3:
// Action Call_WinHttpSendRequest with Error value="2EE2", that is 12002).
// winchain sets the number WinHTTP would report for the failure its HTTP
// client met, so a retrieval record says why it failed, not only that the
// URL was "offline". Zero means none.
type WinHTTPError uint32

// The WinHTTP errors a Cryptnet retrieval meets (winhttp.h).
const (
	WinHTTPTimeout               WinHTTPError = 12002 // ERROR_WINHTTP_TIMEOUT
	WinHTTPUnrecognizedScheme    WinHTTPError = 12006 // ERROR_WINHTTP_UNRECOGNIZED_SCHEME
	WinHTTPNameNotResolved       WinHTTPError = 12007 // ERROR_WINHTTP_NAME_NOT_RESOLVED
	WinHTTPOperationCancelled    WinHTTPError = 12017 // ERROR_WINHTTP_OPERATION_CANCELLED
	WinHTTPCannotConnect         WinHTTPError = 12029 // ERROR_WINHTTP_CANNOT_CONNECT
	WinHTTPConnectionError       WinHTTPError = 12030 // ERROR_WINHTTP_CONNECTION_ERROR
	WinHTTPInvalidServerResponse WinHTTPError = 12152 // ERROR_WINHTTP_INVALID_SERVER_RESPONSE
	WinHTTPRedirectFailed        WinHTTPError = 12156 // ERROR_WINHTTP_REDIRECT_FAILED
	WinHTTPSecureFailure         WinHTTPError = 12175 // ERROR_WINHTTP_SECURE_FAILURE
)

var winHTTPNames = map[WinHTTPError]string{
	WinHTTPTimeout:               "ERROR_WINHTTP_TIMEOUT",
	WinHTTPUnrecognizedScheme:    "ERROR_WINHTTP_UNRECOGNIZED_SCHEME",
	WinHTTPNameNotResolved:       "ERROR_WINHTTP_NAME_NOT_RESOLVED",
	WinHTTPOperationCancelled:    "ERROR_WINHTTP_OPERATION_CANCELLED",
	WinHTTPCannotConnect:         "ERROR_WINHTTP_CANNOT_CONNECT",
	WinHTTPConnectionError:       "ERROR_WINHTTP_CONNECTION_ERROR",
	WinHTTPInvalidServerResponse: "ERROR_WINHTTP_INVALID_SERVER_RESPONSE",
	WinHTTPRedirectFailed:        "ERROR_WINHTTP_REDIRECT_FAILED",
	WinHTTPSecureFailure:         "ERROR_WINHTTP_SECURE_FAILURE",
}

// String returns the winhttp.h name, or the number for one not listed.
func (e WinHTTPError) String() string {
	if n, ok := winHTTPNames[e]; ok {
		return n
	}
	return fmt.Sprintf("WinHTTP error %d", uint32(e))
}

// MaxRedirects is how many HTTP redirects a retrieval follows: WinHTTP's
// default (WinHttpRequestOption_MaxAutomaticRedirects, "the default is
// 10"; also net/http's). One more, or a redirect to a scheme other than
// http and https (file://, ldap://), fails the retrieval with
// ERROR_WINHTTP_REDIRECT_FAILED, as WinHTTP fails a redirect that changes
// the scheme.
const MaxRedirects = 10

// redirectError is the CheckRedirect refusal; classifyNetError turns it
// into ERROR_WINHTTP_REDIRECT_FAILED.
type redirectError struct{ detail string }

func (e *redirectError) Error() string { return e.detail }

// checkRedirect is the redirect policy of HTTPFetcher.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return &redirectError{fmt.Sprintf("more than %d redirects (a redirect loop?), last to %s", MaxRedirects, req.URL.Redacted())}
	}
	if s := strings.ToLower(req.URL.Scheme); s != "http" && s != "https" {
		return &redirectError{fmt.Sprintf("redirect to %s, which is not an http or https URL", req.URL.Redacted())}
	}
	return nil
}

// winHTTPCause names the WinHTTP error for a transport error of net/http,
// and 0 when there is none to name.
func winHTTPCause(err error) WinHTTPError {
	var re *redirectError
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	var ua x509.UnknownAuthorityError
	switch {
	case errors.As(err, &re):
		return WinHTTPRedirectFailed
	case errors.As(err, &ne) && ne.Timeout():
		return WinHTTPTimeout
	case errors.As(err, &dns):
		return WinHTTPNameNotResolved
	case errors.As(err, &cv), errors.As(err, &rh), errors.As(err, &ua):
		return WinHTTPSecureFailure
	case errors.As(err, &op) && op.Op == "dial":
		return WinHTTPCannotConnect
	case errors.As(err, &op):
		return WinHTTPConnectionError
	case strings.Contains(err.Error(), "malformed HTTP"):
		return WinHTTPInvalidServerResponse
	}
	return 0
}
