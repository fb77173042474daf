package http

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// FuzzContentInput feeds request bodies to the decoding of items: it must never
// panic; every key of the type that was sent is read or reported malformed, in
// the Go form of its kind; the validation then reports only field errors.
func FuzzContentInput(f *testing.F) {
	for _, seed := range []string{
		`{"title": "x", "tx": "t"}`,
		`{"title": "", "tx": null, "description": null, "categories": null}`,
		`{"title": "x", "tx": "t", "s": "abc", "i": 5, "n": -1.5e3, "b": true, "d": "2024-01-01T00:00:00Z", "j": {"a": [1]}, "f": {"data": "x"}}`,
		`{"title": "x", "tx": "t", "i": 1e400, "n": 1e400, "d": "2024-13-01T00:00:00Z", "categories": ["a", " ", "a"]}`,
		`{"title": "x", "i": 3.0, "f": 12, "__meta__": {}, "bogus": 1}`,
		`{"title": 1, "tx": [], "i": "1", "n": "1", "b": 0, "d": 5, "categories": "a", "f": {"id": 3}}`,
		`{"title": "\u0000", "tx": "\ud800", "f": "data:text/plain;base64,eA==", "d": "0000-01-01T00:00:00+01:00"}`,
		`{"f": {"data": ""}, "j": "x", "i": -0, "n": 0.0000001}`,
		`{"title": "x", "tx": "t", "r": 3, "rs": [1, {"id": 2}, 3.0]}`,
		`{"r": {"id": "3"}, "rs": [1, 1, -2, 0], "title": "y"}`,
		`{"r": [1], "rs": {"id": 1}, "tx": "t"}`,
		`{"title": "x", "tx": "t", "u": "0123456789abcdef0123456789abcdef"}`,
		`{"u": {"id": "0123456789ABCDEF0123456789abcdef"}, "title": "y"}`,
		`{"u": "01234567-89ab-cdef-0123-456789abcdef", "tx": "t"}`,
		`{"u": 7, "title": "z"}`,
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	lo := -10.0
	ty := content.Type{Name: "thing", Categories: true, Fields: []content.Field{
		{Name: "s", Kind: content.String, MaxLength: 20},
		{Name: "tx", Kind: content.Text, Required: true},
		{Name: "i", Kind: content.Integer, Min: &lo},
		{Name: "n", Kind: content.Number},
		{Name: "b", Kind: content.Boolean},
		{Name: "d", Kind: content.DateTime},
		{Name: "j", Kind: content.JSON},
		{Name: "f", Kind: content.FileKind},
		{Name: "r", Kind: content.Relation, Target: "thing"},
		{Name: "rs", Kind: content.Relation, Target: "thing", Multiple: true, MaxItems: 3},
		{Name: "u", Kind: content.User},
	}}
	f.Fuzz(func(t *testing.T, data []byte, create bool) {
		var body map[string]json.RawMessage
		if json.Unmarshal(data, &body) != nil {
			return
		}
		in := contentInput(&ty, body)
		for _, fd := range ty.Fields {
			_, sent := body[fd.Name]
			v, read := in.Fields[fd.Name]
			_, bad := in.Malformed[fd.Name]
			if sent != (read != bad) || (!sent && (read || bad)) {
				t.Fatalf("%s: sent %v, read %v, malformed %v", fd.Name, sent, read, bad)
			}
			if v == nil {
				continue
			}
			ok := false
			switch v.(type) {
			case string:
				ok = fd.Kind == content.String || fd.Kind == content.Text
			case int64:
				ok = fd.Kind == content.Integer || (fd.Kind == content.Relation && !fd.Multiple)
			case []int64:
				ok = fd.Kind == content.Relation && fd.Multiple
			case float64:
				ok = fd.Kind == content.Number
			case bool:
				ok = fd.Kind == content.Boolean
			case time.Time:
				ok = fd.Kind == content.DateTime
			case json.RawMessage:
				ok = fd.Kind == content.JSON && json.Valid(v.(json.RawMessage))
			case *backrest.Attachment:
				ok = fd.Kind == content.FileKind
			case backrest.UserID:
				ok = fd.Kind == content.User
			}
			if !ok {
				t.Fatalf("%s: %T read for a %s field", fd.Name, v, fd.Kind)
			}
		}
		if err := ty.Validate(in, create); err != nil {
			var e *backrest.Error
			if !errors.As(err, &e) || e.Code != backrest.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("error %v is not a field validation error", err)
			}
		}
	})
}
