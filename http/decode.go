package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/backrest/backrest"
)

// body is a decoded JSON object request body. Its getters record fields of the
// wrong type in a Validation, so that all of them are reported together.
type body struct {
	fields map[string]json.RawMessage
	v      backrest.Validation
}

// decodeObject reads a JSON object from the request body, at most limit bytes. It
// fails with 415 when the body is not declared as JSON, 413 when it is too large and
// 400 when it is not a JSON object.
func decodeObject(r *http.Request, limit int64) (*body, error) {
	if !isJSON(r.Header.Get("Content-Type")) {
		return nil, errUnsupportedMedia
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &backrest.Error{Code: backrest.ETOOLARGE, Message: "Request body too large"}
		}
		return nil, backrest.Invalid("body", "Could not read the request body")
	}
	return parseObject(data)
}

// errUnsupportedMedia is answered with 415.
var errUnsupportedMedia = errors.New("request body is not JSON")

// parseObject decodes data as a JSON object.
func parseObject(data []byte) (*body, error) {
	start := bytes.TrimLeft(data, " \t\r\n") // JSON's whitespace
	if len(start) == 0 || start[0] != '{' {
		return nil, backrest.Invalid("body", "Request body must be a JSON object")
	}
	b := &body{}
	if err := json.Unmarshal(data, &b.fields); err != nil {
		return nil, backrest.Invalid("body", "Request body is not valid JSON")
	}
	return b, nil
}

// String returns the string field name, nil when absent or null. A value of another
// type is recorded as invalid.
func (b *body) String(name string) *string {
	raw, ok := b.fields[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		b.v.Body(name, "Must be a string")
		return nil
	}
	return &s
}

// Err returns the recorded type errors, or nil.
func (b *body) Err() error { return b.v.Err() }
