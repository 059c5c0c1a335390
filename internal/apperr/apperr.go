// Package apperr defines the domain errors every Qihang service returns and
// the one place that turns them into gRPC statuses.
//
// Services return these errors (wrapped with %w as they like); the gRPC error
// interceptor maps them with [ToStatus]. Messages are written for the person
// using the product, in Chinese, and never carry internal details: anything
// that is not an *Error or *ValidationError becomes INTERNAL with an id that is
// also logged.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies a domain error; each kind maps to one gRPC code.
type Kind int

// The kinds, with their gRPC codes and HTTP statuses in the comments.
const (
	// KindNotFound: the object does not exist or the caller may not know it
	// exists (NOT_FOUND, 404).
	KindNotFound Kind = iota + 1
	// KindAlreadyExists: a natural key such as a USCC is taken
	// (ALREADY_EXISTS, 409).
	KindAlreadyExists
	// KindConflict: the etag/version sent is stale (ABORTED, 409).
	KindConflict
	// KindPermissionDenied: authenticated but not allowed (PERMISSION_DENIED, 403).
	KindPermissionDenied
	// KindUnauthenticated: no valid token (UNAUTHENTICATED, 401).
	KindUnauthenticated
	// KindFailedPrecondition: the object is in the wrong state for the
	// action (FAILED_PRECONDITION, 400).
	KindFailedPrecondition
	// KindResourceExhausted: a quota, capacity or rate limit is used up
	// (RESOURCE_EXHAUSTED, 429).
	KindResourceExhausted
	// KindUnavailable: a dependency is down; retrying may help (UNAVAILABLE, 503).
	KindUnavailable
)

// Error is a domain error with a user-facing message.
type Error struct {
	Kind Kind
	// Msg is shown to the user; Chinese first.
	Msg string
	// Err is an optional cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same kind, so that
// errors.Is(err, apperr.ErrNotFound) works for any not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Msg == ""
}

// IsKind reports whether err is a domain error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// Sentinels for errors.Is; they carry no message.
var (
	ErrNotFound           = &Error{Kind: KindNotFound}
	ErrAlreadyExists      = &Error{Kind: KindAlreadyExists}
	ErrConflict           = &Error{Kind: KindConflict}
	ErrPermissionDenied   = &Error{Kind: KindPermissionDenied}
	ErrUnauthenticated    = &Error{Kind: KindUnauthenticated}
	ErrFailedPrecondition = &Error{Kind: KindFailedPrecondition}
	ErrResourceExhausted  = &Error{Kind: KindResourceExhausted}
	ErrUnavailable        = &Error{Kind: KindUnavailable}
)

func newf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// NotFound returns a KindNotFound error.
func NotFound(format string, args ...any) error { return newf(KindNotFound, format, args...) }

// AlreadyExists returns a KindAlreadyExists error.
func AlreadyExists(format string, args ...any) error {
	return newf(KindAlreadyExists, format, args...)
}

// Conflict returns a KindConflict error.
func Conflict(format string, args ...any) error { return newf(KindConflict, format, args...) }

// PermissionDenied returns a KindPermissionDenied error.
func PermissionDenied(format string, args ...any) error {
	return newf(KindPermissionDenied, format, args...)
}

// Unauthenticated returns a KindUnauthenticated error.
func Unauthenticated(format string, args ...any) error {
	return newf(KindUnauthenticated, format, args...)
}

// FailedPrecondition returns a KindFailedPrecondition error.
func FailedPrecondition(format string, args ...any) error {
	return newf(KindFailedPrecondition, format, args...)
}

// ResourceExhausted returns a KindResourceExhausted error.
func ResourceExhausted(format string, args ...any) error {
	return newf(KindResourceExhausted, format, args...)
}

// Unavailable wraps cause as a KindUnavailable error.
func Unavailable(cause error, format string, args ...any) error {
	e := newf(KindUnavailable, format, args...)
	e.Err = cause
	return e
}

// FieldViolation is one broken rule on one input field.
type FieldViolation struct {
	// Field is the request path, e.g. "firm.hs_codes[1]".
	Field string
	// Description says the rule in Chinese, e.g. "HS编码须为6至10位数字".
	Description string
}

// ValidationError collects every field violation of one request; it maps to
// INVALID_ARGUMENT with google.rpc.BadRequest details (HTTP 400).
type ValidationError struct {
	Violations []FieldViolation
}

// Add records a violation.
func (v *ValidationError) Add(field, format string, args ...any) {
	v.Violations = append(v.Violations, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Merge appends other's violations with prefix prepended to their fields
// ("firm." + "name").
func (v *ValidationError) Merge(prefix string, other *ValidationError) {
	if other == nil {
		return
	}
	for _, fv := range other.Violations {
		field := fv.Field
		if prefix != "" {
			field = prefix + "." + field
		}
		v.Violations = append(v.Violations, FieldViolation{Field: field, Description: fv.Description})
	}
}

// Err returns v as an error when it holds violations, else nil. Always return
// v.Err() rather than v, so an empty collector never becomes a non-nil error.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Violations) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Violations))
	for i, fv := range v.Violations {
		parts[i] = fv.Field + ": " + fv.Description
	}
	return "输入有误：" + strings.Join(parts, "；")
}

// Invalid returns a ValidationError with one violation.
func Invalid(field, format string, args ...any) error {
	v := &ValidationError{}
	v.Add(field, format, args...)
	return v
}

// AsValidation returns the ValidationError inside err, if any.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	if errors.As(err, &v) {
		return v, true
	}
	return nil, false
}
