package http

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
)

// The admin body getters give a value or record the field as invalid, never both,
// and a value only for JSON of their type.
func FuzzAdminBody(f *testing.F) {
	for _, s := range []string{`{}`, `{"active": true}`, `{"active": "true"}`, `{"roles": ["a", "b"]}`, `{"roles": []}`,
		`{"roles": "a"}`, `{"roles": [1]}`, `{"roles": null, "active": null}`, `{"roles": [null]}`, `{"active": 0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := parseObject(data); err != nil {
			return
		}
		fields, _ := parseObject(data)
		for name, raw := range fields.fields {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			b, _ := parseObject(data)
			got := b.bool(name)
			_, isBool := v.(bool)
			if (got != nil) != isBool || (v != nil && !isBool) != b.v.Has(name) {
				t.Fatalf("bool(%s) of %s: %v, recorded %v", name, raw, got, b.v.Has(name))
			}
			b, _ = parseObject(data)
			list := b.stringList(name)
			if list != nil && b.v.Has(name) || list == nil && v != nil && !b.v.Has(name) {
				t.Fatalf("stringList(%s) of %s: %v, recorded %v", name, raw, list, b.v.Has(name))
			}
			if arr, isArr := v.([]any); list != nil && (!isArr || len(*list) != len(arr)) {
				t.Fatalf("stringList(%s) of %s: %v", name, raw, *list)
			}
		}
	})
}

// The admin query parser keeps limit and offset in range or reports them, and
// reports a parameter given twice.
func FuzzAdminQuery(f *testing.F) {
	for _, s := range []string{"", "limit=10&offset=5", "limit=0", "limit=1001", "offset=-1", "q=a&q=b", "q=%25_", "limit=x", "%zz", "limit=9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/-/admin/users", nil)
		r.URL.RawQuery = raw
		var v backrest.Validation
		_, limit, offset := queryParams(r, &v, "q")
		if v.Err() != nil {
			return
		}
		if limit < 1 || limit > account.MaxPageLimit || offset < 0 {
			t.Fatalf("%q: limit %d, offset %d accepted", raw, limit, offset)
		}
		if q := r.URL.Query(); len(q["limit"]) == 1 {
			if n, err := strconv.Atoi(q["limit"][0]); err != nil || n != limit {
				t.Fatalf("%q: limit %d", raw, limit)
			}
		}
	})
}
