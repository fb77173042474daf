package content

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// fuzzType has a field of every kind, with constraints.
func fuzzType(t testing.TB) *Type {
	t.Helper()
	lo, hi := -10.0, 1e6
	ty := Type{Name: "thing", Categories: true, Fields: []Field{
		{Name: "s", Kind: String, MaxLength: 20, Pattern: "^[a-z ]*$"},
		{Name: "e", Kind: String, Enum: []any{"a", "b"}},
		{Name: "tx", Kind: Text, Required: true},
		{Name: "i", Kind: Integer, Min: &lo, Max: &hi},
		{Name: "ie", Kind: Integer, Enum: []any{1.0, 2.0}},
		{Name: "n", Kind: Number, Min: &lo},
		{Name: "b", Kind: Boolean},
		{Name: "d", Kind: DateTime},
		{Name: "j", Kind: JSON},
		{Name: "f", Kind: FileKind},
	}}
	if err := ty.prepare(); err != nil {
		t.Fatal(err)
	}
	return &ty
}

// checkValue fails unless v is a valid value of the field.
func checkValue(t *testing.T, f *Field, v any) {
	if v == nil {
		if f.Required {
			t.Fatalf("%s: null accepted for a required field", f.Name)
		}
		return
	}
	if _, err := storedValue(f, v); err != nil && f.Kind != FileKind {
		t.Fatalf("%s: %v", f.Name, err)
	}
	switch x := v.(type) {
	case string:
		if n := f.LengthLimit(); n > 0 && utf8.RuneCountInString(x) > n {
			t.Fatalf("%s: %d characters accepted", f.Name, utf8.RuneCountInString(x))
		}
		if f.pattern != nil && !f.pattern.MatchString(x) {
			t.Fatalf("%s: %q does not match", f.Name, x)
		}
	case int64:
		if (f.Min != nil && float64(x) < *f.Min) || (f.Max != nil && float64(x) > *f.Max) {
			t.Fatalf("%s: %d out of range", f.Name, x)
		}
	case float64:
		if f.Min != nil && x < *f.Min {
			t.Fatalf("%s: %v out of range", f.Name, x)
		}
	case time.Time:
		if x.Location() != time.UTC || x.Year() < 1 || x.Year() > 9999 {
			t.Fatalf("%s: time %v accepted", f.Name, x)
		}
	case json.RawMessage:
		if !json.Valid(x) {
			t.Fatalf("%s: invalid JSON accepted", f.Name)
		}
	}
}

// FuzzValidate feeds inputs to the validation of items: it must never panic, must
// report only invalid input, and what it accepts must fit the fields. present
// says which keys are sent (bit i for key i of the type's fields, then title,
// description and categories), null which of them are null.
func FuzzValidate(f *testing.F) {
	f.Add("x", "abc", "a", "t", int64(5), int64(2), -1.5e3, true, int64(1700000000), []byte(`{"a": [1]}`), "red,blue", uint16(0xffff), uint16(0), true)
	f.Add("", "ABC", "c", "", int64(1e9), int64(3), 1e308, false, int64(-62200000000), []byte(`{`), " , a,a", uint16(0x0fff), uint16(0x00f0), false)
	f.Add("\x00", "a b", "b", "\xff", int64(-11), int64(1), -10.0, false, int64(253402300800), []byte(`null`), "", uint16(0xffff), uint16(0xffff), true)
	ty := fuzzType(f)
	f.Fuzz(func(t *testing.T, title, s, e, tx string, i, ie int64, n float64, b bool, d int64, j []byte, cats string, present, null uint16, create bool) {
		vals := []any{s, e, tx, i, ie, n, b, time.Unix(d, 0), json.RawMessage(j), &backrest.Attachment{ID: i}}
		in := &Input{Fields: map[string]any{}}
		for k, fd := range ty.Fields {
			if present&(1<<k) == 0 {
				continue
			}
			if null&(1<<k) != 0 {
				in.Fields[fd.Name] = nil
			} else {
				in.Fields[fd.Name] = vals[k]
			}
		}
		if present&(1<<10) != 0 {
			in.Title = &title
		}
		if present&(1<<11) != 0 {
			in.Description = &s
		}
		if present&(1<<12) != 0 {
			in.Categories = strings.Split(cats, ",")
		}
		out, err := ty.check(in, create)
		if err != nil {
			var e *backrest.Error
			if !errors.As(err, &e) || e.Code != backrest.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("error %v is not a field validation error", err)
			}
			for _, fe := range e.Fields {
				if fe.Location != "body" || fe.Name == "" || fe.Description == "" {
					t.Fatalf("bad field error %+v", fe)
				}
			}
			return
		}
		if create && (out.title == nil || out.fields["tx"] == nil) {
			t.Fatal("created without a required field")
		}
		if out.title != nil && (strings.TrimSpace(*out.title) == "" || utf8.RuneCountInString(*out.title) > TitleMaxLength) {
			t.Fatalf("title %q accepted", *out.title)
		}
		for name, v := range out.fields {
			fd := ty.Field(name)
			if fd == nil {
				t.Fatalf("unknown key %s taken", name)
			}
			checkValue(t, fd, v)
		}
		if len(out.categories) > MaxCategories {
			t.Fatal("too many categories")
		}
		for _, c := range out.categories {
			if checkCategory(c) != "" {
				t.Fatalf("category %q accepted", c)
			}
		}
	})
}

// FuzzParseQuery feeds query strings to the parser of listings: it must never
// panic, must report errors in the query string, and what it accepts must be a
// valid listing.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"", "limit=10&offset=20", "sort=-i", "sort=title", "sort=tx", "s=abc&s=def", "b=true&i=5&n=1.5",
		"d=2024-01-01T00:00:00Z", "owner=0123456789abcdef0123456789abcdef", "category=red&category=blue",
		"limit=0", "limit=1001", "limit=1&limit=2", "offset=-1", "i=x", "j=1", "f=2", "bogus=1", "_=123", "%zz", "i=1e3",
		"i.gte=1&i.lt=5", "n.gt=-1.5&d.lte=2024-01-01T00:00:00Z", "creation_date.gt=2024-01-01T00:00:00Z", "modification_date.lte=x",
		"s.gt=a", "i.between=1", "q=caf%C3%A9+Noir", "q=", "q=%FF", "total=false", "total=0", "cursor=WzEsIngiLC0xLG51bGwsMSwyXQ",
		"cursor=abc&offset=1", "sort=-n&cursor=WzEsIngiLDMsMS41LDEsMl0",
	} {
		f.Add(seed)
	}
	ty := fuzzType(f)
	f.Fuzz(func(t *testing.T, raw string) {
		params, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := ty.ParseQuery(params)
		if err != nil {
			var e *backrest.Error
			if !errors.As(err, &e) || e.Code != backrest.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("error %v is not a query validation error", err)
			}
			for _, fe := range e.Fields {
				if fe.Location != "querystring" || fe.Description == "" {
					t.Fatalf("bad field error %+v", fe)
				}
			}
			return
		}
		if q.Limit < 1 || q.Limit > MaxLimit || q.Offset < 0 || !ty.sortable(q.Sort) {
			t.Fatalf("accepted %+v", q)
		}
		if q.After != nil && params.Has("offset") {
			t.Fatal("cursor and offset accepted together")
		}
		for _, rg := range q.Ranges {
			if _, ok := rg.Value.(int64); !ok {
				if x, ok := rg.Value.(float64); !ok || math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("range value %#v", rg.Value)
				}
			}
			if fd := ty.Field(rg.Field); fd == nil && rg.Field != "creation_date" && rg.Field != "modification_date" ||
				fd != nil && fd.Kind != Integer && fd.Kind != Number && fd.Kind != DateTime {
				t.Fatalf("range on %s", rg.Field)
			}
		}
		if params.Has("q") && (len(q.Search) == 0 || len(q.Search) > MaxSearchWords) {
			t.Fatalf("search %q", q.Search)
		}
		for _, w := range q.Search {
			if w == "" || strings.ContainsFunc(w, unicode.IsSpace) || store.FoldSearch(w) != w {
				t.Fatalf("search word %q", w)
			}
		}
		for _, fl := range q.Filters {
			if len(fl.Values) == 0 {
				t.Fatalf("filter %s without values", fl.Field)
			}
			if fd := ty.Field(fl.Field); fd != nil {
				if !fd.Kind.Indexed() {
					t.Fatalf("filter on %s", fl.Field)
				}
				for _, v := range fl.Values {
					switch v.(type) {
					case string, int64, float64:
					default:
						t.Fatalf("filter value %T", v)
					}
				}
			}
		}
	})
}

// FuzzCursor feeds cursors to their decoder, for listings in each order: it must
// never panic, and a cursor it accepts encodes back to one that decodes alike.
func FuzzCursor(f *testing.F) {
	ty := fuzzType(f)
	for _, sort := range []string{"", "title", "-modification_date", "s", "-i", "n", "b", "d", "id"} {
		q, err := ty.ParseQuery(url.Values{"sort": {sort}})
		if sort == "" {
			q, err = ty.ParseQuery(url.Values{})
		}
		if err != nil {
			f.Fatal(err)
		}
		for _, v := range []any{nil, "abc", int64(7), 1.5, "\u00e9"} {
			f.Add(sort, encodeCursor(&Cursor{Key: store.ContentKey{Sort: v, Created: 1700000000000000, ID: 3}, Total: 12}, q))
		}
	}
	f.Add("n", base64.RawURLEncoding.EncodeToString([]byte(`[1,"x",-1,1e999,1,2]`)))
	f.Add("i", base64.RawURLEncoding.EncodeToString([]byte(`[1,"x",-1,9223372036854775808,1,2]`)))
	f.Add("", "=====")
	f.Fuzz(func(t *testing.T, sort, raw string) {
		params := url.Values{}
		if sort != "" {
			params.Set("sort", sort)
		}
		q, err := ty.ParseQuery(params)
		if err != nil {
			return
		}
		c := ty.decodeCursor(raw, q)
		if c == nil {
			// A cursor made for the query decodes, whatever it was given.
			raw = base64.RawURLEncoding.EncodeToString([]byte(`[1,"` + q.key + `",-1,null,1,2]`))
			if q.Sort != "title" && q.Sort != "modification_date" && ty.decodeCursor(raw, q) == nil {
				t.Fatalf("%s: a valid cursor refused", raw)
			}
			return
		}
		if c.Key.ID <= 0 || c.Total < -1 {
			t.Fatalf("accepted %+v", c)
		}
		again := ty.decodeCursor(encodeCursor(c, q), q)
		if again == nil || fmt.Sprint(*again) != fmt.Sprint(*c) {
			t.Fatalf("%+v encodes to a cursor that decodes to %+v", c, again)
		}
	})
}

// FuzzSearchWords feeds search queries to their parser: it must never panic, and
// the words it accepts are folded, unique, without spaces, as many as allowed.
func FuzzSearchWords(f *testing.F) {
	for _, seed := range []string{"", "café noir", "STRASSE straße", "a a a", "\xff", "\"e%_", "ǅ ﬁ İ", "\t\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, msg := searchWords(s)
		if msg != "" {
			if words != nil {
				t.Fatalf("%q: words %q with error %s", s, words, msg)
			}
			return
		}
		if len(words) == 0 || len(words) > MaxSearchWords {
			t.Fatalf("%q: %d words", s, len(words))
		}
		for i, w := range words {
			if w == "" || strings.ContainsFunc(w, unicode.IsSpace) || store.FoldSearch(w) != w || slices.Contains(words[:i], w) {
				t.Fatalf("%q: word %q", s, w)
			}
		}
	})
}

// FuzzParseSchema feeds schema files to their parser: it must never panic, and the
// types it accepts must be usable.
func FuzzParseSchema(f *testing.F) {
	for _, seed := range []string{
		`{"types": [{"name": "doc", "fields": [{"name": "size", "type": "integer", "min": 0, "max": 9}]}]}`,
		`{"types": [{"name": "doc", "plural": "docs", "categories": true, "access": {"view": "anyone", "create": "role:editor"}}],
		  "category_groups": {"colors": ["red", "green"]}}`,
		`{"types": [{"name": "a", "fields": [{"name": "s", "type": "string", "enum": ["x", 1], "pattern": "("}]}]}`,
		`{"types": [{"name": "a"}, {"name": "a"}]}`,
		`{"types": [{"name": "a", "fields": [{"name": "i", "type": "integer", "enum": [1.5]}]}]}`,
		`{"types": [], "category_groups": {"": [" "]}}`,
		`{"types": [{"name": "a", "access": {"create": "owner"}}]}`,
		`[]`, `{}`, `{"types": null}`, `{"types": [{"name": "a"}]} {}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSchema(data)
		if err != nil {
			return
		}
		for _, ty := range s.Types {
			if !nameRE.MatchString(ty.Name) || !pluralRE.MatchString(ty.Plural) {
				t.Fatalf("type %q (%q) accepted", ty.Name, ty.Plural)
			}
			for _, a := range []string{ActionView, ActionCreate, ActionEdit, ActionDelete} {
				if ty.rule(a).check() != nil {
					t.Fatalf("rule %q accepted", ty.rule(a))
				}
			}
			for i := range ty.Fields {
				fd := &ty.Fields[i]
				if ty.Field(fd.Name) != fd {
					t.Fatalf("field %s not indexed", fd.Name)
				}
				for _, v := range fd.Enum {
					if _, ok := enumValue(fd.Kind, v); !ok {
						t.Fatalf("enum value %v of %s", v, fd.Kind)
					}
				}
			}
		}
	})
}
