package content

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/backrest/backrest"
)

// Representation is the JSON form of an item as a caller sees it: the common
// fields, the own fields in their declared order, the categories when the type has
// them, and __meta__ with the item's absolute url and the actions the caller may
// take.
type Representation struct {
	s      *Service
	caller *backrest.User
	item   *Item
}

// Representation returns the JSON form of item for caller.
func (s *Service) Representation(caller *backrest.User, item *Item) Representation {
	return Representation{s: s, caller: caller, item: item}
}

// Meta is the __meta__ of a representation.
type Meta struct {
	URL     string   `json:"url"`
	Actions []string `json:"actions"`
}

// MarshalJSON implements json.Marshaler.
func (r Representation) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil) }

// AppendJSON appends the JSON form of the representation to dst. Strings, numbers
// and booleans, which make up most items, are encoded directly; other values go
// through encoding/json.
func (r Representation) AppendJSON(dst []byte) ([]byte, error) {
	item, t := r.item, r.item.Type
	b := append(dst, `{"id":`...)
	b = strconv.AppendInt(b, item.ID, 10)
	var err error
	add := func(key string, v any) {
		if err != nil {
			return
		}
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b, err = appendValue(b, v)
	}
	add("type", t.Name)
	add("owner", item.Owner.String())
	add("title", item.Title)
	add("description", item.Description)
	add("creation_date", formatTime(item.Created))
	add("modification_date", formatTime(item.Modified))
	for _, f := range t.Fields {
		v := item.Fields[f.Name]
		switch x := v.(type) {
		case time.Time:
			v = formatTime(x)
		case *backrest.File:
			if x == nil {
				v = nil
			} else {
				v = r.s.files.JSON(x)
			}
		}
		add(f.Name, v)
	}
	if t.Categories {
		cats := item.Categories
		if cats == nil {
			cats = []string{}
		}
		add("categories", cats)
	}
	add("__meta__", Meta{URL: r.s.URL(t, item.ID), Actions: t.Actions(r.caller, item)})
	if err != nil {
		return dst, err
	}
	return append(b, '}'), nil
}

// appendValue appends the JSON form of v.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	}
	data, err := marshal(v)
	return append(b, data...), err
}

// appendString appends s as a JSON string, escaped as encoding/json does without
// HTML escaping: quotes, backslashes and control characters, U+2028 and U+2029,
// and invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// marshal encodes v without escaping HTML characters.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// formatTime renders a time as RFC 3339 in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
