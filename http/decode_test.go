package http

import (
	"encoding/json"
	"testing"

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
