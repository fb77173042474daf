package http

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/backrest/backrest"
)

// FuzzParseObject feeds arbitrary bodies to the request decoder: it never panics,
// every failure is an EINVALID error on "body", and a decoded object's string
// fields are either strings or recorded as invalid.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"email": "a@b.c", "password": "x"}`, `[]`, `null`, `"x"`, `{"email": 1}`,
		`{"email": "\ud800"}`, `  {"a":{"b":[1,2,{"c":null}]}}  `, `{"email": "a", "email": "b"}`, "\xff", "{}\f"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseObject(data)
		if err != nil {
			if backrest.ErrorCode(err) != backrest.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
		for name := range b.fields {
			if s := b.String(name); s == nil && !b.v.Has(name) {
				var v any
				if json.Unmarshal(b.fields[name], &v) == nil && v != nil {
					t.Fatalf("field %q neither a string nor invalid", name)
				}
			}
		}
	})
}

// FuzzCheckText checks the text check of JSON bodies against its definition: a
// valid JSON document passes exactly when it is UTF-8 and none of its strings
// (keys included) decodes to one with a NUL.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": "b"}`, `{"a": "\u0000"}`, "{\"a\": \"\xff\"}", `{"\u0000": 1}`,
		`{"a": {"b": ["x", "\u0000"]}}`, `["\u0000"]`, `"\\u0000"`, `{"a": "\\u0000"}`, "{\"a\":[1,{\"b\":\"\xc3\"}]}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		want := utf8.Valid(data) && !hasNUL(v)
		if got := checkText(data); (len(got) == 0) != want {
			t.Fatalf("checkText(%q) = %v, want text %v", data, got, want)
		}
	})
}

// hasNUL reports whether a decoded JSON value holds a string with a NUL.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case []any:
		for _, e := range v {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// FuzzCheckURL checks the text check of paths and query strings: a URL passes
// exactly when its path and every parameter that parses are text.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"/-/x", "/-/x?a=b", "/-/x?a=%00", "/-/%ff", "/-/x?%ff=1", "/-/x?a=%zz&b=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.ParseRequestURI(raw)
		if err != nil {
			return
		}
		params, _ := url.ParseQuery(u.RawQuery)
		want := utf8.ValidString(u.Path) && strings.IndexByte(u.Path, 0) < 0
		for k, vs := range params {
			if k == "filename" {
				vs = nil
			}
			for _, s := range append(vs, k) {
				want = want && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
			}
		}
		err = checkURL(u)
		if (err == nil) != want {
			t.Fatalf("checkURL(%q) = %v, want text %v", raw, err, want)
		}
		if err != nil && backrest.ErrorCode(err) != backrest.EINVALID {
			t.Fatalf("error %v is not EINVALID", err)
		}
	})
}
