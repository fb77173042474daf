package http

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// FuzzAppendString checks the direct string encoder against encoding/json: the
// output is valid JSON that decodes to what encoding/json's encoding decodes to.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "\n\r\t\b\f\x00\x1f", "<html>&amp;", "\u2028\u2029", "\xff\xfe", "é日本\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %q for %q", got, s)
		}
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var a, b string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("%q decodes to %q, encoding/json's to %q", got, a, b)
		}
	})
}

// A representation with every kind of field, awkward strings and categories is
// valid JSON with the values and __meta__ that were put in.
func TestRepresentationJSON(t *testing.T) {
	typ := &content.Type{Name: "doc", Plural: "docs", Categories: true, Fields: []content.Field{
		{Name: "s", Kind: content.String}, {Name: "n", Kind: content.Integer}, {Name: "x", Kind: content.Number},
		{Name: "b", Kind: content.Boolean}, {Name: "d", Kind: content.DateTime}, {Name: "j", Kind: content.JSON},
		{Name: "f", Kind: content.FileKind}, {Name: "unset", Kind: content.Text},
	}}
	owner := backrest.UserID{0xab, 0xcd}
	when := time.Date(2026, 11, 28, 12, 30, 45, 123456000, time.FixedZone("x", 3600))
	item := &content.Item{ID: 42, Type: typ, Owner: owner, Title: "q\"uote\\ <b>\u2028", Description: "é\n\x01",
		Created: when, Modified: when.Add(time.Second), Categories: []string{"a\"b", "z"},
		Fields: map[string]any{"s": "\xff", "n": int64(-7), "x": 2.5, "b": true, "d": when,
			"j": json.RawMessage(`{"k":[1,null]}`), "f": (*backrest.File)(nil)}}
	s := &Server{cfg: Options{BaseURL: "http://example.com/"}}
	for _, c := range []struct {
		caller  *backrest.User
		actions []any
	}{
		{&backrest.User{ID: owner}, []any{"view", "edit", "delete"}},
		{&backrest.User{ID: backrest.UserID{1}}, []any{"view"}},
	} {
		got, err := s.appendItem([]byte("prefix"), c.caller, item)
		if err != nil || string(got[:6]) != "prefix" {
			t.Fatalf("%q, %v", got, err)
		}
		var v map[string]any
		if err := json.Unmarshal(got[6:], &v); err != nil {
			t.Fatalf("invalid JSON %s: %v", got[6:], err)
		}
		want := map[string]any{"id": 42.0, "type": "doc", "owner": owner.String(), "title": item.Title,
			"description": item.Description, "creation_date": "2026-11-28T11:30:45.123456Z",
			"modification_date": "2026-11-28T11:30:46.123456Z", "s": "\ufffd", "n": -7.0, "x": 2.5, "b": true,
			"d": "2026-11-28T11:30:45.123456Z", "j": map[string]any{"k": []any{1.0, nil}}, "f": nil, "unset": nil,
			"categories": []any{"a\"b", "z"},
			"__meta__":   map[string]any{"url": "http://example.com/-/docs/42", "actions": c.actions}}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("got  %v\nwant %v", v, want)
		}
	}
}
