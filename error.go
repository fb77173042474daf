package backrest

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The HTTP layer maps each to one status code in one place.
const (
	EINVALID   = "invalid"    // the input failed validation (400)
	EFORBIDDEN = "forbidden"  // anonymous caller or missing permission (403)
	ENOTFOUND  = "not_found"  // unknown resource or token that does not verify (404)
	ECONFLICT  = "conflict"   // the request conflicts with the current state (409)
	ETOOLARGE  = "too_large"  // the request body is too large (413)
	ETOOMANY   = "rate_limit" // the caller is rate limited (429)
	// EUNAVAILABLE: a service the server needs, such as the database, cannot be
	// reached for now (503).
	EUNAVAILABLE = "unavailable"
	EINTERNAL    = "internal" // anything else; details are logged, never shown (500)
)

// FieldError names one failing part of a request.
type FieldError struct {
	// Location is where the value came from: body, querystring, path, header or cookie.
	Location string `json:"location"`
	// Name is the field, parameter or header.
	Name string `json:"name"`
	// Description is a human sentence.
	Description string `json:"description"`
}

// Error is the error type of backrest's domain. Anything that is not an *Error is
// reported as EINTERNAL.
type Error struct {
	// Code is one of the E* constants.
	Code string
	// Message describes the error when Fields does not.
	Message string
	// Fields lists the failing fields, all at once.
	Fields []FieldError
	// RetryAfter is how long a rate-limited caller should wait.
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	if e.Message != "" {
		return "backrest: " + e.Code + ": " + e.Message
	}
	if len(e.Fields) > 0 {
		return fmt.Sprintf("backrest: %s: %s: %s", e.Code, e.Fields[0].Name, e.Fields[0].Description)
	}
	return "backrest: " + e.Code
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrAnonymous is the error of an anonymous caller where a user must be logged in.
var ErrAnonymous = Errorf(EFORBIDDEN, "Log in first")

// Invalid returns an EINVALID error for one field of the request body.
func Invalid(name, description string) *Error {
	return &Error{Code: EINVALID, Fields: []FieldError{{Location: "body", Name: name, Description: description}}}
}

// ErrorCode returns the code of err: the Code of an *Error in its chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Validation collects field errors so that all failures of one request are reported
// together.
type Validation struct {
	fields []FieldError
}

// Add records a failing field of the given location.
func (v *Validation) Add(location, name, description string) {
	v.fields = append(v.fields, FieldError{Location: location, Name: name, Description: description})
}

// Body records a failing field of the request body.
func (v *Validation) Body(name, description string) { v.Add("body", name, description) }

// Has reports whether the named body field already failed.
func (v *Validation) Has(name string) bool {
	for _, f := range v.fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// Err returns an EINVALID *Error with every recorded field, or nil when none failed.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Fields: v.fields}
}
