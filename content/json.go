package content

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

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
func (r Representation) MarshalJSON() ([]byte, error) {
	item, t := r.item, r.item.Type
	var b bytes.Buffer
	b.WriteString(`{"id":`)
	b.WriteString(strconv.FormatInt(item.ID, 10))
	add := func(key string, v any) error {
		b.WriteString(`,"`)
		b.WriteString(key)
		b.WriteString(`":`)
		data, err := marshal(v)
		if err != nil {
			return err
		}
		b.Write(data)
		return nil
	}
	common := []struct {
		key string
		v   any
	}{
		{"type", t.Name},
		{"owner", item.Owner.String()},
		{"title", item.Title},
		{"description", item.Description},
		{"creation_date", formatTime(item.Created)},
		{"modification_date", formatTime(item.Modified)},
	}
	for _, c := range common {
		if err := add(c.key, c.v); err != nil {
			return nil, err
		}
	}
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
		if err := add(f.Name, v); err != nil {
			return nil, err
		}
	}
	if t.Categories {
		cats := item.Categories
		if cats == nil {
			cats = []string{}
		}
		if err := add("categories", cats); err != nil {
			return nil, err
		}
	}
	if err := add("__meta__", Meta{URL: r.s.URL(t, item.ID), Actions: t.Actions(r.caller, item)}); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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
