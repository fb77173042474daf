package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

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
	if bad := checkText(data); len(bad) > 0 {
		return nil, &backrest.Error{Code: backrest.EINVALID, Fields: bad}
	}
	return b, nil
}

// Descriptions of values that are not text, which PostgreSQL refuses (SQLite
// would store them).
const (
	nulText = "Must not contain NUL characters"
	notUTF8 = "Must be valid UTF-8"
)

// textError returns why s is not text, or "".
func textError(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return nulText
	}
	if !utf8.ValidString(s) {
		return notUTF8
	}
	return ""
}

// fieldName returns s as a field name fit for an error: text, NULs removed.
func fieldName(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// checkText returns an error for each top-level field of data, valid JSON, that
// holds a string (or a key) that is not text: bytes that are not UTF-8 (which a
// JSON decoder would quietly replace) or an escaped NUL character.
func checkText(data []byte) []backrest.FieldError {
	if utf8.Valid(data) && !bytes.Contains(data, []byte(`\u0000`)) {
		return nil
	}
	type frame struct {
		object, wantKey bool
		key             string
	}
	var (
		stack []frame
		bad   []backrest.FieldError
		seen  = map[string]bool{}
	)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			break
		}
		// isKey is set for an object's key; a value (scalar or closed container)
		// makes its object want a key next.
		isKey := false
		switch tok := tok.(type) {
		case json.Delim:
			if tok == '{' || tok == '[' {
				stack = append(stack, frame{object: tok == '{', wantKey: tok == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
		case string:
			if top := len(stack) - 1; top >= 0 && stack[top].object && stack[top].wantKey {
				isKey = true
				stack[top].key = tok
			}
			desc := textError(tok)
			if !utf8.Valid(data[start:dec.InputOffset()]) {
				desc = notUTF8
			}
			if desc != "" {
				name := "body"
				if len(stack) > 0 && stack[0].object {
					name = fieldName(stack[0].key)
				}
				if !seen[name] {
					seen[name] = true
					bad = append(bad, backrest.FieldError{Location: "body", Name: name, Description: desc})
				}
			}
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = !isKey
		}
	}
	return bad
}

// checkURL returns an error naming the path of u, and each query parameter, that
// is not text. The file name of an upload (?filename=) is exempt: file names are
// cleaned rather than refused, as those of Content-Disposition are.
func checkURL(u *url.URL) error {
	var v backrest.Validation
	if desc := textError(u.Path); desc != "" {
		v.Add("path", "url", desc)
	}
	if u.RawQuery != "" {
		// A malformed query is left to the handlers that read it; what parses is
		// checked.
		params, _ := url.ParseQuery(u.RawQuery)
		for _, name := range slices.Sorted(maps.Keys(params)) {
			desc := textError(name)
			for _, s := range params[name] {
				if desc == "" && name != "filename" {
					desc = textError(s)
				}
			}
			if desc != "" {
				v.Add("querystring", fieldName(name), desc)
			}
		}
	}
	return v.Err()
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

// Bool returns the boolean field name, false when absent or null. A value of
// another type is recorded as invalid.
func (b *body) Bool(name string) bool {
	raw, ok := b.fields[name]
	if !ok || string(raw) == "null" {
		return false
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		b.v.Body(name, "Must be a boolean")
	}
	return v
}

// Err returns the recorded type errors, or nil.
func (b *body) Err() error { return b.v.Err() }
